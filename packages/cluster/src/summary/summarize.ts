import { clusterIndex } from '../index/clusterIndex'
import { externallyAccessible, serviceEndpoints } from '../reference/endpoints'
import type { Cluster } from '../scenario/types'
import { policyShapes } from './policyShapes'

/** What `dpsim summary` prints: counts by kind, service types and shapes, endpoints, policy shapes. */
export interface ClusterSummary {
  serviceCIDR: string
  podCIDR: string
  counts: {
    nodes: number
    namespaces: number
    pods: number
    hostNetworkPods: number
    services: number
    servicePorts: number
    endpointSlices: number
    endpoints: number
    networkPolicies: number
  }
  serviceTypes: { ClusterIP: number; NodePort: number; LoadBalancer: number; headless: number }
  serviceShapes: Record<string, number>
  /** distinct endpoint addresses (over all ports) per service */
  endpointsPerService: { min: number; median: number; max: number; mean: number }
  endpointConditions: { ready: number; servingTerminating: number; notServing: number }
  policyTypes: { ingress: number; egress: number }
  policyShapes: Record<string, number>
}

export function summarizeCluster(cluster: Cluster): ClusterSummary {
  const idx = clusterIndex(cluster)
  const shapes: Record<string, number> = {}
  const bump = (o: Record<string, number>, k: string) => {
    o[k] = (o[k] ?? 0) + 1
  }
  const types = { ClusterIP: 0, NodePort: 0, LoadBalancer: 0, headless: 0 }
  const perService: number[] = []
  let servicePorts = 0
  for (const s of cluster.services) {
    types[s.type]++
    if (s.clusterIP === 'None') types.headless++
    servicePorts += s.ports.length
    if (s.externalIPs.length) bump(shapes, 'externalIPs')
    if (s.loadBalancerSourceRanges.length) bump(shapes, 'loadBalancerSourceRanges')
    if (s.sessionAffinity === 'ClientIP') bump(shapes, 'clientIPAffinity')
    if (s.externalTrafficPolicy === 'Local' && externallyAccessible(s))
      bump(shapes, 'externalTrafficPolicyLocal')
    if (s.internalTrafficPolicy === 'Local') bump(shapes, 'internalTrafficPolicyLocal')
    if (s.ports.some((p) => typeof p.targetPort === 'string')) bump(shapes, 'namedTargetPort')
    if (s.ports.length > 1) bump(shapes, 'multiPort')
    if (s.ports.some((p) => p.protocol === 'UDP')) bump(shapes, 'udp')
    if (s.ports.some((p) => p.protocol === 'SCTP')) bump(shapes, 'sctp')
    const backends = new Set<string>()
    let terminating = false
    for (const p of s.ports)
      for (const e of serviceEndpoints(idx, s, p)) {
        backends.add(e.ip)
        if (e.terminating) terminating = true
      }
    if (backends.size === 0) bump(shapes, 'withoutEndpoints')
    if (terminating) bump(shapes, 'withTerminatingEndpoints')
    perService.push(backends.size)
  }
  const conditions = { ready: 0, servingTerminating: 0, notServing: 0 }
  let endpoints = 0
  for (const sl of cluster.endpointSlices)
    for (const e of sl.endpoints) {
      endpoints++
      if (e.ready) conditions.ready++
      else if (e.serving && e.terminating) conditions.servingTerminating++
      else conditions.notServing++
    }
  const policyShapeCounts: Record<string, number> = {}
  const policyTypes = { ingress: 0, egress: 0 }
  for (const np of cluster.networkPolicies) {
    for (const t of policyShapes(np)) bump(policyShapeCounts, t)
    if (np.policyTypes.includes('Ingress')) policyTypes.ingress++
    if (np.policyTypes.includes('Egress')) policyTypes.egress++
  }
  perService.sort((a, b) => a - b)
  const n = perService.length
  return {
    serviceCIDR: cluster.serviceCIDR,
    podCIDR: cluster.podCIDR,
    counts: {
      nodes: cluster.nodes.length,
      namespaces: cluster.namespaces.length,
      pods: cluster.pods.length,
      hostNetworkPods: cluster.pods.filter((p) => p.hostNetwork).length,
      services: cluster.services.length,
      servicePorts,
      endpointSlices: cluster.endpointSlices.length,
      endpoints,
      networkPolicies: cluster.networkPolicies.length,
    },
    serviceTypes: types,
    serviceShapes: shapes,
    endpointsPerService: {
      min: n ? perService[0] : 0,
      median: n ? (n % 2 ? perService[(n - 1) / 2] : (perService[n / 2 - 1] + perService[n / 2]) / 2) : 0,
      max: n ? perService[n - 1] : 0,
      mean: n ? Math.round((perService.reduce((a, b) => a + b, 0) / n) * 100) / 100 : 0,
    },
    endpointConditions: conditions,
    policyTypes,
    policyShapes: policyShapeCounts,
  }
}

/** The summary as aligned text lines, keys sorted. */
export function formatSummary(s: ClusterSummary, title = 'cluster'): string {
  const pairs = (o: Record<string, number>) =>
    Object.keys(o)
      .sort()
      .map((k) => `${k} ${o[k]}`)
      .join('  ') || '-'
  const lines: Array<[string, string]> = [
    ['cluster', `${title}  service CIDR ${s.serviceCIDR}  pod CIDR ${s.podCIDR}`],
    ['objects', pairs(s.counts)],
    ['service types', pairs(s.serviceTypes)],
    ['service shapes', pairs(s.serviceShapes)],
    [
      'endpoints/service',
      `min ${s.endpointsPerService.min}  median ${s.endpointsPerService.median}  max ${s.endpointsPerService.max}  mean ${s.endpointsPerService.mean}`,
    ],
    ['endpoint states', pairs(s.endpointConditions)],
    ['policy types', pairs(s.policyTypes)],
    ['policy shapes', pairs(s.policyShapes)],
  ]
  const w = Math.max(...lines.map(([k]) => k.length))
  return `${lines.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n`
}
