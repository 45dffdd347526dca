import type { Candidate, Verdict } from '../contract/dataplane'

/** How a packet addressed a service. */
export type FrontendKind = 'clusterIP' | 'nodePort' | 'externalIP' | 'loadBalancer'

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
}

/** What Kubernetes semantics require for one packet, independent of any dataplane. */
export interface ReferenceResult {
  frontend: Frontend | null
  /**
   * forward: at least one candidate is allowed; local: addressed to the node itself;
   * reject: a service frontend with no eligible endpoint (ICMP unreachable / TCP RST, as kube-proxy does);
   * drop: no allowed candidate (policy), no local endpoint under a Local traffic policy, or outside
   * loadBalancerSourceRanges.
   */
  verdict: Verdict
  /** the allowed candidates, each with its probability before policy (they may sum to less than 1) */
  candidates: Candidate[]
  /** every eligible endpoint, allowed or not */
  eligible: ReferenceCandidate[]
  /** the backend sees the node's address as source (external traffic under externalTrafficPolicy Cluster) */
  masquerade: boolean
  reasons: string[]
}

export interface ReferenceOptions {
  /** the node the packet enters on (the source pod's node, or the node receiving external traffic) */
  node: string
}
