import type { Trace } from '@dataplane-sim/cluster'
import { cidrContains } from '@dataplane-sim/cluster'
import { SCOPE_EXT, SVC_FLAG_AFFINITY, SVC_FLAG_SOURCE_RANGE, SVC_FLAG_TWO_SCOPES } from '../agent/services'
import { MutedPath } from '../maps/opCounts'
import { NO_CELL } from './batch'
import { ctTouch } from './ctOps'
import { CT, type CtTable } from './ctTable'
import { deliver, LXC_POLICY, reply } from './deliver'
import { FROM_CONTAINER, SOCK_CONNECT } from './fromLocal'
import { affinitySlot, rememberAffinity } from './lb'
import { serviceKey } from './maps'
import { egressPolicy } from './policyCheck'
import { DROP } from './reasons'
import { noBackendOf, randomSlotBackend, slotBackend } from './service'
import { type DatapathState, drop, type Flow, flowTo, LEAN_DNAT, NO_CANDIDATES } from './state'
import type { Ctx } from './trace'

/**
 * The lean fast path of the commonest first packet (`Datapath.classifyTuples` without traces): a new connection
 * from a local pod to a service on a socket-LB node with random backend selection, the path the 1M first
 * packets target is about. It makes exactly the lookups, writes, counts and RNG draw `fromLocal` makes for that
 * packet, in the same order, through the same map methods, mirroring the same upstream code
 * (`bpf/bpf_sock.c` cil_sock4_connect: the master, session affinity or a random slot, the backend, the socket
 * connected; `bpf/bpf_lxc.c` cil_from_container: ct_lookup4 of the tuple and its reverse, the destination's
 * identity, egress policy, ct_create4; local delivery through the destination's ingress policy, or forwarding
 * toward the native-routing CIDR), but in one function, and with the packet's counts muted
 * (`OpCounts.mute`): its adds are the prefixes of fixed sequences (`PodPathSeqs`), so each is an increment, and
 * the modeled ns of a prefix is summed once. The pieces are `fromLocal`'s own (`randomSlotBackend`, `affinityBackend`, `newBackend`,
 * `leanPicked`, `egressPolicy`, `deliver`, …); what is left out is its generality. Any other turn either comes
 * before anything is counted or changed and is left to `fromLocal` (null: a connected socket, a master whose
 * fields are not in its index cell or whose slots are not one run, source ranges, two scopes, an endpoint
 * without a policy map), or ends the path early (a drop adds no count), or settles the counts before pieces
 * whose counts leave the sequence (an established or reply CT entry, a destination outside the cluster, an
 * affinity entry found stale and deleted: `forgetAffinity`): the
 * same result either way. The batch tests compare it
 * with `classifyTuple` packet by packet, with every muted add checked against its sequence. `cell`: the
 * master's cell as the batch's prefetch found it (`BatchPrefetch.cellOf`: what `peekMaster` answers), not
 * looked up again; `NO_CELL`: looked up here. Simulator speed
 * only: the kernel runs these programs whatever the packet.
 */
