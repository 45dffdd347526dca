import {
  type CostProfile,
  createRng,
  type Footprint,
  type NodeDataplane,
  type Packet,
  type UpdateReport,
} from '@dataplane-sim/cluster'
import { quantile } from '../report/quantile'
import type { ClusterSize, SuiteBuilders } from './builders'
import { collectGarbage, type MeasureOptions, measure, type TimingStats } from './measure'
import {
  clientAddress,
  clusterIPFrontends,
  FreshFlows,
  firstPackets,
  sampleFrontends,
  UPDATE_OPS,
  type UpdateOp,
  updatePairs,
} from './workload'

/** One timed update of one dataplane at one scale. */
export interface UpdateFigure {
  op: UpdateOp
  js: TimingStats
  /** modeled kernel seconds for the node's configured variant (iptables: legacy, partial sync) */
  modeledSeconds: number
  /** modeled seconds per variant (iptables: legacy/nft × full/partial) */
  variants: Record<string, number>
  counts: Record<string, number>
}

export type MatchKind = 'random' | 'worst' | 'established'

/** Per-packet classification figures of one dataplane at one scale. */
export interface MatchFigure {
  kind: MatchKind
  /** JS time per packet */
  js: TimingStats
  /** modeled kernel ns per packet: mean, p50 and p99 over the packets used */
  modeledNs: number
  modeledP50Ns: number
  modeledP99Ns: number
  /** counted operations of the median packet */
  counts: Record<string, number>
}

export interface DataplaneFigures {
  /** wall-clock ms to build this dataplane (not part of any timing) */
  buildMs: number
  update: UpdateFigure[]
  match: MatchFigure[]
  footprint: Footprint
}

/** iptables / eBPF at one point, from measured JS time and from modeled kernel time. */
export interface GapFigures {
  firstPacketModeled: number
  firstPacketJs: number
  worstPacketModeled: number
  /** one-service add: iptables-legacy partial sync vs eBPF map operations */
  updateModeled: number
  updateJs: number
}

export interface ScalingPoint {
  services: number
  endpointsPerService: number
  policies: number
  nodes: number
  /** ClusterIP frontends first packets were aimed at */
  frontends: number
  iptables: DataplaneFigures
  ebpf: DataplaneFigures
  gap: GapFigures
}

export interface ScalingOptions {
  sizes: readonly ClusterSize[]
  profile: CostProfile
  builders: SuiteBuilders
  /**
   * tinybench budget for each match task (`timeMs`, `iterations`), and for each update pair: at least one round
   * trip (the change and its inverse), at most `iterations`, and no new apply once `updateBudgetMs` has passed
   */
  timing: Pick<MeasureOptions, 'timeMs' | 'iterations'> & { updateBudgetMs?: number }
  /** packets per sample for the match suite (default 32) */
  packets?: number
  /** called after each dataplane of each point (progress) */
  onStep?: (label: string) => void
}

/** Steps `runScalingSuite` reports through `onStep`: two dataplanes per point. */
export function scalingSteps(sizes: readonly ClusterSize[]): number {
  return sizes.length * 2
}

/** Cilium's default bpf-lb-map-max (pkg/option/config.go DefaultLBMapMaxEntries). */
export const DEFAULT_LB_MAP_MAX = 65536

/**
 * The bpf-lb-map-max that holds `needed` LB entries: null while the default does, else the next power of two
 * (Cilium takes any value; a power of two is what operators write).
 */
export function lbMapMaxFor(needed: number): number | null {
  if (needed <= DEFAULT_LB_MAP_MAX) return null
  return 2 ** Math.ceil(Math.log2(needed))
}

/**
 * The scaling suite: for each size, generate the cluster, build both dataplanes once (not timed), then time
 * the updates and the packet classes with tinybench and take the modeled kernel cost from the traces and
 * update reports.
 */
export function runScalingSuite(opts: ScalingOptions): ScalingPoint[] {
  const points: ScalingPoint[] = []
  for (const size of opts.sizes) {
    const cluster = opts.builders.generate(size)
    const node = cluster.nodes[0].name
    const frontends = clusterIPFrontends(cluster)
    const sample = sampleFrontends(
      frontends,
      opts.packets ?? 32,
      createRng(size.seed).fork('bench-frontends'),
    )
    const src = clientAddress(cluster, node, sample)
    const figures = {} as Record<'iptables' | 'ebpf', DataplaneFigures>
    for (const kind of ['iptables', 'ebpf'] as const) {
      const t0 = performance.now()
      let built: NodeDataplane | null = opts.builders[kind](cluster, node, opts.profile)
      const lbMax = kind === 'ebpf' ? lbMapMaxFor(opts.builders.lbEntriesNeeded?.(built) ?? 0) : null
      // what Cilium's docs tell a large cluster to do: raise bpf-lb-map-max until every service fits (with the
      // default 65536 the services past it stay unprogrammed, and the suite would compare kube-proxy with a
      // Cilium that load-balances only some of them; the capacity plan keeps the defaults and warns instead).
      // The first node is let go before the second is built: two 100k-service nodes do not fit the default heap.
      if (lbMax !== null) {
        built = null
        collectGarbage()
        built = opts.builders.ebpf(cluster, node, opts.profile, { bpfLbMapMax: lbMax })
      }
      const dp: NodeDataplane = built
      const buildMs = performance.now() - t0
      // the cluster generator's and the previous dataplane's garbage is collected here, not in the timings
      collectGarbage()
      // the footprint of what the cluster programs, before any packet: taken after the timed rounds it counted
      // the conntrack entries of as many flows as the machine's speed let them open
      const footprint = dp.footprint()
      const match = measureMatch(dp, src, sample, frontends, opts.timing)
      const update = measureUpdates(dp, cluster, opts.timing, opts.builders.fullSync, opts.profile)
      figures[kind] = { buildMs, update, match, footprint }
      opts.onStep?.(`${kind} at ${size.services} services`)
    }
    points.push({
      services: size.services,
      endpointsPerService: size.endpoints,
      policies: size.policies,
      nodes: size.nodes,
      frontends: frontends.length,
      iptables: figures.iptables,
      ebpf: figures.ebpf,
      gap: gaps(figures.iptables, figures.ebpf),
    })
  }
  return points
}

