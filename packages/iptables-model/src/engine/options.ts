import type { ClassifyOptions, CostProfile, Endpoint, Trace, Verdict } from '@dataplane-sim/cluster'
import type { Ipsets } from '../ipset/types'
import type { SourceKind } from './context'
import type { PacketBackend } from './walkCost'

/*
 * What the netfilter engine (netfilter.ts) is built with, what one classify call takes, and what it returns:
 * one Outcome per reachable result (enumerate mode lists them all) and the Trace made of them (trace.ts).
 */

export interface NetfilterOptions {
  /** name of the ruleset's file, for errors found at compile time */
  source?: string
  /** `ipset save` content the `set` matches refer to */
  ipsets?: Ipsets
  /** seed of the RNG `statistic --mode random` draws from (default 1) */
  seed?: number
  /** cost constants (default: IPTABLES_PACKET_PROFILE) */
  profile?: CostProfile
  /**
   * which iptables installed the rules (default legacy): an nft node counts its walks under `ipt.rule:nft`,
   * `ipt.match:nft`, ... so the profile's nft constants price them (falling back to the legacy ones)
   */
  backend?: PacketBackend
}

export interface PacketOptions extends ClassifyOptions {
  /** where the packet comes from; by default from its source address (local → host, pod CIDR → pod) */
  sourceKind?: SourceKind
  /** incoming interface (default: the pod's veth, or the uplink for outside traffic) */
  inInterface?: string
  /** IP length in bytes for the byte counters (default 60) */
  length?: number
  /** clock in seconds for recent/limit (default: the engine's clock, advanced by `tick`) */
  now?: number
  /** the packet is RELATED to a tracked connection (an ICMP error, an FTP data connection) */
  related?: boolean
  /**
   * the walk starts cache-cold (a rare new flow on a host busy with other work): every byte of rule entries it
   * reads is priced as uncached, not only those beyond the profile's cache-resident size
   */
  cold?: boolean
}

/** One reachable result of a packet, with its probability (enumerate mode lists them all). */
export interface Outcome {
  verdict: Verdict
  dnat: Endpoint | null
  /** destination after the node's rewrites */
  destination: Endpoint
  masquerade: boolean
  snat?: string
  outInterface?: string
  reason?: string
  probability: number
  counts: Record<string, number>
}

export interface NetfilterTrace extends Trace {
  /** enumerate mode: every reachable outcome; probabilities sum to 1 */
  outcomes?: Outcome[]
}
