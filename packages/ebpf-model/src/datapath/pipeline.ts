import type {
  Candidate,
  Cidr,
  ClassifyOptions,
  CostProfile,
  Packet,
  Rng,
  Trace,
} from '@dataplane-sim/cluster'
import { cidrContains, ipToU32, u32ToIp } from '@dataplane-sim/cluster'
import { HOST_ID, WORLD_ID } from '../agent/identity'
import { EGRESS, INGRESS } from '../agent/policy'
import { SVC_FLAG_CLUSTERIP, SVC_FLAG_SOURCE_RANGE } from '../agent/services'
import type { ProgrammedBackend } from '../agent/sink'
import { ctLifetime, IPPROTO_TCP } from './conntrack'
import { costOf } from './costOf'
import { candidateOf, enumerateBackends, lookupBackend, lookupService, selectBackend } from './lb'
import { type CtValue, ctKey, type NodeMaps, type ServiceMaster, serviceKey } from './maps'
import { checkPolicy } from './policyCheck'
import { DROP, type DropReason } from './reasons'
import { Ctx, protoName } from './trace'

/**
 * One node's datapath: the programs a packet runs through, in order, and the maps they read — mirroring
 * `bpf/bpf_sock.c` (socket-LB at connect()), `bpf/bpf_lxc.c` (from-container: CT, egress policy, local
 * delivery with the destination's ingress policy), `bpf/bpf_host.c` + `bpf/lib/nodeport.h` (NodePort /
 * LoadBalancer / externalIP from outside, SNAT for externalTrafficPolicy Cluster, source ranges),
 * `bpf/lib/conntrack.h` and `bpf/lib/policy.h`.
 */
export interface DatapathConfig {
  nodeName: string
  nodeIp: number
  /** socket-LB (bpf-lb-sock; on under kube-proxy replacement): services translated at connect() */
  socketLb: boolean
  algorithm: 'random' | 'maglev'
  /** installNoConntrackIptablesRules: pod traffic is NOTRACK in the raw table */
  noTrack: boolean
  /** ipv4-native-routing-cidr: no masquerade toward it */
  nativeRoutingCidr: Cidr
  /** bpf-lb-external-clusterip */
  externalClusterIp: boolean
  profile: CostProfile
}

/** Kernel (netfilter) conntrack bookkeeping, to show what NOTRACK saves. */
export interface KernelConntrackStats {
  /** packets that went through nf_conntrack_in */
  lookups: number
  /** nf_conntrack entries created (flows not NOTRACKed) */
  entries: number
  /** flows that would have created an entry without NOTRACK */
  saved: number
}

/** IPV4_LOOPBACK: the source Cilium gives a pod reaching itself through a service. */
export const IPV4_LOOPBACK = ipToU32('169.254.42.1')

const PROTO: Record<Packet['protocol'], number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1 }

interface Flow {
  proto: number
  saddr: number
  sport: number
  daddr: number
  dport: number
}

function flowTo(f: Flow, daddr: number, dport: number): Flow {
  return { proto: f.proto, saddr: f.saddr, sport: f.sport, daddr, dport }
}

/** A trace record built as one literal (object spread is slow on the per-packet path). */
function result(
  verdict: Trace['verdict'],
  dnat: Trace['dnat'],
  candidates: Candidate[],
  masquerade: boolean,
  outInterface?: string,
  snat?: string,
): Trace {
  const t: Trace = { verdict, dnat, candidates, masquerade, steps: [], cost: { counts: {}, ns: 0 } }
  if (outInterface !== undefined) t.outInterface = outInterface
  if (snat !== undefined) t.snat = snat
  return t
}

export class Datapath {
  /** node clock, seconds (CT lifetimes, affinity) */
  now = 0
  readonly kernelCt: KernelConntrackStats = { lookups: 0, entries: 0, saved: 0 }
  /** connected sockets: socket-LB rewrote their peer at connect(); later packets need no service lookup */
  private readonly sockets = new Map<string, { backendId: number; revNat: number }>()

  constructor(
    private readonly maps: NodeMaps,
    readonly cfg: DatapathConfig,
    private readonly rng: Rng,
  ) {}

