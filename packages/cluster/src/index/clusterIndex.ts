import type {
  Cluster,
  EndpointSlice,
  Namespace,
  NetworkPolicy,
  Node,
  Pod,
  Protocol,
  Service,
  ServicePort,
} from '../scenario/types'

/** How a packet addressed a service: its frontend kinds, as kube-proxy names the KUBE-SERVICES rules. */
export type FrontendKind = 'clusterIP' | 'nodePort' | 'externalIP' | 'loadBalancer'

/** One service port reachable at one address (or at every node address, for a nodePort). */
export interface FrontendEntry {
  kind: FrontendKind
  service: Service
  port: ServicePort
}

/**
 * Lookups over one cluster, built once: pods by IP, nodes by name and IP, services by frontend
 * (ip, protocol, port) and nodePort, endpoint slices by service, namespaces by name, policies by namespace.
 * Every lookup is one Map access. Clusters are treated as immutable (applyChange returns a new one), so
 * `clusterIndex` caches the index per cluster object.
 */
export interface ClusterIndex {
  readonly cluster: Cluster
  /** pods with their own address (host-network pods share their node's IP and are not listed) */
  readonly podByIP: ReadonlyMap<string, Pod>
  /** "namespace/name" */
  readonly podByKey: ReadonlyMap<string, Pod>
  readonly nodeByName: ReadonlyMap<string, Node>
  readonly nodeByIP: ReadonlyMap<string, Node>
  readonly namespaceByName: ReadonlyMap<string, Namespace>
  /** "namespace/name" */
  readonly serviceByKey: ReadonlyMap<string, Service>
  /** slices by "namespace/serviceName" */
  readonly slicesByService: ReadonlyMap<string, readonly EndpointSlice[]>
  readonly policiesByNamespace: ReadonlyMap<string, readonly NetworkPolicy[]>
  /** clusterIP, externalIP or load-balancer IP frontend at (ip, protocol, port) */
  frontend(ip: string, protocol: Protocol, port: number): FrontendEntry | undefined
  /** the service port owning a nodePort (on every node address) */
  nodePort(protocol: Protocol, port: number): FrontendEntry | undefined
  /** every frontend, in cluster order (for arbitraries and tools) */
  readonly frontends: readonly (FrontendEntry & { ip: string | null; at: number })[]
}

const cache = new WeakMap<Cluster, ClusterIndex>()

/** The index of `cluster`, built on first use and cached for that cluster object. */
export function clusterIndex(cluster: Cluster): ClusterIndex {
  let idx = cache.get(cluster)
  if (!idx) {
    idx = buildClusterIndex(cluster)
    cache.set(cluster, idx)
  }
  return idx
}

/** Builds a fresh index (O(objects)). Later duplicates do not override earlier ones. */
export function buildClusterIndex(cluster: Cluster): ClusterIndex {
  const podByIP = new Map<string, Pod>()
  const podByKey = new Map<string, Pod>()
  for (const p of cluster.pods) {
    setOnce(podByKey, `${p.namespace}/${p.name}`, p)
    if (!p.hostNetwork && p.ip) setOnce(podByIP, p.ip, p)
  }
  const nodeByName = new Map<string, Node>()
  const nodeByIP = new Map<string, Node>()
  for (const n of cluster.nodes) {
    setOnce(nodeByName, n.name, n)
    setOnce(nodeByIP, n.internalIP, n)
  }
  const namespaceByName = new Map<string, Namespace>()
  for (const ns of cluster.namespaces) setOnce(namespaceByName, ns.name, ns)
  const serviceByKey = new Map<string, Service>()
  const byFrontend = new Map<string, FrontendEntry>()
  const byNodePort = new Map<string, FrontendEntry>()
  const frontends: Array<FrontendEntry & { ip: string | null; at: number }> = []
  for (const svc of cluster.services) {
    setOnce(serviceByKey, `${svc.namespace}/${svc.name}`, svc)
    // Headless services get no dataplane rules (kube-proxy skips ClusterIP None).
    const headless = svc.clusterIP === 'None' || svc.clusterIP === ''
    for (const port of svc.ports) {
      const add = (kind: FrontendKind, ip: string) => {
        const e = { kind, service: svc, port }
        if (setOnce(byFrontend, frontendKey(ip, port.protocol, port.port), e))
          frontends.push({ ...e, ip, at: port.port })
      }
      if (!headless) add('clusterIP', svc.clusterIP)
      if (headless) continue
      for (const ip of svc.externalIPs) add('externalIP', ip)
      if (svc.type === 'LoadBalancer') for (const ip of svc.loadBalancerIPs) add('loadBalancer', ip)
      if ((svc.type === 'NodePort' || svc.type === 'LoadBalancer') && port.nodePort) {
        const e: FrontendEntry = { kind: 'nodePort', service: svc, port }
        if (setOnce(byNodePort, `${port.protocol}|${port.nodePort}`, e))
          frontends.push({ ...e, ip: null, at: port.nodePort })
      }
    }
  }
  const slicesByService = new Map<string, EndpointSlice[]>()
  for (const s of cluster.endpointSlices) {
    const key = `${s.namespace}/${s.serviceName}`
    const list = slicesByService.get(key)
    if (list) list.push(s)
    else slicesByService.set(key, [s])
  }
  const policiesByNamespace = new Map<string, NetworkPolicy[]>()
  for (const np of cluster.networkPolicies) {
    const list = policiesByNamespace.get(np.namespace)
    if (list) list.push(np)
    else policiesByNamespace.set(np.namespace, [np])
  }
  return {
    cluster,
    podByIP,
    podByKey,
    nodeByName,
    nodeByIP,
    namespaceByName,
    serviceByKey,
    slicesByService,
    policiesByNamespace,
    frontends,
    frontend: (ip, protocol, port) => byFrontend.get(frontendKey(ip, protocol, port)),
    nodePort: (protocol, port) => byNodePort.get(`${protocol}|${port}`),
  }
}

function frontendKey(ip: string, protocol: Protocol, port: number): string {
  return `${ip}|${protocol}|${port}`
}

function setOnce<K, V>(map: Map<K, V>, key: K, value: V): boolean {
  if (map.has(key)) return false
  map.set(key, value)
  return true
}
