import {
  type Cluster,
  type CostProfile,
  createRng,
  type NodeDataplane,
  type Packet,
} from '@dataplane-sim/cluster'
import { simulateChurn } from '../churn/simulate'
import { syncSecondsFromSamples } from '../churn/sync-model'
import { fmtNs, fmtSeconds } from '../report/format'
import { quantile } from '../report/quantile'
import type { SuiteBuilders } from '../suites/builders'
import {
  clientAddress,
  clusterIPFrontends,
  firstPackets,
  sampleFrontends,
  updatePairs,
} from '../suites/workload'
import type { CapacityPlan, ConntrackFigures, LatencyFigures, PlanVerdict } from './types'
import { conntrackWarnings, mapUse, mapWarnings, withOverflows } from './warnings'

/** Sizes to plan for when there is no cluster file: a cluster is generated with them. */
export interface PlanSizes {
  services: number
  endpoints?: number
  policies?: number
  nodes?: number
  seed?: number
}

export interface PlanOptions {
  profile: CostProfile
  builders: SuiteBuilders
  /** node memory in bytes (Cilium's dynamic map sizing); default: the node's memoryBytes, else 16 GiB */
  nodeMemory?: number
  /** cilium-config keys as camelCase, passed to the eBPF model (bpfPolicyMapMax, bpfLbMapMax, ...) */
  ciliumOptions?: Record<string, unknown>
  /** kube-proxy / renderer options passed to the iptables model */
  kubeProxyOptions?: Record<string, unknown>
  /** concurrent connections through the node (conntrack sizing); default 50,000 */
  connections?: number
  /** first-packet p99 budget in ns; default 100 µs */
  latencyBudgetNs?: number
  /** network programming latency p99 budget in seconds; default 5 s */
  programmingBudgetSeconds?: number
  /** Service/EndpointSlice changes per second for the programming-latency verdict; default 10 */
  churnRate?: number
  /** services first packets are sent to for the latency distribution; default 256, at most 4000 */
  sampleServices?: number
  node?: string
  seed?: number
}

/** Kernel nf_conn with its usual extensions (nat, acct, timestamp) on x86-64, as slabtop reports it. */
const NF_CONN_BYTES = 320
/** BPF CT entries per service connection: Cilium keeps a service entry and the flow entry (bpf/lib/conntrack.h). */
const BPF_CT_ENTRIES_PER_CONNECTION = 2
const DEFAULT_MEMORY = 16 * 2 ** 30

function isCluster(x: Cluster | PlanSizes): x is Cluster {
  return (x as Cluster).schemaVersion !== undefined && Array.isArray((x as Cluster).services)
}

function latency(ns: number[]): LatencyFigures {
  return {
    p50Ns: quantile(ns, 0.5),
    p99Ns: quantile(ns, 0.99),
    meanNs: ns.reduce((a, b) => a + b, 0) / Math.max(1, ns.length),
  }
}

function classifyAll(dp: NodeDataplane, packets: readonly Packet[]) {
  return packets.map((p) => dp.classify(p, { steps: false }))
}

function establishedNs(dp: NodeDataplane, packets: readonly Packet[]): number {
  const acks = packets
    .slice(0, 16)
    .map((p, i) => ({ ...p, sport: 64000 + i, tcpFlags: p.protocol === 'tcp' ? ['SYN'] : undefined }))
  for (const p of acks) dp.classify(p, { steps: false })
  const ns = acks.map(
    (p) =>
      dp.classify({ ...p, tcpFlags: p.protocol === 'tcp' ? ['ACK'] : undefined }, { steps: false }).cost.ns,
  )
  return quantile(ns, 0.5)
}

/**
 * The capacity plan of one node for a cluster (or for sizes, with a generated cluster): both dataplanes' size,
 * update and per-packet cost, BPF map use with overflow warnings and their fixes, conntrack, and a verdict for
 * the user's latency and programming-latency budgets with the service count where iptables passes them.
 */