  classify(packet: Packet, opts: ClassifyOptions = {}): Trace {
    const ctx = new Ctx(opts.steps !== false)
    const f: Flow = {
      proto: PROTO[packet.protocol],
      saddr: ipToU32(packet.src),
      sport: packet.sport,
      daddr: ipToU32(packet.dst),
      dport: packet.dport,
    }
    const closing = packet.tcpFlags?.some((x) => x === 'FIN' || x === 'RST') ?? false
    const nonSyn = packet.tcpFlags !== undefined && !packet.tcpFlags.includes('SYN')
    const out = this.route(f, ctx, opts.enumerate === true, closing, nonSyn)
    this.kernelConntrack(f, ctx)
    out.cost = { counts: ctx.counts, ns: costOf(ctx.counts, this.cfg.profile) }
    out.steps = ctx.steps ?? []
    return out
  }

  private route(f: Flow, ctx: Ctx, enumerate: boolean, closing: boolean, nonSyn: boolean): Trace {
    // The program that sees the packet first is fixed by where it enters: a pod's veth (cil_from_container),
    // the host's own sockets, or the node's network device (cil_from_netdev). Not a map lookup.
    const srcEp = this.maps.lxc.peek(f.saddr)
    if (srcEp) return this.fromLocal(f, ctx, enumerate, srcEp.endpointId, srcEp.identity, closing, nonSyn)
    if (f.saddr === this.cfg.nodeIp) return this.fromLocal(f, ctx, enumerate, 0, HOST_ID, closing, nonSyn)
    return this.fromNetwork(f, ctx, enumerate, closing, nonSyn)
  }

  // ---- from a local pod or the host --------------------------------------------------------------------

  private fromLocal(
    f: Flow,
    ctx: Ctx,
    enumerate: boolean,
    endpointId: number,
    identity: number,
    closing: boolean,
    nonSyn: boolean,
  ): Trace {
    const fromPod = endpointId !== 0
    let svc: ServiceMaster | undefined
    let backend: ProgrammedBackend | undefined
    let revNat = 0
    let candidates: Candidate[] = []
    let all: Array<{ backend: ProgrammedBackend; probability: number }> = []
    if (f.proto !== 1 && this.cfg.socketLb) {
      ctx.prog(
        'cil_sock4_connect',
        fromPod ? 'socket-LB at connect()' : 'socket-LB at connect() (host socket)',
      )
      const sockKey = `${f.proto}|${f.saddr}|${f.sport}|${f.daddr}|${f.dport}`
      const sock = this.sockets.get(sockKey)
      if (sock) {
        if (ctx.steps)
          ctx.step(
            'socket',
            `${u32ToIp(f.saddr)}:${f.sport} connected`,
            'info',
            'destination already rewritten at connect(): no service lookup',
          )
        backend = this.maps.backends.peek(sock.backendId)
        revNat = sock.revNat
      } else {
        svc = this.serviceFor(f, true, ctx)
        if (svc) {
          const r = this.pick(svc, f, ctx, enumerate)
          if ('verdict' in r) return r
          ;({ backend, candidates, all } = r)
          revNat = svc.revNat
          this.sockets.set(sockKey, { backendId: backend.id, revNat })
        }
      }
    }
    ctx.prog(fromPod ? 'cil_from_container' : 'cil_to_netdev', fromPod ? 'bpf_lxc egress' : 'host egress')
    if (f.proto !== 1 && !this.cfg.socketLb && !backend) {
      // tc path: per-packet service lookup, the service CT entry keeps the backend of an established flow
      const probe = this.serviceFor(f, true, ctx)
      if (probe) {
        const sct = this.serviceCt(f, 'OUT', ctx)
        revNat = probe.revNat
        if (sct) backend = lookupBackend(this.maps, sct.backendId, ctx)
        if (!backend) {
          const r = this.pick(probe, f, ctx, enumerate)
          if ('verdict' in r) return r
          ;({ backend, candidates, all } = r)
          this.ctCreate(f, ctx, true, { revNat, backendId: backend.id, srcIdentity: identity }, nonSyn)
        }
        svc = probe
      }
    }
    // Enumerate mode: policy for every candidate (probability before policy, as the reference's); the packet
    // itself then follows an allowed one, so the verdict says whether any backend is reachable.
    if (enumerate && all.length > 1) {
      const allowed: Array<{ backend: ProgrammedBackend; probability: number }> = []
      for (const c of all) {
        const ct = flowTo(f, c.backend.addr, c.backend.port)
        if (this.localPolicy(ct, ctx, endpointId, identity, c.backend.addr === f.saddr) === null)
          allowed.push(c)
      }
      candidates = allowed.map((c) => candidateOf(c.backend, c.probability, c.backend.addr === f.saddr))
      if (allowed.length === 0) {
        const d = backend ? { ip: u32ToIp(backend.addr), port: backend.port } : null
        return this.drop(ctx, DROP.POLICY, d, [])
      }
      if (backend && !allowed.some((c) => c.backend.id === backend?.id)) backend = allowed[0].backend
    }
    const t: Flow = backend ? flowTo(f, backend.addr, backend.port) : f
    const dnat = backend ? { ip: u32ToIp(backend.addr), port: backend.port } : null
    const hairpin = backend !== undefined && backend.addr === f.saddr
    const ctState = this.ctLookup(t, ctx)
    if (ctState.state === 'reply') return this.reply(t, ctState.entry, ctx)
    if (ctState.state === 'new') {
      if (fromPod) {
        const denied = this.egressPolicy(t, ctx, endpointId)
        if (denied) return this.drop(ctx, denied, dnat, enumerate ? candidates : [])
      }
      this.ctCreate(t, ctx, false, { revNat, backendId: backend?.id ?? 0, srcIdentity: identity }, nonSyn)
    } else this.ctTouch(ctState.entry, t.proto, closing, nonSyn)
    return this.deliver(t, ctx, identity, ctState.state === 'new', { dnat, candidates, hairpin, fromPod })
  }

