import {
  type Cluster,
  type ClusterChange,
  type EndpointSlice,
  ipToU32,
  type NetworkPolicy,
  type Packet,
  parseCidr,
  type Rng,
  type Service,
  u32ToIp,
} from '@dataplane-sim/cluster'

/** The four one-object updates the update suite times, each as a pair of changes that undo each other. */
export type UpdateOp = 'addService' | 'removeService' | 'scaleEndpoints' | 'changePolicy'
export const UPDATE_OPS: readonly UpdateOp[] = [
  'addService',
  'removeService',
  'scaleEndpoints',
  'changePolicy',
]

/**
 * An update to time and the change that undoes it. `forward` is what the task applies (timed); `backward`
 * restores the previous state between iterations (not timed), so every iteration starts from the same table.
 */
export interface UpdatePair {
  op: UpdateOp
  forward: ClusterChange
  backward: ClusterChange
}

/** A free ClusterIP: one past the highest ClusterIP in use, inside the service CIDR. */
function freeClusterIP(cluster: Cluster): string {
  const cidr = parseCidr(cluster.serviceCIDR)
  let max = cidr.base + 10
  for (const s of cluster.services) {
    if (s.clusterIP === 'None' || !s.clusterIP) continue
    const ip = ipToU32(s.clusterIP)
    if (ip > max) max = ip
  }
  return u32ToIp((max + 1) >>> 0)
}

/** The middle service with endpoints (kube-proxy's KUBE-SERVICES order puts it mid-table). */
function middleService(cluster: Cluster): { svc: Service; slice: EndpointSlice } | null {
  const slices = new Map<string, EndpointSlice>()
  for (const sl of cluster.endpointSlices) {
    if (sl.endpoints.length >= 2) slices.set(`${sl.namespace}/${sl.serviceName}`, sl)
  }
  const withEndpoints = cluster.services.filter(
    (s) => s.clusterIP !== 'None' && slices.has(`${s.namespace}/${s.name}`),
  )
  if (withEndpoints.length === 0) return null
  const svc = withEndpoints[Math.floor(withEndpoints.length / 2)]
  return { svc, slice: slices.get(`${svc.namespace}/${svc.name}`)! }
}

/** The update pairs this cluster supports (no `changePolicy` without a policy, etc.). */
export function updatePairs(cluster: Cluster): UpdatePair[] {
  const pairs: UpdatePair[] = []
  const mid = middleService(cluster)
  const template = mid?.svc ?? cluster.services[0]
  if (template) {
    const added: Service = {
      ...template,
      name: 'dpsim-bench-added',
      type: 'ClusterIP',
      clusterIP: freeClusterIP(cluster),
      ports: template.ports.map((p) => ({ ...p, nodePort: undefined })),
      externalIPs: [],
      loadBalancerIPs: [],
      loadBalancerSourceRanges: [],
      healthCheckNodePort: undefined,
    }
    pairs.push({
      op: 'addService',
      forward: { op: 'upsert', kind: 'Service', object: added },
      backward: { op: 'delete', kind: 'Service', namespace: added.namespace, name: added.name },
    })
  }
  if (mid) {
    pairs.push({
      op: 'removeService',
      forward: { op: 'delete', kind: 'Service', namespace: mid.svc.namespace, name: mid.svc.name },
      backward: { op: 'upsert', kind: 'Service', object: mid.svc },
    })
    const fewer: EndpointSlice = { ...mid.slice, endpoints: mid.slice.endpoints.slice(0, -1) }
    pairs.push({
      op: 'scaleEndpoints',
      forward: { op: 'upsert', kind: 'EndpointSlice', object: fewer },
      backward: { op: 'upsert', kind: 'EndpointSlice', object: mid.slice },
    })
  }
  const policy = cluster.networkPolicies[0]
  if (policy) {
    const changed: NetworkPolicy = {
      ...policy,
      ingress: [...policy.ingress, { ports: [{ protocol: 'TCP', port: 9999 }] }],
      policyTypes: policy.policyTypes.includes('Ingress')
        ? policy.policyTypes
        : [...policy.policyTypes, 'Ingress'],
    }
    pairs.push({
      op: 'changePolicy',
      forward: { op: 'upsert', kind: 'NetworkPolicy', object: changed },
      backward: { op: 'upsert', kind: 'NetworkPolicy', object: policy },
    })
  }
  return pairs
}

/** A service frontend a client pod reaches: ClusterIP, port, protocol. */
export interface Frontend {
  service: string
  ip: string
  port: number
  protocol: 'tcp' | 'udp' | 'sctp'
}

/** Every ClusterIP frontend of services that have endpoints, in cluster order. */
export function clusterIPFrontends(cluster: Cluster): Frontend[] {
  const hasEndpoints = new Set<string>()
  for (const sl of cluster.endpointSlices) {
    if (sl.endpoints.some((e) => e.ready)) hasEndpoints.add(`${sl.namespace}/${sl.serviceName}`)
  }
  const out: Frontend[] = []
  for (const s of cluster.services) {
    if (s.clusterIP === 'None' || !hasEndpoints.has(`${s.namespace}/${s.name}`)) continue
    for (const p of s.ports) {
      out.push({
        service: `${s.namespace}/${s.name}`,
        ip: s.clusterIP,
        port: p.port,
        protocol: p.protocol.toLowerCase() as Frontend['protocol'],
      })
    }
  }
  return out
}

/** The address first packets come from: a pod on `node` (not host-network), else the node itself. */
export function clientAddress(cluster: Cluster, node: string): string {
  const pod = cluster.pods.find((p) => p.nodeName === node && !p.hostNetwork)
  if (pod) return pod.ip
  const n = cluster.nodes.find((x) => x.name === node)
  if (!n) throw new Error(`no node ${node}`)
  return n.internalIP
}

/** First packets (SYN) from `src` to `frontends`, each on its own source port. */
export function firstPackets(src: string, frontends: readonly Frontend[], firstPort = 20000): Packet[] {
  return frontends.map((f, i) => ({
    protocol: f.protocol,
    src,
    dst: f.ip,
    sport: firstPort + (i % 40000),
    dport: f.port,
    tcpFlags: f.protocol === 'tcp' ? ['SYN'] : undefined,
  }))
}

/** `count` frontends drawn with the seeded RNG (with replacement when there are fewer). */
export function sampleFrontends(frontends: readonly Frontend[], count: number, rng: Rng): Frontend[] {
  if (frontends.length === 0) return []
  if (frontends.length <= count) return frontends.slice()
  const picked = new Set<number>()
  while (picked.size < count) picked.add(rng.int(frontends.length))
  return [...picked].sort((a, b) => a - b).map((i) => frontends[i])
}