export function planCapacity(input: Cluster | PlanSizes, opts: PlanOptions): CapacityPlan {
  const seed = opts.seed ?? (isCluster(input) ? 1 : (input.seed ?? 1))
  const cluster = isCluster(input)
    ? input
    : opts.builders.generate({
        services: input.services,
        endpoints: input.endpoints ?? 2,
        policies: input.policies ?? Math.ceil(input.services / 10),
        nodes: input.nodes ?? 0,
        seed,
      })
  const node = opts.node ?? cluster.nodes[0]?.name
  if (!node) throw new Error('the cluster has no node to plan for')
  const nodeMemory =
    opts.nodeMemory ?? cluster.nodes.find((n) => n.name === node)?.memoryBytes ?? DEFAULT_MEMORY
  const connections = opts.connections ?? 50_000
  const notrack = opts.ciliumOptions?.installNoConntrackIptablesRules !== false
  const ipt = opts.builders.iptables(cluster, node, opts.profile, opts.kubeProxyOptions)
  const ebpf = opts.builders.ebpf(cluster, node, opts.profile, {
    nodeMemoryBytes: nodeMemory,
    ...opts.ciliumOptions,
  })

  const frontends = clusterIPFrontends(cluster)
  const sample = sampleFrontends(
    frontends,
    Math.min(4000, opts.sampleServices ?? 256),
    createRng(seed).fork('plan-frontends'),
  )
  const src = clientAddress(cluster, node, sample)
  // source ports no suite uses
  const packets = firstPackets(src, sample, 61000)
  const iptTraces = classifyAll(ipt, packets)
  const ebpfTraces = classifyAll(ebpf, firstPackets(src, sample, 61000))
  const iptFirst = latency(iptTraces.map((t) => t.cost.ns))
  const ebpfFirst = latency(ebpfTraces.map((t) => t.cost.ns))
  const lookups = ebpfTraces.map((t) =>
    Object.entries(t.cost.counts).reduce((a, [k, v]) => (k.startsWith('bpf.lookup') ? a + v : a), 0),
  )

  // one-service update: the restore variants for iptables, the map operations for eBPF
  const add = updatePairs(cluster).find((p) => p.ops[1] === 'addService')
  let restore = { legacyFull: 0, legacyPartial: 0, nftFull: 0, nftPartial: 0 }
  let updateOps = 0
  let updateSeconds = 0
  if (add) {
    // the pair removes the middle service and adds it back: the add is the one-service update
    ipt.apply(add.forward)
    const r = ipt.apply(add.backward)
    const v = r.variants ?? {}
    const full = opts.builders.fullSync?.(ipt, opts.profile)
    const partial = (k: string) => v[`${k}-partial`] ?? v[k] ?? r.seconds
    restore = {
      legacyFull: full?.legacy ?? v['legacy-full'] ?? r.seconds,
      legacyPartial: partial('legacy'),
      nftFull: full?.nft ?? v['nft-full'] ?? r.seconds,
      nftPartial: partial('nft'),
    }
    ebpf.apply(add.forward)
    const e = ebpf.apply(add.backward)
    updateOps =
      e.operations?.length ??
      Object.entries(e.counts).reduce((a, [k, n]) => (/update|delete/.test(k) ? a + n : a), 0)
    updateSeconds = e.seconds
  }

  const iptFp = ipt.footprint()
  const ebpfFp = ebpf.footprint()
  const { maps, refused } = withOverflows(mapUse(ebpfFp), opts.builders.overflows?.(ebpf) ?? [])
  const ctMaps = maps.filter(
    (m) => m.name.startsWith('cilium_ct4_global') || m.name.startsWith('cilium_ct_any4'),
  )
  const ctMax = ctMaps.find((m) => m.name.startsWith('cilium_ct4_global'))?.max ?? 0
  const ctBytes = ctMaps.reduce((a, m) => a + m.bytes, 0)
  const kernelCt = (entries: number, withNotrack: number): ConntrackFigures => ({
    connections,
    entries,
    bytes: entries * NF_CONN_BYTES,
    entriesWithNotrack: withNotrack,
    bytesWithNotrack: withNotrack * NF_CONN_BYTES,
  })
  const warnings = [
    ...mapWarnings(maps, refused),
    ...(ctMax > 0
      ? conntrackWarnings({
          connections,
          ctMax,
          entriesPerConnection: BPF_CT_ENTRIES_PER_CONNECTION,
          ctBytes,
          nodeMemoryBytes: nodeMemory,
        })
      : []),
  ]
  const iptEstablished = establishedNs(ipt, packets)
  const plan: CapacityPlan = {
    input: {
      services: cluster.services.length,
      endpointsPerService: isCluster(input)
        ? Math.round(
            cluster.endpointSlices.reduce((a, s) => a + s.endpoints.length, 0) /
              Math.max(1, cluster.services.length),
          )
        : (input.endpoints ?? 2),
      policies: cluster.networkPolicies.length,
      nodes: cluster.nodes.length,
      node,
      nodeMemoryBytes: nodeMemory,
      connections,
      profile: opts.profile.name,
    },
    iptables: {
      tables: iptFp.items.map((i) => ({
        name: i.name,
        rules: i.entries,
        chains: i.chains ?? 0,
        bytes: i.bytes,
      })),
      rules: iptFp.totalEntries,
      chains: iptFp.items.reduce((a, i) => a + (i.chains ?? 0), 0),
      bytes: iptFp.totalBytes,
      restoreSeconds: restore,
      firstPacket: iptFirst,
      establishedNs: iptEstablished,
      // kube-proxy needs conntrack for every NATed connection: NOTRACK cannot apply to service traffic here
      conntrack: kernelCt(connections, connections),
    },
    ebpf: {
      maps,
      memoryBytes: ebpfFp.totalBytes,
      lookupsPerPacket: quantile(lookups, 0.5) || 0,
      firstPacket: ebpfFirst,
      establishedNs: establishedNs(ebpf, packets),
      updateOps,
      updateSeconds,
      bpfConntrackEntries: connections * BPF_CT_ENTRIES_PER_CONNECTION,
      // with installNoConntrackIptablesRules pod-to-pod traffic skips netfilter conntrack entirely
      notrack,
      kernelConntrack: kernelCt(connections, 0),
    },
    warnings,
    verdict: {
      latencyBudgetNs: null,
      programmingBudgetSeconds: null,
      iptablesLatencyLimit: null,
      iptablesProgrammingLimit: null,
      lines: [],
    },
  }
  plan.verdict = verdict(plan, {
    latencyBudgetNs: opts.latencyBudgetNs ?? 100_000,
    programmingBudgetSeconds: opts.programmingBudgetSeconds ?? 5,
    churnRate: opts.churnRate ?? 10,
    ebpfChangeSeconds: updateSeconds,
    seed,
  })
  return plan
}

