/** Percentiles of modeled per-packet kernel time over many services. */
export interface LatencyFigures {
  p50Ns: number
  p99Ns: number
  meanNs: number
}

/** One BPF map as the planner sees it. */
export interface MapUse {
  name: string
  entries: number
  max: number | null
  /** entries / max × 100 (null without a max) */
  usePct: number | null
  bytes: number
}

export interface PlanWarning {
  severity: 'error' | 'warning' | 'info'
  dataplane: 'iptables' | 'ebpf'
  /** the map or table concerned */
  subject: string
  message: string
  /** what to change, in the option names the user types (`--bpf-policy-map-max 32768`, more node memory) */
  fix: string
}

export interface IptablesPlan {
  tables: Array<{ name: string; rules: number; chains: number; bytes: number }>
  rules: number
  chains: number
  bytes: number
  /** modeled iptables-restore seconds of one sync: legacy/nft × full/partial */
  restoreSeconds: { legacyFull: number; legacyPartial: number; nftFull: number; nftPartial: number }
  firstPacket: LatencyFigures
  establishedNs: number
  conntrack: ConntrackFigures
}

/** Kernel (netfilter) conntrack use for the connections the planner assumes. */
export interface ConntrackFigures {
  connections: number
  /** kernel conntrack entries and bytes without NOTRACK */
  entries: number
  bytes: number
  /** with Cilium's NOTRACK raw rules for pod traffic (pod-to-pod connections skip netfilter conntrack) */
  entriesWithNotrack: number
  bytesWithNotrack: number
}

export interface EbpfPlan {
  maps: MapUse[]
  memoryBytes: number
  /** BPF map lookups per first packet (median service) */
  lookupsPerPacket: number
  firstPacket: LatencyFigures
  establishedNs: number
  /** one-service update: map operations and modeled seconds */
  updateOps: number
  updateSeconds: number
  /** BPF conntrack entries for the same connections (Cilium tracks them whatever NOTRACK says) */
  bpfConntrackEntries: number
  /** installNoConntrackIptablesRules as planned (the reference deployment sets it) */
  notrack: boolean
  kernelConntrack: ConntrackFigures
}

export interface PlanVerdict {
  latencyBudgetNs: number | null
  programmingBudgetSeconds: number | null
  /** service count at which the modeled iptables first-packet p99 passes the latency budget (null: not within 1M) */
  iptablesLatencyLimit: number | null
  /** service count at which a one-service iptables-legacy partial sync passes the programming budget */
  iptablesProgrammingLimit: number | null
  /** plain-language sentences, most important first */
  lines: string[]
}

export interface CapacityPlan {
  input: {
    services: number
    endpointsPerService: number
    policies: number
    nodes: number
    node: string
    nodeMemoryBytes: number
    connections: number
    profile: string
  }
  iptables: IptablesPlan
  ebpf: EbpfPlan
  warnings: PlanWarning[]
  verdict: PlanVerdict
}