  // ---- from the network (bpf_host) ---------------------------------------------------------------------

  private fromNetwork(f: Flow, ctx: Ctx, enumerate: boolean, closing: boolean, nonSyn: boolean): Trace {
    ctx.prog('cil_from_netdev', 'bpf_host ingress (nodeport_lb4)')
    if (f.proto !== 1) {
      const svc = this.serviceFor(f, false, ctx)
      if (svc) {
        if (svc.flags & SVC_FLAG_CLUSTERIP && !this.cfg.externalClusterIp)
          return this.drop(ctx, DROP.IS_CLUSTER_IP, null, [])
        const sct = this.serviceCt(f, 'IN', ctx)
        let backend = sct ? lookupBackend(this.maps, sct.backendId, ctx) : undefined
        let candidates: Candidate[] = []
        let srcId = -1
        if (!backend) {
          const r = this.pick(svc, f, ctx, enumerate, true)
          if ('verdict' in r) return r
          backend = r.backend
          candidates = r.candidates
          if (enumerate && r.all.length > 1) {
            // local backends apply their ingress policy to the client (not SNATed): keep the reachable ones
            srcId = this.srcIdentity(f.saddr, ctx)
            const ok = r.all.filter((c) => {
              const dst = this.maps.lxc.peek(c.backend.addr)
              return (
                !dst ||
                checkPolicy(this.maps, dst.endpointId, srcId, INGRESS, f.proto, c.backend.port, ctx) === null
              )
            })
            candidates = ok.map((c) =>
              candidateOf(c.backend, c.probability, !this.maps.lxc.peek(c.backend.addr)),
            )
            if (ok.length === 0)
              return this.drop(ctx, DROP.POLICY, { ip: u32ToIp(backend.addr), port: backend.port }, [])
            if (!ok.some((c) => c.backend.id === backend?.id)) backend = ok[0].backend
          }
          this.ctCreate(
            f,
            ctx,
            true,
            { revNat: svc.revNat, backendId: backend.id, srcIdentity: WORLD_ID },
            nonSyn,
          )
        } else this.ctTouch(sct as CtValue, f.proto, closing, nonSyn)
        const dnat = { ip: u32ToIp(backend.addr), port: backend.port }
        const t = flowTo(f, backend.addr, backend.port)
        const local = this.maps.lxc.peek(backend.addr)
        if (!local) {
          // externalTrafficPolicy=Cluster to a remote backend: SNAT to the node address (nodeport.h
          // snat_v4_nat), so the reply comes back through this node for reverse translation.
          const nat = this.snat(t, ctx)
          if (nat) return this.drop(ctx, nat, dnat, candidates)
          return {
            verdict: 'forward',
            dnat,
            candidates,
            masquerade: true,
            snat: u32ToIp(this.cfg.nodeIp),
            outInterface: 'eth0',
            steps: [],
            cost: { counts: {}, ns: 0 },
          }
        }
        return this.deliver(t, ctx, srcId >= 0 ? srcId : this.srcIdentity(f.saddr, ctx), true, {
          dnat,
          candidates,
          hairpin: false,
          fromPod: false,
        })
      }
    }
    const ctState = this.ctLookup(f, ctx)
    if (ctState.state === 'reply') return this.reply(f, ctState.entry, ctx)
    if (ctState.state === 'established') this.ctTouch(ctState.entry, f.proto, closing, nonSyn)
    return this.deliver(f, ctx, this.srcIdentity(f.saddr, ctx), ctState.state === 'new', {
      dnat: null,
      candidates: [],
      hairpin: false,
      fromPod: false,
    })
  }

