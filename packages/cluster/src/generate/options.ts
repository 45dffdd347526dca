/** Endpoints per service: a fixed count, or a distribution drawn per service from the seeded RNG. */
export type EndpointCount =
  | number
  | { distribution: 'uniform'; min: number; max: number }
  /** heavy-tailed: most services small, a few large (P(k) ∝ 1/k^s over [min, max]) */
  | { distribution: 'zipf'; min: number; max: number; s?: number }

/** Shares (0..1) of each service shape. Types are drawn first (NodePort, then LoadBalancer, else ClusterIP). */
export interface ServiceMix {
  nodePort: number
  loadBalancer: number
  /** of LoadBalancer services: with loadBalancerSourceRanges */
  sourceRanges: number
  externalIPs: number
  clientIPAffinity: number
  /** of NodePort / LoadBalancer / externalIP services: externalTrafficPolicy Local */
  externalLocal: number
  internalLocal: number
  /** selector matching no pod: the EndpointSlice controller's empty placeholder slice (no endpoints) */
  noEndpoints: number
  /** some endpoints terminating (serving) or not ready; some of these services have only terminating ones */
  terminating: number
  /** targetPort by container port name (sometimes resolving to different numbers per pod) */
  namedTargetPort: number
  multiPort: number
  udp: number
}

export const DEFAULT_MIX: Readonly<ServiceMix> = {
  nodePort: 0.1,
  loadBalancer: 0.05,
  sourceRanges: 0.5,
  externalIPs: 0.02,
  clientIPAffinity: 0.05,
  externalLocal: 0.3,
  internalLocal: 0.03,
  noEndpoints: 0.02,
  terminating: 0.05,
  namedTargetPort: 0.2,
  multiPort: 0.1,
  udp: 0.05,
}

export interface GenerateOptions {
  seed?: number
  services?: number
  endpoints?: EndpointCount
  /** default: enough nodes for at most 110 pods each (kubelet's default maxPods), at least 3 */
  nodes?: number
  /** default: one per 50 services, at least 2 */
  namespaces?: number
  /** default: one per 10 services */
  policies?: number
  /** pods backing no service (sources for traffic); default: one per node, at most 1000 */
  clientPods?: number
  /** host-network pods (one per node at most); default 0 */
  hostNetworkPods?: number
  serviceCIDR?: string
  podCIDR?: string
  /** where node InternalIPs come from; default 192.168.0.0/16 */
  nodeCIDR?: string
  /** prefix length of each node's podCIDR; default /24, or larger blocks when pods per node need them */
  nodePodPrefix?: number
  /** default 16 GiB */
  nodeMemoryBytes?: number
  /** kube-apiserver --service-node-port-range; default [30000, 32767] */
  nodePortRange?: [number, number]
  /** pool for LoadBalancer ingress IPs; default 172.20.0.0/14 */
  loadBalancerCIDR?: string
  /** pool for externalIPs; default 172.24.0.0/14 */
  externalIPCIDR?: string
  mix?: Partial<ServiceMix>
}
