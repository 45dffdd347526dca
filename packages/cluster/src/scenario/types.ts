/**
 * Scenario types. They follow the Kubernetes API objects a node's dataplane reads (core/v1 Node, Namespace,
 * Pod, Service; discovery/v1 EndpointSlice; networking.k8s.io/v1 NetworkPolicy), flattened to the fields
 * kube-proxy, Calico's Felix and the Cilium agent actually consume. Addresses are strings so that IPv6 can
 * be added without changing a type; hot paths convert them to numbers.
 */

/** Current version of the cluster JSON form. */
export const CLUSTER_SCHEMA_VERSION = 1

export type Protocol = 'TCP' | 'UDP' | 'SCTP'
export type Labels = Record<string, string>
export type IPFamily = 'IPv4' | 'IPv6'

export interface Node {
  name: string
  /** status.addresses[type=InternalIP] */
  internalIP: string
  /** spec.podCIDR */
  podCIDR: string
  labels: Labels
  /** status.capacity.memory in bytes (used by Cilium's dynamic map sizing); absent means unknown. */
  memoryBytes?: number
}

export interface Namespace {
  name: string
  labels: Labels
}

export interface ContainerPort {
  name?: string
  containerPort: number
  protocol: Protocol
}

export interface Pod {
  namespace: string
  name: string
  labels: Labels
  /** status.podIP */
  ip: string
  /** spec.nodeName */
  nodeName: string
  /** spec.containers[*].ports, flattened */
  ports: ContainerPort[]
  /** spec.hostNetwork: the pod uses its node's address and is not a policy endpoint. */
  hostNetwork?: boolean
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer'
export type TrafficPolicy = 'Cluster' | 'Local'

export interface ServicePort {
  /** May be '' for a single-port service, as in the API. */
  name: string
  protocol: Protocol
  port: number
  /** A number, or the name of a container port on the selected pods. */
  targetPort: number | string
  /** Set for NodePort and LoadBalancer services. */
  nodePort?: number
}

export interface Service {
  namespace: string
  name: string
  type: ServiceType
  /** spec.clusterIP; 'None' for a headless service (no dataplane rules). */
  clusterIP: string
  ports: ServicePort[]
  selector?: Labels
  /** spec.externalIPs */
  externalIPs: string[]
  /** status.loadBalancer.ingress[*].ip */
  loadBalancerIPs: string[]
  /** spec.loadBalancerSourceRanges (CIDRs); empty means any source. */
  loadBalancerSourceRanges: string[]
  sessionAffinity: 'None' | 'ClientIP'
  /** spec.sessionAffinityConfig.clientIP.timeoutSeconds (Kubernetes default 10800). */
  sessionAffinityTimeoutSeconds?: number
  externalTrafficPolicy: TrafficPolicy
  internalTrafficPolicy: TrafficPolicy
  /** spec.healthCheckNodePort, allocated for LoadBalancer services with externalTrafficPolicy Local. */
  healthCheckNodePort?: number
}

/** discovery/v1 Endpoint. kube-proxy uses only the first address of an endpoint, so the model keeps one. */
export interface EndpointSliceEndpoint {
  address: string
  nodeName?: string
  /** conditions.ready (nil is read as true by kube-proxy) */
  ready: boolean
  /** conditions.serving */
  serving: boolean
  /** conditions.terminating */
  terminating: boolean
  /** targetRef to a pod, as "namespace/name" */
  targetRef?: string
}

export interface EndpointPort {
  name: string
  protocol: Protocol
  port: number
}

export interface EndpointSlice {
  namespace: string
  name: string
  /** label kubernetes.io/service-name */
  serviceName: string
  addressType: IPFamily
  endpoints: EndpointSliceEndpoint[]
  ports: EndpointPort[]
}

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'

export interface LabelSelectorRequirement {
  key: string
  operator: LabelSelectorOperator
  values?: string[]
}

/** metav1.LabelSelector. An empty selector ({}) selects everything. */
export interface LabelSelector {
  matchLabels?: Labels
  matchExpressions?: LabelSelectorRequirement[]
}

export interface IPBlock {
  cidr: string
  except?: string[]
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector
  namespaceSelector?: LabelSelector
  ipBlock?: IPBlock
}

export interface NetworkPolicyPort {
  /** Defaults to TCP, as in the API. */
  protocol?: Protocol
  /** A number or a named container port; absent means every port. */
  port?: number | string
  /** Last port of a range starting at `port` (numeric port only). */
  endPort?: number
}

export interface NetworkPolicyIngressRule {
  /** Absent or empty: every source. */
  from?: NetworkPolicyPeer[]
  /** Absent or empty: every port. */
  ports?: NetworkPolicyPort[]
}

export interface NetworkPolicyEgressRule {
  /** Absent or empty: every destination. */
  to?: NetworkPolicyPeer[]
  /** Absent or empty: every port. */
  ports?: NetworkPolicyPort[]
}

export type PolicyType = 'Ingress' | 'Egress'

export interface NetworkPolicy {
  namespace: string
  name: string
  podSelector: LabelSelector
  /** Always filled in (the API server defaults it: Ingress, plus Egress when egress rules exist). */
  policyTypes: PolicyType[]
  ingress: NetworkPolicyIngressRule[]
  egress: NetworkPolicyEgressRule[]
}

/** One cluster: the objects every node's dataplane is programmed from. */
export interface Cluster {
  schemaVersion: typeof CLUSTER_SCHEMA_VERSION
  /** kube-apiserver --service-cluster-ip-range */
  serviceCIDR: string
  /** kube-proxy --cluster-cidr (also Cilium's native-routing CIDR by default) */
  podCIDR: string
  nodes: Node[]
  namespaces: Namespace[]
  pods: Pod[]
  services: Service[]
  endpointSlices: EndpointSlice[]
  networkPolicies: NetworkPolicy[]
}

export type ResourceKind = 'Node' | 'Namespace' | 'Pod' | 'Service' | 'EndpointSlice' | 'NetworkPolicy'

export interface ResourceByKind {
  Node: Node
  Namespace: Namespace
  Pod: Pod
  Service: Service
  EndpointSlice: EndpointSlice
  NetworkPolicy: NetworkPolicy
}

/** The key under which each kind is stored in a Cluster. */
export const COLLECTION_OF: { readonly [K in ResourceKind]: keyof Cluster } = {
  Node: 'nodes',
  Namespace: 'namespaces',
  Pod: 'pods',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  NetworkPolicy: 'networkPolicies',
}

export const NAMESPACED: { readonly [K in ResourceKind]: boolean } = {
  Node: false,
  Namespace: false,
  Pod: true,
  Service: true,
  EndpointSlice: true,
  NetworkPolicy: true,
}
