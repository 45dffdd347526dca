import type { KubeEndpoint, ServicePortInfo } from './servicePorts'
import { usesClusterEndpoints, usesLocalEndpoints } from './servicePorts'

export interface CategorizedEndpoints {
  clusterEndpoints: KubeEndpoint[]
  localEndpoints: KubeEndpoint[]
  allReachableEndpoints: KubeEndpoint[]
  hasAnyEndpoints: boolean
}

/**
 * CategorizeEndpoints from kubernetes/kubernetes pkg/proxy/topology.go (v1.33): ready endpoints, falling back to
 * serving-and-terminating ones when none is ready; Local policies use local endpoints with the same fallback.
 * Topology hints are not modeled (the scenario carries none), so the topology filter never applies.
 */
export function categorizeEndpoints(sp: ServicePortInfo): CategorizedEndpoints {
  const eps = sp.endpoints
  let clusterEndpoints: KubeEndpoint[] = []
  let localEndpoints: KubeEndpoint[] = []
  let hasAnyEndpoints = false
  if (usesClusterEndpoints(sp)) {
    clusterEndpoints = eps.filter((e) => e.ready)
    if (clusterEndpoints.length === 0) clusterEndpoints = eps.filter((e) => e.serving && e.terminating)
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true
  }
  if (!usesLocalEndpoints(sp))
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints }

  let hasLocalReady = false
  let hasLocalServingTerminating = false
  for (const e of eps) {
    if (e.ready) {
      hasAnyEndpoints = true
      if (e.isLocal) hasLocalReady = true
    } else if (e.serving && e.terminating) {
      hasAnyEndpoints = true
      if (e.isLocal) hasLocalServingTerminating = true
    }
  }
  if (hasLocalReady) localEndpoints = eps.filter((e) => e.isLocal && e.ready)
  else if (hasLocalServingTerminating)
    localEndpoints = eps.filter((e) => e.isLocal && e.serving && e.terminating)

  if (!usesClusterEndpoints(sp))
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints }
  if (localEndpoints.length === 0)
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints }
  // both policies in use: the union (cluster endpoints first, then local ones not already present)
  const seen = new Set(clusterEndpoints.map((e) => e.str))
  const all = clusterEndpoints.slice()
  for (const e of localEndpoints) if (!seen.has(e.str)) all.push(e)
  return { clusterEndpoints, localEndpoints, allReachableEndpoints: all, hasAnyEndpoints }
}