function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !(b > 0)) return 0
  return a / b
}

function gaps(ipt: DataplaneFigures, ebpf: DataplaneFigures): GapFigures {
  const m = (f: DataplaneFigures, k: MatchKind) => f.match.find((x) => x.kind === k)
  const u = (f: DataplaneFigures) => f.update.find((x) => x.op === 'addService')
  return {
    firstPacketModeled: ratio(m(ipt, 'random')?.modeledNs, m(ebpf, 'random')?.modeledNs),
    firstPacketJs: ratio(m(ipt, 'random')?.js.medianNs, m(ebpf, 'random')?.js.medianNs),
    worstPacketModeled: ratio(m(ipt, 'worst')?.modeledNs, m(ebpf, 'worst')?.modeledNs),
    updateModeled: ratio(
      u(ipt)?.variants['legacy-partial'] ?? u(ipt)?.modeledSeconds,
      u(ebpf)?.modeledSeconds,
    ),
    updateJs: ratio(u(ipt)?.js.medianNs, u(ebpf)?.js.medianNs),
  }
}

function modeled(
  dp: NodeDataplane,
  packets: readonly Packet[],
): { ns: number[]; counts: Record<string, number> } {
  const ns: number[] = []
  let counts: Record<string, number> = {}
  const traces = packets.map((p) => dp.classify(p, { steps: false }))
  for (const t of traces) ns.push(t.cost.ns)
  const median = quantile(ns, 0.5)
  counts = traces.reduce((best, t) =>
    Math.abs(t.cost.ns - median) < Math.abs(best.cost.ns - median) ? t : best,
  ).cost.counts
  return { ns, counts }
}

function matchFigure(
  kind: MatchKind,
  dp: NodeDataplane,
  packets: Packet[],
  timing: ScalingOptions['timing'],
  fresh: boolean,
  /** the packets' modeled cost (`modeled`), taken before any timed round ran */
  model: ReturnType<typeof modeled>,
  /** destinations the timed rounds rotate over for new tuples (default: the packets' own) */
  templates: readonly Packet[] = packets,
): MatchFigure {
  const { ns, counts } = model
  const flows = fresh
    ? new FreshFlows(
        packets,
        templates.map((p) => ({ ...p })),
      )
    : null
  // warm the JIT on this dataplane's code paths before anything is timed (the first calls run cold tiers)
  // (the iptables engine needs a few hundred first packets before its timings settle), for at least 3 rounds
  // and 5× the task's time budget
  const warmStart = performance.now()
  for (let round = 0; round < 3 || performance.now() - warmStart < 5 * timing.timeMs; round++) {
    packets.forEach((p, i) => {
      if (fresh) p.sport = 50000 + ((round * packets.length + i) % 9000)
      dp.classify(p, { steps: false })
    })
  }
  const js = measure(
    `${dp.kind} ${kind}`,
    () => {
      for (const p of packets) dp.classify(p, { steps: false })
    },
    {
      ...timing,
      opsPerCall: packets.length,
      // a first packet must open a new connection: move every flow to a tuple no round used (not timed)
      beforeEach: flows ? () => flows.next() : undefined,
    },
  )
  if (flows && flows.repeated > 0)
    throw new Error(
      `${dp.kind} ${kind}: ${flows.repeated} timed rounds reused earlier tuples (established packets timed as first ones); lower the time budget`,
    )
  return {
    kind,
    js,
    modeledNs: ns.reduce((a, b) => a + b, 0) / Math.max(1, ns.length),
    modeledP50Ns: quantile(ns, 0.5),
    modeledP99Ns: quantile(ns, 0.99),
    counts,
  }
}

