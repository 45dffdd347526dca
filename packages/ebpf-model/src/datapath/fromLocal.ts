import type { Candidate, Trace } from '@dataplane-sim/cluster'
import { SVC_FLAG_AFFINITY } from '../agent/services'
import type { ProgrammedBackend } from '../agent/sink'
import { ipText } from './addr'
import { CT_ESTABLISHED, CT_NEW, CT_REPLY, ctCreate, ctLookup, ctMapOf, ctTouch, serviceCt } from './ctOps'
import { CT } from './ctTable'
import { deliver, reply } from './deliver'
import { candidateOf, lookupBackend, rememberAffinity } from './lb'
import type { ServiceMaster } from './maps'
import { egressPolicy, localPolicy } from './policyCheck'
import { DROP } from './reasons'
import { pick, pickCell, serviceCellFor, serviceFor } from './service'
import { type DatapathState, dnatOf, drop, type Flow, flowTo, NO_CANDIDATES } from './state'
import { type Ctx, progId } from './trace'

export const SOCK_CONNECT = progId('cil_sock4_connect')
export const FROM_CONTAINER = progId('cil_from_container')
const TO_NETDEV = progId('cil_to_netdev')
/** No backends with probabilities (a lean packet's: enumerate mode alone fills them) */
const NO_BACKENDS = Object.freeze([]) as unknown as Array<{ backend: ProgrammedBackend; probability: number }>

/**
 * A packet from a local pod (`bpf/bpf_lxc.c` cil_from_container) or from the host's own sockets: socket-LB
 * at connect() (`bpf/bpf_sock.c`) or the per-packet tc service path, then CT, egress policy and delivery.
 */