  // ---- pieces --------------------------------------------------------------------------------------------

  /** Service lookup; socket-LB also tries the NodePort wildcard frontend for any node address (sock4_wildcard_lookup). */
  private serviceFor(f: Flow, internal: boolean, ctx: Ctx): ServiceMaster | undefined {
    const m = lookupService(this.maps, f.daddr, f.dport, f.proto, internal, ctx)
    if (m) return m
    if (this.maps.unprogrammed.has(serviceKey(f.daddr, f.dport, f.proto, 0))) return this.unprogrammed(f, ctx)
    if (!internal) return undefined
    const info = this.maps.ipcache.lookup(f.daddr, ctx.counts)
    const isNode =
      info !== undefined && (info.identity === HOST_ID || info.identity === 6) && info.source === 'node'
    if (ctx.steps)
      ctx.step(
        'cilium_ipcache',
        `${u32ToIp(f.daddr)}/32`,
        info ? 'hit' : 'miss',
        info
          ? `identity=${info.identity}${isNode ? ' (node address: NodePort wildcard lookup)' : ''}`
          : undefined,
      )
    if (!isNode) return undefined
    return lookupService(this.maps, 0, f.dport, f.proto, internal, ctx)
  }

  private unprogrammed(f: Flow, ctx: Ctx): undefined {
    if (ctx.steps)
      ctx.step(
        'cilium_lb4_services_v2',
        `${u32ToIp(f.daddr)}:${f.dport}/${protoName(f.proto)}`,
        'info',
        'frontend not programmed: cilium_lb4_services_v2 was full',
      )
    return undefined
  }

  private pick(
    svc: ServiceMaster,
    f: Flow,
    ctx: Ctx,
    enumerate: boolean,
    external = false,
  ):
    | Trace
    | {
        backend: ProgrammedBackend
        candidates: Candidate[]
        all: Array<{ backend: ProgrammedBackend; probability: number }>
      } {
    if (svc.flags & SVC_FLAG_SOURCE_RANGE) {
      const hit = this.maps.sourceRange.lookup([svc.revNat, f.saddr], ctx.counts)
      if (ctx.steps)
        ctx.step(
          'cilium_lb4_source_range',
          `rev_nat=${svc.revNat} ${u32ToIp(f.saddr)}/32`,
          hit ? 'hit' : 'miss',
        )
      if (!hit) return this.drop(ctx, DROP.NOT_IN_SRC_RANGE, null, [])
    }
    if (svc.count === 0) {
      // service-no-backend-response=reject answers ICMP unreachable when the service has no backend at all;
      // a Local traffic policy that left this node without one drops.
      const t = this.drop(ctx, DROP.NO_SERVICE, null, [])
      if (!svc.filteredOut) t.verdict = 'reject'
      return t
    }
    const sel = selectBackend(this.maps, svc, this.cfg.algorithm, this.rng, f, this.now, ctx)
    const backend = sel ? lookupBackend(this.maps, sel.backendId, ctx) : undefined
    if (!backend) return this.drop(ctx, DROP.NO_SERVICE, null, [])
    // SNAT toward remote backends for external traffic (nodeport.h); from inside only a hairpin is NATed
    const all = enumerate ? enumerateBackends(this.maps, svc, this.cfg.algorithm) : []
    const p = enumerate
      ? (all.find((c) => c.backend.id === backend.id)?.probability ?? 0)
      : this.cfg.algorithm === 'random'
        ? 1 / svc.count
        : (enumerateBackends(this.maps, svc, 'maglev').find((c) => c.backend.id === backend.id)
            ?.probability ?? 0)
    const candidates = enumerate
      ? all.map((c) => candidateOf(c.backend, c.probability, this.masqueraded(c.backend, f, external)))
      : [candidateOf(backend, p, this.masqueraded(backend, f, external))]
    return { backend, candidates, all }
  }

