import { join } from 'node:path'
import { type Cluster, generateCluster } from '@dataplane-sim/cluster'

/**
 * A big cluster for the iptables benchmarks: generateCluster's service mix at `services` × `endpoints`, with
 * the pods of other nodes dropped (kube-proxy reads EndpointSlices, Calico only this node's pods and the
 * selector members) to keep the heap to what one node's agents would hold.
 */
export function benchCluster(
  services: number,
  endpoints: number,
  policies = 0,
): { cluster: Cluster; node: string } {
  const g = generateCluster({ seed: 1, services, endpoints, policies, podCIDR: '10.0.0.0/8' })
  const node = g.nodes[0].name
  return { cluster: { ...g, pods: g.pods.filter((p) => p.nodeName === node) }, node }
}

/** The repository root: benchmark records go to `reports/bench/` under it. */
export const repoRoot = join(import.meta.dirname, '..', '..', '..')
