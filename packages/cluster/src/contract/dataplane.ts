import type { Packet } from '../packet/packet'
import type { ClusterChange } from './change'

/** What happened to a packet on one node. `local` means delivered to the node itself (INPUT / host stack). */
export type Verdict = 'forward' | 'local' | 'drop' | 'reject'

/** A translated destination (an endpoint as the packet reaches it). */
export interface Endpoint {
  ip: string
  port: number
}

/** One backend a packet may reach, with the probability of reaching it. */
export interface Candidate extends Endpoint {
  probability: number
  /** "namespace/name" of the backend pod when known */
  pod?: string
  /** node of the backend when known */
  node?: string
  /** the connection to this backend is masqueraded (when it differs per backend, e.g. hairpin) */
  masquerade?: boolean
}

/**
 * One step of a trace, for teaching: a rule walked (iptables) or a map lookup made (eBPF).
 * `where` is `table:chain` for iptables (`nat:KUBE-SERVICES`) or the map / program name for eBPF
 * (`cilium_lb4_services_v2`); `index` is the rule number as `iptables -L --line-numbers` counts it.
 */
export interface Step {
  where: string
  index?: number
  /** the rule text as iptables-save prints it, or the map key */
  text: string
  outcome: 'match' | 'no-match' | 'hit' | 'miss' | 'policy' | 'verdict' | 'info'
  /** target taken, value found, or a remark */
  detail?: string
}

/**
 * Counted operations and the modeled kernel time they cost. Keys of `counts` name the operation
 * (`ipt.rule`, `ipt.match`, `ct.lookup`, `bpf.lookup:cilium_lb4_services_v2`, `restore.line`, ...); the
 * modeled time is Σ counts[k] × profile.constants[k] (see `modelCost`).
 */
export interface Cost {
  counts: Record<string, number>
  /** modeled kernel nanoseconds */
  ns: number
}

export interface Trace {
  verdict: Verdict
  /** what this packet was translated to, null when not DNATed */
  dnat: Endpoint | null
  /** every backend it could reach, with probability (all of them in enumerate mode) */
  candidates: Candidate[]
  /** the source address was rewritten to the node's (SNAT / MASQUERADE) */
  masquerade: boolean
  /** the source address the next hop sees, when rewritten */
  snat?: string
  /** outgoing interface when known */
  outInterface?: string
  steps: Step[]
  cost: Cost
  /** drop/reject reason, named as the real system names it ("Policy denied", "Service backend not found") */
  reason?: string
}

export interface ClassifyOptions {
  /** Walk every probabilistic branch and return all reachable candidates with their probability. */
  enumerate?: boolean
  /** Record steps (default true); benchmarks turn it off to measure the hot path alone. */
  steps?: boolean
}

/** What one incremental update did and what it costs. */
export interface UpdateReport {
  /** counted work: lines/bytes restored, rules written, map entries updated, ... */
  counts: Record<string, number>
  /** modeled seconds for the node's configured backend */
  seconds: number
  /** modeled seconds per variant when a model has several (iptables `legacy` / `nft`, `full` / `partial`) */
  variants?: Record<string, number>
  /** the literal input sent to the kernel where one exists (the iptables-restore text) */
  input?: string
  /** map operations for eBPF: [map, op, key] */
  operations?: Array<{ map: string; op: 'update' | 'delete'; key: string }>
}

/** One table or map of a dataplane. */
export interface FootprintItem {
  name: string
  entries: number
  /** capacity (max_entries) where one exists */
  max?: number
  bytes: number
  /** chains, for iptables tables */
  chains?: number
}

export interface Footprint {
  kind: NodeDataplane['kind']
  items: FootprintItem[]
  totalEntries: number
  totalBytes: number
}

/** One node's dataplane: both models implement this, and the bench, CLI and tests use nothing else. */
export interface NodeDataplane {
  readonly kind: 'iptables' | 'ebpf'
  readonly node: string
  classify(packet: Packet, opts?: ClassifyOptions): Trace
  apply(change: ClusterChange): UpdateReport
  footprint(): Footprint
}

/** Builds the dataplane of one node of a cluster (what tracePath calls for each node it visits). */
export type BuildNode = (cluster: import('../scenario/types').Cluster, nodeName: string) => NodeDataplane