  private masqueraded(b: ProgrammedBackend, f: Flow, external: boolean): boolean {
    return external ? !this.maps.lxc.peek(b.addr) : b.addr === f.saddr
  }

  /** Source identity from the ipcache (a miss is the world). */
  private srcIdentity(addr: number, ctx: Ctx): number {
    const info = this.maps.ipcache.lookup(addr, ctx.counts)
    if (ctx.steps)
      ctx.step(
        'cilium_ipcache',
        `${u32ToIp(addr)}/32`,
        info ? 'hit' : 'miss',
        info ? `identity=${info.identity} tunnelendpoint=0.0.0.0` : 'identity=2 (world)',
      )
    return info ? info.identity : WORLD_ID
  }

  private egressPolicy(t: Flow, ctx: Ctx, endpointId: number): DropReason | null {
    const dstId = this.srcIdentity(t.daddr, ctx)
    return checkPolicy(this.maps, endpointId, dstId, EGRESS, t.proto, t.dport, ctx)
  }

  /** Egress of the source and ingress of a local destination, for one candidate (enumerate mode). */
  private localPolicy(
    t: Flow,
    ctx: Ctx,
    endpointId: number,
    identity: number,
    hairpin: boolean,
  ): DropReason | null {
    if (endpointId !== 0) {
      const denied = this.egressPolicy(t, ctx, endpointId)
      if (denied) return denied
    }
    const dst = this.maps.lxc.peek(t.daddr)
    if (!dst || hairpin) return null
    return checkPolicy(this.maps, dst.endpointId, identity, INGRESS, t.proto, t.dport, ctx)
  }

  /** Local delivery (ingress policy of the destination endpoint) or forwarding out of the node. */
  private deliver(
    t: Flow,
    ctx: Ctx,
    srcIdentity: number,
    isNew: boolean,
    o: { dnat: Trace['dnat']; candidates: Candidate[]; hairpin: boolean; fromPod: boolean },
  ): Trace {
    const dst = this.maps.lxc.lookup(t.daddr, ctx.counts)
    if (ctx.steps)
      ctx.step(
        'cilium_lxc',
        u32ToIp(t.daddr),
        dst ? 'hit' : 'miss',
        dst ? `id=${dst.endpointId} sec_id=${dst.identity} ifindex=${dst.ifindex} ${dst.pod}` : undefined,
      )
    if (dst) {
      if (o.hairpin) {
        // a pod reaching itself through a service: SNAT to IPV4_LOOPBACK, ingress policy skipped (bpf_lxc loopback)
        if (ctx.steps)
          ctx.step(
            'bpf_lxc',
            'hairpin',
            'info',
            `source NAT to ${u32ToIp(IPV4_LOOPBACK)}, ingress policy skipped`,
          )
        return result('forward', o.dnat, o.candidates, true, `lxc${dst.endpointId}`, u32ToIp(IPV4_LOOPBACK))
      }
      ctx.prog('cil_lxc_policy', `ingress policy of endpoint ${dst.endpointId} (tail call)`)
      if (isNew) {
        const denied = checkPolicy(this.maps, dst.endpointId, srcIdentity, INGRESS, t.proto, t.dport, ctx)
        if (denied) return this.drop(ctx, denied, o.dnat, [])
      }
      return result('forward', o.dnat, o.candidates, false, `lxc${dst.endpointId}`)
    }
    // the node itself: 'local', unless a service sent it there (a host-network backend), which is a forward
    if (t.daddr === this.cfg.nodeIp)
      return result(o.dnat ? 'forward' : 'local', o.dnat, o.candidates, false, 'host')
    // Leaving the node: native routing toward pod CIDRs and nodes; BPF masquerade toward everything else.
    const info = this.maps.ipcache.peek(32, t.daddr)
    const inCluster = cidrContains(this.cfg.nativeRoutingCidr, t.daddr) || info?.source === 'node'
    if (o.fromPod && !inCluster) {
      const nat = this.snat(t, ctx)
      if (nat) return this.drop(ctx, nat, o.dnat, [])
      return result('forward', o.dnat, o.candidates, true, 'eth0', u32ToIp(this.cfg.nodeIp))
    }
    return result('forward', o.dnat, o.candidates, false, 'eth0')
  }

