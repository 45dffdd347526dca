import { type Cluster, generateCluster } from '@dataplane-sim/cluster'

/**
 * The benchmarks' cluster: generateCluster seed 1 with `services` × `endpoints`, one policy per 100 services,
 * and a /8 pod CIDR so 100k × 10 pods fit in /24-per-node blocks.
 */
export function benchCluster(services: number, endpoints: number): Cluster {
  return generateCluster({
    seed: 1,
    services,
    endpoints,
    policies: Math.round(services / 100),
    podCIDR: '10.0.0.0/8',
  })
}
