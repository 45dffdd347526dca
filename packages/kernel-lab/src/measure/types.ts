import type { Summary } from './stats'

/** The experiments the lab runs; each is a sweep over `size`. */
export type Experiment =
  /** iptables-restore of a whole kube-proxy-shaped nat table (size = services) */
  | 'restore-full'
  /** iptables-restore of everything iptables-model's kube-proxy renderer writes for `size` services */
  | 'restore-rendered'
  /** iptables-restore --noflush of one rule into a table of `size` services */
  | 'restore-one-rule'
  /** ICMP round trip through `size` non-matching filter FORWARD rules (ip-header part fails) */
  | 'packet-forward'
  /** same, each rule calling one extension match that fails (`-p icmp -m icmp --icmp-type 13`) */
  | 'packet-forward-match'
  /** first packet of a new UDP flow (new source port, back to back) through a kube-proxy nat table of `size` services, none matching */
  | 'packet-nat-first'
  /** run time of a tc program looking the destination up in a BPF hash map of `size` entries */
  | 'packet-bpf'
  /** ICMP round trip with that program and map, absolute (expected flat in N) */
  | 'packet-bpf-rtt'
  /** `bpftool batch` loading `size` entries into the map */
  | 'bpf-update-batch'
  /** one `bpftool map update` into a map already holding `size` entries */
  | 'bpf-update-one'

export type LabBackend = 'legacy' | 'nft' | 'bpf'

/** One point of a sweep: every run's raw value, their summary, and what the models count for it. */
export interface Measurement {
  experiment: Experiment
  backend: LabBackend
  size: number
  /** 's' for control-plane commands, 'ns' for per-packet costs (extra over the same sweep's size 0) */
  unit: 's' | 'ns'
  /** one value per run (per-packet: the median round trip of each run, minus the baseline's) */
  runs: number[]
  summary: Summary
  /** operations behind this point, keyed like the models' cost counts (see fit/counts.ts) */
  counts: Record<string, number>
  /** anything worth keeping with the raw data (lines, bytes, lost probes, program hits) */
  notes?: Record<string, number | string>
}

/** Which sizes and how many runs: `quick` for tests and CI, `full` for the shipped profile. */
export interface SweepPlan {
  runs: number
  /**
   * services of the restore sweep's kube-proxy-shaped nat table; 0 is the table with only kube-proxy's base
   * chains, whose restore is nearly all the per-invocation cost (process start, table fetch and commit)
   */
  restoreServices: number[]
  /** services of generated lab clusters whose rendered kube-proxy rules are restored */
  renderedServices: number[]
  forwardRules: number[]
  natServices: number[]
  /** first-packet sizes one backend measures on top of natServices (firstPacketSizes) */
  natServicesExtra?: Partial<Record<'legacy' | 'nft', number[]>>
  bpfEntries: number[]
  bpfBatch: number[]
  /** round trips per run for ping / new-flow probes */
  pings: number
  newFlows: number
  /** differential: new flows per deterministic case, and per case with several endpoints (chi-square) */
  verdictPackets: { deterministic: number; random: number }
  /**
   * Legacy per-packet points from `from` rules or services on: each pass's value is the mean over `restores`
   * fresh restores of the table, each measured once (placementsFor). Where a large x_tables blob's pages land in
   * the L3 is decided when it is restored (reports/kernel/restore-probe: 71–81 % of first-packet variance at
   * 30k/40k services lay between restores), and the model prices the expected cost over placements
   * (iptables-model walkCost.ts llcMissedBytes); one restore per pass made such a point one draw per pass.
   */
  placements?: { restores: number; from: number }
}

// four whole-calibration passes (three until 2026-11-29 04:40): the block bootstrap over passes resamples the
// machine states a calibration saw, and 3 passes give a resample only 10 distinct combinations (4: 35)
export const QUICK_PLAN: SweepPlan = {
  runs: 4,
  restoreServices: [0, 100, 300, 1000],
  renderedServices: [300, 1000],
  forwardRules: [0, 500, 2000, 5000],
  natServices: [0, 1000, 3000],
  bpfEntries: [0, 1000, 10000],
  bpfBatch: [1000, 10000],
  pings: 500,
  newFlows: 400,
  verdictPackets: { deterministic: 10, random: 200 },
  // the largest quick points too, so CI runs the placement loop (small tables: a few seconds a pass)
  placements: { restores: 2, from: 3000 },
}

// Legacy first packets also at 30k and 40k services (2026-11-29): their cold walks step between 30k (14.6 MB of
// entries) and 40k (19.5 MB) as they outgrow one CPU's share of the L3 (reports/kernel/l3-probe), and
// ipt.llcMissBytes needs more than the 50k point past it. Not nft: its first packets show no step there (probe:
// 15.4-22.8 ns per rule at 10k-50k) and its modeled cold walk reads 3 compat objects (576 bytes), so the term has
// no count for nft at any size; and its 30k/40k restores (60 s a pass measured under load 3.5, ~45 s quiet) would
// take a full calibration past 22 minutes.
// 500 round trips a run, as the quick plan (was 1000): a run is one value of a point (its trimmed mean), the
// spread that matters is between passes, and the fourth pass has to fit in the 16 minutes a full calibration may
// take (the nft match sweep at 50k rules is a 21 ms round trip: 21 s of pings a pass at 1000)
export const FULL_PLAN: SweepPlan = {
  runs: 4,
  restoreServices: [0, 1000, 5000, 10000, 20000, 50000],
  renderedServices: [1000, 5000, 10000],
  forwardRules: [0, 1000, 5000, 10000, 20000, 50000],
  natServices: [0, 1000, 5000, 10000, 20000, 50000],
  natServicesExtra: { legacy: [30000, 40000] },
  bpfEntries: [0, 1000, 50000, 500000],
  bpfBatch: [1000, 10000, 100000],
  pings: 500,
  newFlows: 1000,
  verdictPackets: { deterministic: 20, random: 600 },
  // from 20k (9.8 MB of legacy entries, where llcMissedBytes starts to count): 3 restores of 20k-50k nat tables
  // and of 20k/50k FORWARD tables made a full calibration ~2000 s instead of 1100-1250 (measured 2026-11-29 10:03
  // and 10:39: 2008 s, 2025 s); nft keeps one (no placement term)
  placements: { restores: 3, from: 20000 },
}

/** How many fresh restores one pass of a per-packet point averages over (SweepPlan.placements): legacy only. */
export function placementsFor(plan: SweepPlan, backend: string, size: number): number {
  const p = plan.placements
  return p && backend === 'legacy' && size >= p.from ? Math.max(1, Math.floor(p.restores)) : 1
}

/** The first-packet sweep's sizes for `backend`: natServices and the backend's extra sizes, ascending. */
export function firstPacketSizes(plan: SweepPlan, backend: 'legacy' | 'nft'): number[] {
  const sizes = new Set([...plan.natServices, ...(plan.natServicesExtra?.[backend] ?? [])])
  return [...sizes].sort((a, b) => a - b)
}