function measureMatch(
  dp: NodeDataplane,
  src: string,
  sample: ReturnType<typeof sampleFrontends>,
  frontends: ReturnType<typeof clusterIPFrontends>,
  timing: ScalingOptions['timing'],
): MatchFigure[] {
  if (sample.length === 0) return []
  // Every kind's modeled cost is taken before any round is timed: a timed round classifies as many packets as
  // its time budget allows, and each first packet draws from the node's RNG (random backend selection) and
  // writes conntrack, so modeled figures taken after one depended on the machine's speed (the established
  // ACKs' iptables rules went 48 -> 63 -> 48 between regenerations). Then the timed rounds, in the same order.
  const random = firstPackets(src, sample, 20000)
  const randomModel = modeled(dp, random)
  // worst-placed: kube-proxy walks KUBE-SERVICES in order, so the most expensive first packet is among the
  // last frontends; probe the tail and the sample and keep the costliest one
  const tail = frontends.slice(-8)
  const probes = firstPackets(src, [...tail, ...sample], 10000)
    .map((p) => ({ p, ns: dp.classify(p, { steps: false }).cost.ns }))
    // costliest first; equal costs keep the tail's order
    .sort((a, b) => b.ns - a.ns)
  const worst = probes[0].p
  const worstPackets = Array.from({ length: 8 }, (_, i) => ({ ...worst, sport: 11000 + i }))
  // the timed rounds need a new tuple each: they rotate over the costliest distinct frontends probed (for
  // iptables the last ones of KUBE-SERVICES, a rule or two apart; for eBPF every frontend costs the same)
  const seen = new Set<string>()
  const costliest = probes
    .map((x) => x.p)
    .filter((p) => {
      const k = `${p.dst}:${p.dport}/${p.protocol}`
      return !seen.has(k) && seen.add(k)
    })
    .slice(0, 8)
  const worstModel = modeled(dp, worstPackets)
  // established: the flows exist in conntrack after their SYN; ACKs of the same tuples
  const est = firstPackets(src, sample, 60000)
  for (const p of est) dp.classify(p, { steps: false })
  const acks = est.map((p) => ({ ...p, tcpFlags: p.protocol === 'tcp' ? ['ACK'] : undefined }))
  const establishedModel = modeled(dp, acks)
  const out: MatchFigure[] = []
  out.push(matchFigure('random', dp, random, timing, true, randomModel))
  out.push(matchFigure('worst', dp, worstPackets, timing, true, worstModel, costliest))
  // the timed first-packet rounds made many flows since: the SYNs again, so the ACKs timed are established
  for (const p of est) dp.classify(p, { steps: false })
  out.push(matchFigure('established', dp, acks, timing, false, establishedModel))
  return out
}

/**
 * Per-apply samples of one op: JS ns of each apply, and the UpdateReport of its first (the modeled figure: the
 * first of a pair's applies come in a fixed order, where which apply came last depended on how many the time
 * budget let run, and for a pair whose two directions are one op, such as scaleEndpoints, on their parity)
 */
interface OpSamples {
  ns: number[]
  first: UpdateReport | null
}

function stats(ns: number[]): TimingStats {
  return { medianNs: quantile(ns, 0.5), p99Ns: quantile(ns, 0.99), samples: ns.length }
}

/**
 * Updates are timed apply by apply with performance.now, alternating each change with its inverse so every
 * apply is a sample of its op and the table returns to where it was. At tens of thousands of services one
 * iptables apply takes seconds: tinybench's warm-up and separate undo would multiply that.
 */
function measureUpdates(
  dp: NodeDataplane,
  cluster: Parameters<typeof updatePairs>[0],
  timing: ScalingOptions['timing'],
  fullSync: SuiteBuilders['fullSync'],
  profile: CostProfile,
): UpdateFigure[] {
  const byOp = new Map<UpdateOp, OpSamples>()
  for (const pair of updatePairs(cluster)) {
    const started = performance.now()
    let n = 0
    const budget = timing.updateBudgetMs ?? timing.timeMs
    while (n < 2 || (n < 2 * timing.iterations && performance.now() - started < budget)) {
      const [change, op] = n % 2 === 0 ? [pair.forward, pair.ops[0]] : [pair.backward, pair.ops[1]]
      const t0 = performance.now()
      const report = dp.apply(change)
      const ns = (performance.now() - t0) * 1e6
      const s = byOp.get(op) ?? { ns: [], first: null }
      s.ns.push(ns)
      s.first ??= report
      byOp.set(op, s)
      n++
    }
    if (n % 2 === 1) dp.apply(pair.backward)
  }
  const full = fullSync?.(dp, profile)
  const out: UpdateFigure[] = []
  for (const op of UPDATE_OPS) {
    const s = byOp.get(op)
    if (!s?.first) continue
    const v = s.first.variants ?? {}
    const variants: Record<string, number> = {}
    // the models name the partial-sync variants by backend; full syncs come from the builders' hook
    for (const [k, val] of Object.entries(v) as Array<[string, number]>)
      variants[k.includes('-') ? k : `${k}-partial`] = val
    if (full) {
      variants['legacy-full'] = full.legacy
      variants['nft-full'] = full.nft
    }
    out.push({
      op,
      js: stats(s.ns),
      modeledSeconds: s.first.seconds,
      variants,
      counts: { ...s.first.counts },
    })
  }
  return out
}
