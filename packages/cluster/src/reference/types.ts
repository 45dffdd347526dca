import type { Candidate, Verdict } from '../contract/dataplane'
import type { FrontendKind } from '../index/clusterIndex'

export type { FrontendKind }

export interface Frontend {
  kind: FrontendKind
  /** "namespace/name" */
  service: string
  /** the service port's name ('' for an unnamed single port) */
  portName: string
  protocol: 'TCP' | 'UDP' | 'SCTP'
}

export interface ReferenceCandidate extends Candidate {
  /** allowed by the source's egress and the destination's ingress NetworkPolicy */
  allowed: boolean
  /** why it is denied, when it is */
  reason?: string
  /** the source address this backend sees (the serving node's InternalIP when masqueraded) */
  source: string
  /** the connection to this backend is masqueraded (service-level masquerade, or hairpin to itself) */
  masquerade: boolean
}

/** What Kubernetes semantics require for one packet, independent of any dataplane. */
export interface ReferenceResult {
  frontend: Frontend | null
  /**
   * forward: at least one candidate is allowed; local: addressed to a node itself;
   * reject: a service frontend with no eligible endpoint (ICMP unreachable / TCP RST, as kube-proxy does);
   * drop: no allowed candidate (policy), no local endpoint under a Local traffic policy, or outside
   * loadBalancerSourceRanges.
   */
  verdict: Verdict
  /** the allowed candidates, each with its probability before policy (they may sum to less than 1) */
  candidates: Candidate[]
  /** every eligible endpoint, allowed or not */
  eligible: ReferenceCandidate[]
  /**
   * the service translation marks the connection for masquerade (kube-proxy KUBE-MARK-MASQ before the
   * endpoint is chosen): external traffic under externalTrafficPolicy Cluster, host traffic, or off-cluster
   * traffic to a ClusterIP. Hairpin masquerade is per endpoint: see `eligible[i].masquerade`.
   */
  masquerade: boolean
  /** the node that translates the service (the entry node; the addressed node for a nodePort); null otherwise */
  servingNode: string | null
  reasons: string[]
}

export interface ReferenceOptions {
  /** the node the packet enters on (the source pod's node, or the node receiving external traffic) */
  node: string
  /**
   * Where a source pod's egress policy is judged for a nodePort addressed to another node's IP:
   * 'backend' (default: after service translation, as Cilium's socket LB translates on the source node) or
   * 'nodeAddress' (against nodeIP:nodePort, as kube-proxy translates only on the addressed node, after the
   * source node's FORWARD chain has applied egress policy). The docs leave this to implementations.
   */
  nodePortEgress?: 'backend' | 'nodeAddress'
  /**
   * Which source the ingress policy of a backend on the translating node is judged by, when the connection
   * is masqueraded: 'masqueraded' (default: the address the backend sees) or 'client' (Calico judges in
   * filter FORWARD, before POSTROUTING's MASQUERADE; Cilium does not SNAT toward a local backend). Backends
   * on other nodes always see the masqueraded address; hairpin is unaffected.
   */
  localBackendSource?: 'masqueraded' | 'client'
}