  private reply(t: Flow, e: CtValue, ctx: Ctx): Trace {
    let snat: string | undefined
    if (e.revNat) {
      if (this.cfg.socketLb)
        if (ctx.steps)
          ctx.step(
            'cilium_lb4_reverse_sk',
            `rev_nat=${e.revNat}`,
            'info',
            'reverse NAT at recvmsg() (socket-LB)',
          )
      const rn = this.maps.revNat.lookup(e.revNat, ctx.counts)
      if (ctx.steps)
        ctx.step(
          'cilium_lb4_reverse_nat',
          `rev_nat=${e.revNat}`,
          rn ? 'hit' : 'miss',
          rn ? `${u32ToIp(rn.addr)}:${rn.port}` : undefined,
        )
      if (rn) snat = `${u32ToIp(rn.addr)}:${rn.port}`
    }
    const dst = this.maps.lxc.lookup(t.daddr, ctx.counts)
    if (ctx.steps)
      ctx.step(
        'cilium_lxc',
        u32ToIp(t.daddr),
        dst ? 'hit' : 'miss',
        dst ? `id=${dst.endpointId} (reply: no policy)` : undefined,
      )
    const out: Trace = {
      verdict: t.daddr === this.cfg.nodeIp ? 'local' : 'forward',
      dnat: null,
      candidates: [],
      masquerade: false,
      steps: [],
      cost: { counts: {}, ns: 0 },
    }
    if (snat) out.snat = snat
    return out
  }

  private ctMap(proto: number) {
    return proto === IPPROTO_TCP ? this.maps.ct : this.maps.ctAny
  }

  private ctName(proto: number): string {
    return proto === IPPROTO_TCP ? 'cilium_ct4_global' : 'cilium_ct_any4_global'
  }

  /** The service CT entry (tuple flagged as service) that pins an established flow's backend, both directions. */
  private serviceCt(f: Flow, dir: 'OUT' | 'IN', ctx: Ctx) {
    const sct = this.ctMap(f.proto).lookup(
      ctKey(f.proto, f.saddr, f.sport, f.daddr, f.dport, true),
      ctx.counts,
    )
    if (ctx.steps)
      ctx.step(
        this.ctName(f.proto),
        `${protoName(f.proto)} ${dir} ${u32ToIp(f.saddr)}:${f.sport} -> ${u32ToIp(f.daddr)}:${f.dport} service`,
        sct ? 'hit' : 'miss',
        sct ? `backend_id=${sct.backendId}${dir === 'OUT' ? ` rev_nat=${sct.revNat}` : ''}` : undefined,
      )
    return sct
  }

  /** ct_lookup4: the tuple as sent, then reversed (a reply); expired entries count as absent. */
  private ctLookup(t: Flow, ctx: Ctx): { state: 'new' } | { state: 'established' | 'reply'; entry: CtValue } {
    const map = this.ctMap(t.proto)
    const fwd = map.lookup(ctKey(t.proto, t.saddr, t.sport, t.daddr, t.dport, false), ctx.counts)
    const text = ctx.steps
      ? `${protoName(t.proto)} OUT ${u32ToIp(t.saddr)}:${t.sport} -> ${u32ToIp(t.daddr)}:${t.dport}`
      : ''
    if (fwd && fwd.expires > this.now) {
      if (ctx.steps)
        ctx.step(
          this.ctName(t.proto),
          text,
          'hit',
          `established expires=${fwd.expires} rev_nat=${fwd.revNat}`,
        )
      return { state: 'established', entry: fwd }
    }
    const rev = map.lookup(ctKey(t.proto, t.daddr, t.dport, t.saddr, t.sport, false), ctx.counts)
    if (rev && rev.expires > this.now) {
      if (ctx.steps)
        ctx.step(
          this.ctName(t.proto),
          text,
          'hit',
          `reply of ${u32ToIp(rev.tuple.saddr)}:${rev.tuple.sport} -> ${u32ToIp(rev.tuple.daddr)}:${rev.tuple.dport}`,
        )
      return { state: 'reply', entry: rev }
    }
    if (ctx.steps) ctx.step(this.ctName(t.proto), text, 'miss', 'new')
    return { state: 'new' }
  }