const MAX_LIMIT = 10_000_000

function verdict(
  plan: CapacityPlan,
  o: {
    latencyBudgetNs: number
    programmingBudgetSeconds: number
    churnRate: number
    ebpfChangeSeconds: number
    seed: number
  },
): PlanVerdict {
  const N = plan.input.services
  const lines: string[] = []
  const ip = plan.iptables
  const eb = plan.ebpf
  // first-packet p99 = fixed part (what an established packet costs) + a part proportional to the services
  // walked in KUBE-SERVICES, so it extrapolates linearly in the service count
  const base = Math.min(ip.establishedNs, ip.firstPacket.p99Ns)
  const slope = N > 0 ? (ip.firstPacket.p99Ns - base) / N : 0
  let latencyLimit: number | null = null
  if (o.latencyBudgetNs <= base) latencyLimit = 0
  else if (slope > 0) latencyLimit = Math.min(MAX_LIMIT, Math.floor((o.latencyBudgetNs - base) / slope))
  const within = ip.firstPacket.p99Ns <= o.latencyBudgetNs
  lines.push(
    `First-packet latency budget ${fmtNs(o.latencyBudgetNs)} (p99): iptables is at ${fmtNs(ip.firstPacket.p99Ns)} with ` +
      `${N} services — ${within ? 'within budget' : 'OVER budget'}` +
      (latencyLimit !== null && latencyLimit < MAX_LIMIT
        ? `; it passes the budget at about ${latencyLimit.toLocaleString('en-US')} services.`
        : '.') +
      ` eBPF is at ${fmtNs(eb.firstPacket.p99Ns)} and does not grow with services.`,
  )
  const samples = [
    {
      services: Math.max(1, N),
      fullSeconds: ip.restoreSeconds.legacyFull,
      partialSeconds: ip.restoreSeconds.legacyPartial,
    },
  ]
  const syncSeconds = syncSecondsFromSamples(samples)
  const p99At = (services: number) =>
    simulateChurn({
      services,
      rate: o.churnRate,
      duration: 120,
      seed: o.seed,
      kubeProxy: { syncSeconds },
      ciliumChangeSeconds: o.ebpfChangeSeconds,
    })
  const here = p99At(Math.max(1, N))
  let progLimit: number | null = null
  if (here.kubeProxy.p99 > o.programmingBudgetSeconds) {
    let lo = 1
    let hi = Math.max(1, N)
    while (hi - lo > Math.max(1, lo * 0.02)) {
      const mid = Math.floor((lo + hi) / 2)
      if (p99At(mid).kubeProxy.p99 > o.programmingBudgetSeconds) hi = mid
      else lo = mid
    }
    progLimit = hi
  } else {
    let n = Math.max(1, N)
    while (n < MAX_LIMIT && p99At(n * 2).kubeProxy.p99 <= o.programmingBudgetSeconds) n *= 2
    if (n < MAX_LIMIT) {
      let lo = n
      let hi = n * 2
      while (hi - lo > Math.max(1, lo * 0.02)) {
        const mid = Math.floor((lo + hi) / 2)
        if (p99At(mid).kubeProxy.p99 > o.programmingBudgetSeconds) hi = mid
        else lo = mid
      }
      progLimit = hi
    }
  }
  lines.push(
    `Programming latency budget ${fmtSeconds(o.programmingBudgetSeconds)} (p99, at ${o.churnRate} changes/s): kube-proxy with ` +
      `iptables-legacy is at ${fmtSeconds(here.kubeProxy.p99)} (one partial sync ${fmtSeconds(ip.restoreSeconds.legacyPartial)}) — ` +
      `${here.kubeProxy.p99 <= o.programmingBudgetSeconds ? 'within budget' : 'OVER budget'}` +
      (progLimit !== null
        ? `; it passes the budget at about ${progLimit.toLocaleString('en-US')} services.`
        : '.') +
      ` Cilium is at ${fmtSeconds(here.cilium.p99)}.`,
  )
  const errors = plan.warnings.filter((w) => w.severity === 'error')
  lines.push(
    errors.length === 0
      ? 'No BPF map overflows at this size.'
      : `${errors.length} BPF sizing problem(s) must be fixed before this size works on Cilium: ${mergeFixes(errors.map((e) => e.fix)).join('; ')}.`,
  )
  return {
    latencyBudgetNs: o.latencyBudgetNs,
    programmingBudgetSeconds: o.programmingBudgetSeconds,
    iptablesLatencyLimit: latencyLimit,
    iptablesProgrammingLimit: progLimit,
    lines,
  }
}

/** Fixes of the form `--option N …` merged per option, keeping the largest N (several LB maps share one option). */
export function mergeFixes(fixes: readonly string[]): string[] {
  const byOption = new Map<string, { n: number; text: string }>()
  const other: string[] = []
  for (const f of fixes) {
    const m = /^(--[a-z0-9-]+) (\d+)/.exec(f)
    if (!m) {
      if (!other.includes(f)) other.push(f)
      continue
    }
    const n = Number(m[2])
    const prev = byOption.get(m[1])
    if (!prev || n > prev.n) byOption.set(m[1], { n, text: f })
  }
  return [...[...byOption.values()].map((v) => v.text), ...other]
}
