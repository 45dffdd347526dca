import type { ClusterIndex } from '../index/clusterIndex'
import type { Service, ServicePort } from '../scenario/types'

/** One endpoint of one service port, as kube-proxy's endpoint slice cache flattens the slices. */
export interface ServiceEndpoint {
  ip: string
  port: number
  nodeName?: string
  ready: boolean
  serving: boolean
  terminating: boolean
  /** "namespace/name" of the backing pod (targetRef) */
  pod?: string
}

/**
 * The endpoints of `port` of `svc`: every slice endpoint whose slice carries a port with the same name and
 * protocol, deduplicated by ip:port (the first slice wins), as pkg/proxy/endpointslicecache.go merges them.
 */
export function serviceEndpoints(idx: ClusterIndex, svc: Service, port: ServicePort): ServiceEndpoint[] {
  const out: ServiceEndpoint[] = []
  const seen = new Set<string>()
  for (const slice of idx.slicesByService.get(`${svc.namespace}/${svc.name}`) ?? []) {
    const sp = slice.ports.find((p) => p.name === port.name && p.protocol === port.protocol)
    if (!sp) continue
    for (const ep of slice.endpoints) {
      const key = `${ep.address}:${sp.port}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push({
        ip: ep.address,
        port: sp.port,
        nodeName: ep.nodeName,
        ready: ep.ready,
        serving: ep.serving,
        terminating: ep.terminating,
        pod: ep.targetRef,
      })
    }
  }
  return out
}

export interface CategorizedEndpoints {
  /** endpoints for "Cluster" traffic policy: ready ones, or serving+terminating when none is ready */
  clusterEndpoints: ServiceEndpoint[]
  /** endpoints for "Local" traffic policy: this node's ready ones, or its serving+terminating ones */
  localEndpoints: ServiceEndpoint[]
  /** some endpoint anywhere is ready, or serving and terminating */
  hasAnyEndpoints: boolean
}

/** The service can send external traffic (NodePort, LoadBalancer, or externalIPs). */
export function externallyAccessible(svc: Service): boolean {
  return svc.type === 'NodePort' || svc.type === 'LoadBalancer' || svc.externalIPs.length > 0
}

/**
 * kube-proxy's CategorizeEndpoints (pkg/proxy/topology.go), without topology-aware hints (not modeled).
 * Cluster endpoints are computed when the service ever uses them: internalTrafficPolicy Cluster, or when it
 * is externally accessible (even under externalTrafficPolicy Local, pod traffic to an external address
 * short-circuits to all endpoints).
 */
export function categorizeEndpoints(
  endpoints: readonly ServiceEndpoint[],
  svc: Service,
  nodeName: string,
): CategorizedEndpoints {
  const external = externallyAccessible(svc)
  const usesCluster = svc.internalTrafficPolicy !== 'Local' || external
  const usesLocal =
    svc.internalTrafficPolicy === 'Local' || (svc.externalTrafficPolicy === 'Local' && external)
  let clusterEndpoints: ServiceEndpoint[] = []
  let hasAnyEndpoints = false
  if (usesCluster) {
    clusterEndpoints = endpoints.filter((ep) => ep.ready)
    if (clusterEndpoints.length === 0)
      clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating)
    hasAnyEndpoints = clusterEndpoints.length > 0
  }
  let localEndpoints: ServiceEndpoint[] = []
  if (usesLocal) {
    const local = endpoints.filter((ep) => ep.nodeName === nodeName)
    for (const ep of endpoints) if (ep.ready || (ep.serving && ep.terminating)) hasAnyEndpoints = true
    localEndpoints = local.filter((ep) => ep.ready)
    if (localEndpoints.length === 0) localEndpoints = local.filter((ep) => ep.serving && ep.terminating)
  }
  return { clusterEndpoints, localEndpoints, hasAnyEndpoints }
}
