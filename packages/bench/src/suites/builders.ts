import type { Cluster, CostProfile, NodeDataplane } from '@dataplane-sim/cluster'

/** Cluster sizes a suite point asks for. */
export interface ClusterSize {
  services: number
  /** endpoints per service */
  endpoints: number
  policies: number
  nodes: number
  seed: number
}

/**
 * How a suite gets its clusters and dataplanes. The default (`defaultBuilders`) uses the real models; tests pass
 * small fakes so the suite logic is tested on its own.
 */
export interface SuiteBuilders {
  generate(size: ClusterSize): Cluster
  /** `options`: kube-proxy / renderer options (backend, partialSync, notrack, ...) */
  iptables(
    cluster: Cluster,
    node: string,
    profile: CostProfile,
    options?: Record<string, unknown>,
  ): NodeDataplane
  /** `options`: cilium-config keys as camelCase (bpfPolicyMapMax, nodeMemoryBytes, ...) */
  ebpf(cluster: Cluster, node: string, profile: CostProfile, options?: Record<string, unknown>): NodeDataplane
  /**
   * Modeled seconds of a FULL sync of this iptables dataplane's whole ruleset per backend (the dataplane's
   * own updates are partial syncs); absent for eBPF or when the model cannot say.
   */
  fullSync?(dp: NodeDataplane, profile: CostProfile): { legacy: number; nft: number } | null
  /**
   * Entries an eBPF dataplane wanted but a full map refused (E2BIG): one record per refused object (a frontend,
   * an endpoint's policy entries), with the entries it needed and the map's max. A full map's footprint shows
   * entries = max, so this is how the planner learns what was left out.
   */
  overflows?(dp: NodeDataplane): MapOverflowRecord[]
  /**
   * Entries the eBPF dataplane's LB maps need to hold every frontend (services map: a master plus a slot per
   * backend; backends; rev NAT), whether or not they fitted: the scaling suite sizes bpf-lb-map-max from it.
   */
  lbEntriesNeeded?(dp: NodeDataplane): number
  /**
   * Lets go of every dataplane kept for reuse (`reusingBuilders`): the next build of any kind is a new one. A
   * suite's dataplanes carry what its timed rounds did (conntrack entries, the RNG's position), as many as the
   * machine's speed let run: a consumer whose figures must not depend on that asks for new ones.
   */
  release?(): void
}

export interface MapOverflowRecord {
  map: string
  owner?: string
  needed: number
  max: number
  consequence: string
}