export function leanPodConnect(
  dp: DatapathState,
  f: Flow,
  ctx: Ctx,
  seqs: PodPathSeqs,
  endpointId: number,
  identity: number,
  closing: boolean,
  nonSyn: boolean,
  cell = NO_CELL,
): Trace | null {
  const proto = f.proto
  const saddr = f.saddr
  const sport = f.sport
  const maps = dp.maps
  const services = maps.services
  // cil_sock4_connect: a connected socket, a master whose fields are not all in its index cell or whose
  // slots are not one run, a service with source ranges or two scopes: the general path (nothing counted or
  // changed yet)
  if (dp.sockets.findSocket(proto, saddr, sport, f.daddr, f.dport) >= 0) return null
  const c = cell !== NO_CELL ? cell : services.peekMaster(serviceKey(f.daddr, f.dport, proto, SCOPE_EXT))
  if (c < 0 || !services.masterPlain(c)) return null
  const flags = services.masterFlags(c)
  if (flags & (SVC_FLAG_TWO_SCOPES | SVC_FLAG_SOURCE_RANGE)) return null
  const count = services.masterCount(c)
  const base = services.masterSlotBase(c)
  if (count < 0 || (count > 0 && base <= 0)) return null
  const trie = maps.policy.byId(endpointId)
  if (trie === undefined) return null
  const ct = proto === 6 ? maps.ct : maps.ctAny
  const affinity = (flags & SVC_FLAG_AFFINITY) !== 0
  const ops = ctx.ops
  ops.mute(seqs.of(dp, ct, trie.costIds.lookup, affinity ? AFFINITY_NEW : RANDOM))
  ops.add(SOCK_CONNECT)
  services.countMasterHit(ops)
  if (count === 0) return noBackendOf(ctx, services.masterFilteredOut(c))
  const revNat = services.masterRevNat(c)
  let id: number
  // session affinity first (as `pick`): the client's fresh entry and its backend's lookup, from the slot that
  // holds it; else lb4_select_backend_id_random: slot 1..count, then its backend, from the slot's record, and
  // for an affinity service the choice remembered. All from the master's cell and the slots' records: no
  // master record read
  const kept = affinity
    ? affinitySlot(maps, revNat, services.masterAffinityTimeout(c), base, count, saddr, dp.now, ctx)
    : 0
  if (kept > 0) {
    ops.follow(seqs.of(dp, ct, trie.costIds.lookup, AFFINITY_KEPT))
    id = slotBackend(dp, kept, ctx, false)
  } else {
    id = randomSlotBackend(dp, c, count, base, ctx)
    if (id >= 0 && affinity) rememberAffinity(maps, revNat, saddr, id, dp.now, ctx)
  }
  if (id < 0) return drop(ctx, DROP.NO_SERVICE, null, [])
  const backends = maps.backends
  const addr = backends.foundAddr
  const port = backends.foundPort
  dp.sockets.connect(proto, saddr, sport, f.daddr, f.dport, id, revNat, addr, port, true)
  ops.add(FROM_CONTAINER)
  const t = flowTo(ctx.translated, f, addr, port)
  const hairpin = addr === saddr
  // ct_lookup4 of the translated tuple, then its reverse (`ctLookup` with likelyNew)
  const fwd = ct.findWithReverse(proto, saddr, sport, addr, port, false, ops)
  const now = dp.now
  if (fwd >= 0 && ct.get(fwd, CT.EXPIRES) > now) {
    // (an established flow skips the reverse lookup the sequence has next: settled)
    ops.settle()
    ctx.ctSlot = fwd
    ctTouch(dp, fwd, proto, closing, nonSyn)
    return deliver(dp, t, ctx, identity, false, LEAN_DNAT, NO_CANDIDATES, hairpin, true)
  }
  const rev = ct.findReverse(ops)
  if (rev >= 0 && ct.get(rev, CT.EXPIRES) > now) {
    ops.settle()
    ctx.ctSlot = rev
    return reply(dp, t, rev, ctx)
  }
  // new: egress policy toward the backend's identity (the slot's ipcache copy when it has one), then ct_create4
  const denied = egressPolicy(maps, addr, proto, port, ctx, endpointId)
  if (denied) return drop(ctx, denied, LEAN_DNAT, [])
  ctx.newFlow = true
  ct.create(proto, saddr, sport, addr, port, false, now, revNat, id, identity, nonSyn, ops, fwd < 0)
  // delivery: a local endpoint through its ingress policy, a pod or the node elsewhere in the cluster by native
  // routing (their counts in the sequence); an address outside the native-routing CIDR, unless a local endpoint,
  // is a destination outside the cluster that may be BPF-masqueraded, whose NAT lookups are not in it: the
  // counts are settled first (for a local endpoint there too, which settling always allows)
  if (addr !== dp.cfg.nodeIp && !cidrContains(dp.cfg.nativeRoutingCidr, addr)) ops.settle()
  return deliver(dp, t, ctx, identity, true, LEAN_DNAT, NO_CANDIDATES, hairpin, true)
}

/** `PodPathSeqs` kinds: a random slot; a new affinity entry; the backend an affinity entry kept. */
const RANDOM = 0
const AFFINITY_NEW = 1
const AFFINITY_KEPT = 2

/**
 * The fixed sequences of a lean pod connect's counts (`leanPodConnect`), per conntrack map and way the backend
 * is chosen: cil_sock4_connect, services (master), then a random slot: services (slot), backends; or an
 * affinity service: cilium_lb4_affinity, and either services (slot), backends, the affinity write (a new
 * entry) or backends alone (the entry's backend kept); then cil_from_container, CT (tuple), CT (reverse),
 * ipcache, policy (identity), policy (L4 only), CT create, cilium_lxc, cil_lxc_policy, policy (identity),
 * policy (L4 only). Every way the path can end is a prefix of one.
 */
export class PodPathSeqs {
  /** by kind · 2 + (TCP ? 0 : 1) */
  private made: Array<MutedPath | undefined> = []
  private policyId = -1

  of(dp: DatapathState, ct: CtTable, policyId: number, kind: number): MutedPath {
    if (policyId !== this.policyId) {
      this.policyId = policyId
      this.made = []
    }
    const i = kind * 2 + (ct === dp.maps.ct ? 0 : 1)
    const have = this.made[i]
    if (have !== undefined) return have
    const m = dp.maps
    const svc = m.services.costIds.lookup
    const backend = m.backends.costIds.lookup
    const aff = m.affinity.costIds
    const pick =
      kind === RANDOM
        ? [svc, backend]
        : kind === AFFINITY_NEW
          ? [aff.lookup, svc, backend, aff.progUpdate]
          : [aff.lookup, backend]
    const made = new MutedPath(
      Int32Array.from([
        SOCK_CONNECT,
        svc,
        ...pick,
        FROM_CONTAINER,
        ct.costIds.lookup,
        ct.costIds.lookup,
        m.ipcache.costIds.lookup,
        policyId,
        policyId,
        ct.costIds.progUpdate,
        m.lxc.costIds.lookup,
        LXC_POLICY,
        policyId,
        policyId,
      ]),
    )
    this.made[i] = made
    return made
  }
}