  private ctCreate(
    t: Flow,
    ctx: Ctx,
    service: boolean,
    v: { revNat: number; backendId: number; srcIdentity: number },
    nonSyn: boolean,
  ): void {
    ctx.newFlow = true
    const e: CtValue = {
      created: this.now,
      expires: 0,
      seenNonSyn: nonSyn,
      closing: false,
      service,
      revNat: v.revNat,
      backendId: v.backendId,
      srcIdentity: v.srcIdentity,
      packets: 1,
      tuple: { proto: t.proto, saddr: t.saddr, sport: t.sport, daddr: t.daddr, dport: t.dport },
    }
    e.expires = this.now + ctLifetime(t.proto, e)
    this.ctMap(t.proto).update(
      ctKey(t.proto, t.saddr, t.sport, t.daddr, t.dport, service),
      e,
      0,
      ctx.counts,
      'prog',
    )
  }

  private ctTouch(e: CtValue, proto: number, closing: boolean, nonSyn: boolean): void {
    e.packets++
    if (nonSyn) e.seenNonSyn = true
    if (closing) e.closing = true
    e.expires = this.now + ctLifetime(proto, e)
  }

  /** snat_v4_nat: allocate a port for the node address; 32 collisions in a row is DROP_NAT_NO_MAPPING. */
  private snat(t: Flow, ctx: Ctx): DropReason | null {
    const key = `${t.proto}|${t.saddr}|${t.sport}|${t.daddr}|${t.dport}`
    const have = this.maps.snat.lookup(key, ctx.counts)
    if (ctx.steps)
      ctx.step(
        'cilium_snat_v4_external',
        `${protoName(t.proto)} OUT ${u32ToIp(t.saddr)}:${t.sport} -> ${u32ToIp(t.daddr)}:${t.dport}`,
        have ? 'hit' : 'miss',
        have ? `to ${u32ToIp(have.toAddr)}:${have.toPort}` : undefined,
      )
    if (have) return null
    for (let attempt = 0; attempt < 32; attempt++) {
      const port = 32768 + this.rng.int(65535 - 32768)
      const rkey = `${t.proto}|${t.daddr}|${t.dport}|${this.cfg.nodeIp}|${port}|r`
      if (this.maps.snat.lookup(rkey, ctx.counts)) continue
      this.maps.snat.update(
        key,
        { toAddr: this.cfg.nodeIp, toPort: port, created: this.now },
        0,
        ctx.counts,
        'prog',
      )
      this.maps.snat.update(
        rkey,
        { toAddr: t.saddr, toPort: t.sport, created: this.now },
        0,
        ctx.counts,
        'prog',
      )
      if (ctx.steps)
        ctx.step(
          'cilium_snat_v4_external',
          `${protoName(t.proto)} IN ${u32ToIp(t.daddr)}:${t.dport} -> ${u32ToIp(this.cfg.nodeIp)}:${port}`,
          'info',
          'created (reverse entry)',
        )
      return null
    }
    return DROP.NAT_NO_MAPPING
  }

  private drop(ctx: Ctx, reason: DropReason, dnat: Trace['dnat'], candidates: Candidate[]): Trace {
    if (ctx.steps) ctx.step('drop', `${reason.code}`, 'verdict', reason.text)
    return {
      verdict: 'drop',
      dnat,
      candidates,
      masquerade: false,
      reason: reason.text,
      steps: [],
      cost: { counts: {}, ns: 0 },
    }
  }

  /** Pod traffic pays netfilter conntrack unless NOTRACKed (raw table rules for the native-routing CIDR). */
  private kernelConntrack(f: Flow, ctx: Ctx): void {
    const pod =
      cidrContains(this.cfg.nativeRoutingCidr, f.saddr) || cidrContains(this.cfg.nativeRoutingCidr, f.daddr)
    if (pod && this.cfg.noTrack) {
      if (ctx.newFlow) this.kernelCt.saved++
      if (ctx.steps)
        ctx.step('raw', 'CILIUM_PRE_raw -j CT --notrack', 'info', 'pod traffic: netfilter conntrack skipped')
      return
    }
    this.kernelCt.lookups++
    ctx.counts['ct.kernel.lookup'] = (ctx.counts['ct.kernel.lookup'] ?? 0) + 1
    if (ctx.newFlow) {
      this.kernelCt.entries++
      ctx.counts['ct.kernel.create'] = (ctx.counts['ct.kernel.create'] ?? 0) + 1
    }
  }
}
