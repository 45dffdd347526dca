import type { ClassifyOptions, Packet, Rng, Trace } from '@dataplane-sim/cluster'
import { cidrContains } from '@dataplane-sim/cluster'
import { HOST_ID } from '../agent/identity'
import { opId } from '../maps/opCounts'
import { addrOf } from './addr'
import { BATCH_GROUP, BatchPrefetch, type BatchResults, NO_CELL, type TupleBatch, verdictCode } from './batch'
import { fromLocal } from './fromLocal'
import { fromNetwork } from './fromNetwork'
import { leanPodConnect, PodPathSeqs } from './leanPod'
import type { NodeMaps } from './maps'
import { PROTO_NUMBER, TCP_FIN, TCP_RST, TCP_SYN, tcpFlagBits } from './packetTuple'
import { ConnectedSockets } from './sockets'
import { type DatapathConfig, type DatapathState, type Flow, NO_STEPS } from './state'
import { Ctx } from './trace'

/** Kernel (netfilter) conntrack bookkeeping, to show what NOTRACK saves. */
export interface KernelConntrackStats {
  /** packets that went through nf_conntrack_in */
  lookups: number
  /** nf_conntrack entries created (flows not NOTRACKed) */
  entries: number
  /** flows that would have created an entry without NOTRACK */
  saved: number
}

const CT_KERNEL_LOOKUP = opId('ct.kernel.lookup')
const CT_KERNEL_CREATE = opId('ct.kernel.create')

/**
 * One node's datapath (see `DatapathConfig` for the programs mirrored). The path is split by where a packet
 * enters: `fromLocal` (a pod's veth or the host's sockets), `fromNetwork` (bpf_host), with the CT
 * (`ctOps`), service (`service`, `lb`), policy (`policyCheck`) and delivery (`deliver`) pieces they share.
 * Per packet the hot path works on numbers: the 5-tuple as uint32s, counts under interned ids, conntrack
 * and connected sockets in typed-array tables.
 */
export class Datapath implements DatapathState {
  /**
   * Size of the services map's randomly read structures (`ServicesMap.hotBytes`) above which `classifyTuples`
   * touches each group's reads first. Measured, not derived: on this project's benchmark machine (2 vCPU AMD
   * EPYC, 1 MiB L2 per core, 32 MiB L3) the passes paid at 100k services (13.5 MB of them), came out even at 10k
   * (1.5 MB: they keep their place in the L3 against the per-flow tables' traffic) and cost 7-11 % at 100. Settable (tests move it).
   */
  static touchMinBytes = 4 << 20

  /** node clock, seconds (CT lifetimes, affinity) */
  now = 0
  readonly kernelCt: KernelConntrackStats = { lookups: 0, entries: 0, saved: 0 }
  readonly sockets: ConnectedSockets
  private readonly ctx = new Ctx()
  private prefetch: BatchPrefetch | null = null
  /** the packet's master cell when a batch's prefetch looked it up (`BatchPrefetch.cellOf`), else `NO_CELL` */
  private masterCell = NO_CELL
  /** the lean pod-connect fast path's count sequences (`leanPodConnect`): socket-LB with random selection only */
  private readonly leanPods: PodPathSeqs | null

  constructor(
    readonly maps: NodeMaps,
    readonly cfg: DatapathConfig,
    readonly rng: Rng,
  ) {
    // a connected socket's flow holds a CT entry: room for as many as the CT maps hold, as they are preallocated
    this.sockets = new ConnectedSockets(Math.min(maps.max.ctTcp + maps.max.ctAny, 1 << 20))
    this.leanPods = cfg.socketLb && cfg.algorithm === 'random' ? new PodPathSeqs() : null
  }

  classify(packet: Packet, opts: ClassifyOptions = {}): Trace {
    return this.classifyTuple(
      PROTO_NUMBER[packet.protocol],
      addrOf(packet.src),
      packet.sport,
      addrOf(packet.dst),
      packet.dport,
      tcpFlagBits(packet.tcpFlags),
      opts,
    )
  }

  /**
   * `classify` on a numeric tuple (addresses as uint32); `tcpFlags` are header bits (`TCP_SYN`, …), −1 when
   * the packet names none. The same path and trace as `classify` without parsing text.
   */
  classifyTuple(
    proto: number,
    saddr: number,
    sport: number,
    daddr: number,
    dport: number,
    tcpFlags = -1,
    opts: ClassifyOptions = {},
  ): Trace {
    const out = this.walk(
      proto,
      saddr,
      sport,
      daddr,
      dport,
      tcpFlags,
      opts.steps !== false,
      opts.enumerate === true,
      false,
    )
    const ctx = this.ctx
    out.cost = ctx.cost(this.cfg.profile)
    out.steps = ctx.steps ?? NO_STEPS
    return out
  }