export function fromLocal(
  dp: DatapathState,
  f: Flow,
  ctx: Ctx,
  enumerate: boolean,
  endpointId: number,
  identity: number,
  closing: boolean,
  nonSyn: boolean,
): Trace {
  const fromPod = endpointId !== 0
  const maps = dp.maps
  let svc: ServiceMaster | undefined
  // a lean packet's service, when it was picked from the master's cell (`pickCell`): no record read
  let viaCell = false
  let backend: ProgrammedBackend | undefined
  let revNat = 0
  let candidates: Candidate[] = ctx.lean ? NO_CANDIDATES : []
  let all: Array<{ backend: ProgrammedBackend; probability: number }> = ctx.lean ? NO_BACKENDS : []
  if (f.proto !== 1 && dp.cfg.socketLb) {
    ctx.prog(SOCK_CONNECT, fromPod ? 'socket-LB at connect()' : 'socket-LB at connect() (host socket)')
    const sock = dp.sockets.findSocket(f.proto, f.saddr, f.sport, f.daddr, f.dport)
    if (sock >= 0) {
      if (ctx.steps)
        ctx.step(
          'socket',
          `${ipText(f.saddr)}:${f.sport} connected`,
          'info',
          'destination already rewritten at connect(): no service lookup',
        )
      backend = socketPeer(dp, sock, f.proto)
      revNat = dp.sockets.revNat(sock)
    } else if (ctx.lean && dp.cfg.algorithm === 'random') {
      // the same lookups and draw, reading the master's hot-field cell instead of its record
      const c = serviceCellFor(dp, f, ctx)
      if (c >= 0) {
        const r = pickCell(dp, c, f, ctx)
        if ('verdict' in r) return r
        backend = r.backend
        revNat = maps.services.masterRevNat(c)
        viaCell = true
        connectSocket(dp, f, backend, revNat)
      }
    } else {
      svc = serviceFor(dp, f, true, ctx)
      if (svc) {
        const r = pick(dp, svc, f, ctx, enumerate)
        if ('verdict' in r) return r
        ;({ backend, candidates, all } = r)
        revNat = svc.revNat
        // (pick reads no socket: the lookup above still holds)
        connectSocket(dp, f, backend, revNat)
      }
    }
  }
  ctx.prog(fromPod ? FROM_CONTAINER : TO_NETDEV, fromPod ? 'bpf_lxc egress' : 'host egress')
  if (f.proto !== 1 && !dp.cfg.socketLb && !backend) {
    // tc path: per-packet service lookup, the service CT entry keeps the backend of an established flow
    const probe = serviceFor(dp, f, true, ctx)
    if (probe) {
      const sct = serviceCt(dp, f, 'OUT', ctx)
      revNat = probe.revNat
      if (sct >= 0) backend = lookupBackend(maps, ctMapOf(maps, f.proto).get(sct, CT.BACKEND_ID), ctx)
      if (!backend) {
        const r = pick(dp, probe, f, ctx, enumerate, false, true)
        if ('verdict' in r) return r
        ;({ backend, candidates, all } = r)
        ctCreate(dp, f, ctx, true, revNat, backend.id, identity, nonSyn)
      }
      // lb4_local's last step, whatever the flow's CT state (`rememberAffinity`)
      if (probe.flags & SVC_FLAG_AFFINITY)
        rememberAffinity(maps, probe.revNat, f.saddr, backend.id, dp.now, ctx)
      svc = probe
    }
  }
  // Enumerate mode: policy for every candidate (probability before policy, as the reference's); the packet
  // itself then follows an allowed one, so the verdict says whether any backend is reachable.
  if (enumerate && all.length > 1) {
    const allowed: Array<{ backend: ProgrammedBackend; probability: number }> = []
    for (const c of all) {
      const hairpin = c.backend.addr === f.saddr
      if (
        localPolicy(maps, c.backend.addr, f.proto, c.backend.port, ctx, endpointId, identity, hairpin) ===
        null
      )
        allowed.push(c)
    }
    candidates = allowed.map((c) => candidateOf(c.backend, c.probability, c.backend.addr === f.saddr))
    if (allowed.length === 0) {
      const d = backend ? { ip: ipText(backend.addr), port: backend.port } : null
      return drop(ctx, DROP.POLICY, d, [])
    }
    if (backend && !allowed.some((c) => c.backend.id === backend?.id)) backend = allowed[0].backend
  }
  const t: Flow = backend ? flowTo(ctx.translated, f, backend.addr, backend.port) : f
  const dnat = backend ? dnatOf(ctx, backend) : null
  const hairpin = backend !== undefined && backend.addr === f.saddr
  // a connect() socket-LB just translated opens a connection: its CT lookup will almost surely miss
  const state = ctLookup(dp, t, ctx, (svc !== undefined || viaCell) && dp.cfg.socketLb)
  if (state === CT_REPLY) return reply(dp, t, ctx.ctSlot, ctx)
  if (state === CT_NEW) {
    if (fromPod) {
      const denied = egressPolicy(maps, t.daddr, t.proto, t.dport, ctx, endpointId)
      if (denied) return drop(ctx, denied, dnat, enumerate ? candidates : [])
    }
    // (egress policy reads no conntrack: a tuple ctLookup found absent still is)
    ctCreate(dp, t, ctx, false, revNat, backend?.id ?? 0, identity, nonSyn, ctx.ctAbsent)
  } else if (state === CT_ESTABLISHED) ctTouch(dp, ctx.ctSlot, t.proto, closing, nonSyn)
  return deliver(dp, t, ctx, identity, state === CT_NEW, dnat, candidates, hairpin, fromPod)
}

/** cil_sock4_connect's rewrite of `f`'s socket to `backend` (its lookup just missed the socket). */
function connectSocket(dp: DatapathState, f: Flow, backend: ProgrammedBackend, revNat: number): void {
  dp.sockets.connect(
    f.proto,
    f.saddr,
    f.sport,
    f.daddr,
    f.dport,
    backend.id,
    revNat,
    backend.addr,
    backend.port,
    true,
  )
}

/**
 * The peer of connected socket `sock`: the address and port socket-LB rewrote it to at connect(), which its
 * packets carry whatever the service became since. The backends map's record when it still holds that
 * backend at that address and port (its names for the trace), else the socket's own peer: a backend deleted
 * since. (Cilium's agent destroys the UDP sockets connected to a deleted backend, in the host's netns and,
 * with `bpf-lb-sock-terminate-pod-connections`, in pods'; TCP ones too only with the hidden
 * `lb-sock-terminate-all-protos`: not modeled, a UDP socket here keeps its peer.)
 */
function socketPeer(dp: DatapathState, sock: number, proto: number): ProgrammedBackend {
  const sockets = dp.sockets
  const id = sockets.backendId(sock)
  const addr = sockets.addr(sock)
  const port = sockets.port(sock)
  const b = dp.maps.backends.peek(id)
  return b !== undefined && b.addr === addr && b.port === port
    ? b
    : { id, addr, port, proto, state: 'active' }
}