  /**
   * `classifyTuple` for every packet of `batch`, in order: `out.verdict[i]`, `out.modeledNs[i]` (and
   * `out.traces[i]` when given) are what `classifyTuple` gives packet i after packets 0..i−1 (the same code,
   * the same counts, CT state and RNG draws). Without `out.traces` (and not enumerating) packets run lean
   * (`Ctx.lean`): the same pipeline, lookups, counts, state changes and draws, but nothing a trace alone
   * shows is made (no address text, candidates or trace record) and the modeled ns is summed from the packet's
   * counts (`OpCounts.nsOf`: the same sum, in the same order, as the summary `classifyTuple` puts in its
   * trace). A lean packet from a local pod that opens a connection on a socket-LB node with random selection
   * (the commonest first packet) goes through `leanPodConnect`: that path in one function, its counts muted to
   * a fixed sequence whose prefix sums are made once (`OpCounts.mute`). With `touch`, each group of
   * `BATCH_GROUP` packets' map reads are first touched by pure-read passes (`BatchPrefetch`) so their cache
   * misses overlap. Left out (undefined), they run when the services map's randomly read structures
   * (`ServicesMap.hotBytes`) are over `Datapath.touchMinBytes`, where they pay: over six
   * warmed-up pipeline sweeps (session 13, net of the entries' flow-set difference) about +6 % first packets
   * per CPU second at 100k services (+1 to +17 %), even at 10k, −7 to −11 % at 100, where everything they
   * touch is in the caches already. The same results, counts, state and draws either way.
   */
  classifyTuples(batch: TupleBatch, out: BatchResults, opts: ClassifyOptions = {}, touch?: boolean): void {
    const prefetch = (this.prefetch ??= new BatchPrefetch())
    if (touch === undefined) touch = this.maps.services.hotBytes > Datapath.touchMinBytes
    const flags = batch.tcpFlags
    const n = batch.length
    const traces = out.traces
    const lean = traces === undefined && opts.enumerate !== true
    const profile = this.cfg.profile
    const ops = this.ctx.ops
    for (let from = 0; from < n; from += BATCH_GROUP) {
      const to = Math.min(n, from + BATCH_GROUP)
      if (touch) prefetch.run(this, batch, from, to)
      for (let i = from; i < to; i++) {
        const proto = batch.proto[i]
        const saddr = batch.saddr[i]
        const sport = batch.sport[i]
        const daddr = batch.daddr[i]
        const dport = batch.dport[i]
        const tcpFlags = flags ? flags[i] : -1
        if (lean) {
          this.masterCell = touch ? prefetch.cellOf(i - from) : NO_CELL
          const t = this.walk(proto, saddr, sport, daddr, dport, tcpFlags, false, false, true)
          out.verdict[i] = verdictCode(t.verdict)
          out.modeledNs[i] = ops.nsOf(profile)
          continue
        }
        const t = this.classifyTuple(proto, saddr, sport, daddr, dport, tcpFlags, opts)
        out.verdict[i] = verdictCode(t.verdict)
        out.modeledNs[i] = t.cost.ns
        if (traces) traces[i] = t
      }
    }
  }

  /** One packet through the node's programs (the counts left in `ctx.ops`); lean: see `Ctx.lean`. */
  private walk(
    proto: number,
    saddr: number,
    sport: number,
    daddr: number,
    dport: number,
    tcpFlags: number,
    steps: boolean,
    enumerate: boolean,
    lean: boolean,
  ): Trace {
    const ctx = this.ctx
    ctx.reset(steps, lean)
    const f = ctx.flow
    f.proto = proto
    f.saddr = saddr
    f.sport = sport
    f.daddr = daddr
    f.dport = dport
    const closing = tcpFlags > 0 && (tcpFlags & (TCP_FIN | TCP_RST)) !== 0
    const nonSyn = tcpFlags >= 0 && (tcpFlags & TCP_SYN) === 0
    const out = this.route(f, ctx, enumerate, closing, nonSyn)
    this.kernelConntrack(f, ctx)
    return out
  }

  private route(f: Flow, ctx: Ctx, enumerate: boolean, closing: boolean, nonSyn: boolean): Trace {
    // The program that sees the packet first is fixed by where it enters: a pod's veth (cil_from_container),
    // the host's own sockets, or the node's network device (cil_from_netdev). Not a map lookup.
    const srcEp = this.maps.lxc.peek(f.saddr)
    if (srcEp) {
      if (ctx.lean && this.leanPods !== null && f.proto !== 1) {
        const t = leanPodConnect(
          this,
          f,
          ctx,
          this.leanPods,
          srcEp.endpointId,
          srcEp.identity,
          closing,
          nonSyn,
          this.masterCell,
        )
        if (t !== null) return t
      }
      return fromLocal(this, f, ctx, enumerate, srcEp.endpointId, srcEp.identity, closing, nonSyn)
    }
    if (f.saddr === this.cfg.nodeIp) return fromLocal(this, f, ctx, enumerate, 0, HOST_ID, closing, nonSyn)
    return fromNetwork(this, f, ctx, enumerate, closing, nonSyn)
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
    // (outside a lean pod connect's sequence of counts: they are settled first)
    ctx.ops.settle()
    ctx.ops.add(CT_KERNEL_LOOKUP)
    if (ctx.newFlow) {
      this.kernelCt.entries++
      ctx.ops.add(CT_KERNEL_CREATE)
    }
  }
}
