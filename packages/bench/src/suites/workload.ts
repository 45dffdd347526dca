import {
  type Cluster,
  type ClusterChange,
  type EndpointSlice,
  type NetworkPolicy,
  type Packet,
  type Rng,
  resolveReference,
  type Service,
} from '@dataplane-sim/cluster'

/** The four one-object updates the update suite times. */
export type UpdateOp = 'addService' | 'removeService' | 'scaleEndpoints' | 'changePolicy'
export const UPDATE_OPS: readonly UpdateOp[] = [
  'addService',
  'removeService',
  'scaleEndpoints',
  'changePolicy',
]

/**
 * An update and its inverse, each an instance of one of the timed operations: the suite applies them
 * alternately, so every apply is a sample and every other one restores the original table.
 */
export interface UpdatePair {
  /** the op `forward` is an instance of, and the op `backward` is an instance of */
  ops: readonly [UpdateOp, UpdateOp]
  forward: ClusterChange
  backward: ClusterChange
}

/** The middle ClusterIP service with ≥ 2 endpoints (mid-table in KUBE-SERVICES). */
function middleService(cluster: Cluster): { svc: Service; slice: EndpointSlice } | null {
  const slices = new Map<string, EndpointSlice>()
  for (const sl of cluster.endpointSlices) {
    const ready = sl.endpoints.every((e) => e.ready && !e.terminating)
    if (sl.endpoints.length >= 2 && ready) slices.set(`${sl.namespace}/${sl.serviceName}`, sl)
  }
  const withEndpoints = cluster.services.filter(
    (s) => s.type === 'ClusterIP' && s.clusterIP !== 'None' && slices.has(`${s.namespace}/${s.name}`),
  )
  if (withEndpoints.length === 0) return null
  const svc = withEndpoints[Math.floor(withEndpoints.length / 2)]
  return { svc, slice: slices.get(`${svc.namespace}/${svc.name}`)! }
}

/**
 * The update pairs this cluster supports: remove the middle service / add it back (its EndpointSlice stays, so
 * the re-added service has endpoints, as when a Service is created for running pods); drop one endpoint / add
 * it back; add a port to a policy / take it away (no policy pair without a policy).
 */
export function updatePairs(cluster: Cluster): UpdatePair[] {
  const pairs: UpdatePair[] = []
  const mid = middleService(cluster)
  if (mid) {
    pairs.push({
      ops: ['removeService', 'addService'],
      forward: { op: 'delete', kind: 'Service', namespace: mid.svc.namespace, name: mid.svc.name },
      backward: { op: 'upsert', kind: 'Service', object: mid.svc },
    })
    const fewer: EndpointSlice = { ...mid.slice, endpoints: mid.slice.endpoints.slice(0, -1) }
    pairs.push({
      ops: ['scaleEndpoints', 'scaleEndpoints'],
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
      ops: ['changePolicy', 'changePolicy'],
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

/**
 * The address first packets come from: of up to 8 pods on `node`, the one whose connections to `frontends`
 * NetworkPolicy allows most often (by `resolveReference`), so the match suite times connections that are
 * established rather than dropped; the node itself when it runs no pod.
 */
export function clientAddress(cluster: Cluster, node: string, frontends: readonly Frontend[] = []): string {
  const pods = cluster.pods.filter((p) => p.nodeName === node && !p.hostNetwork).slice(0, 8)
  if (pods.length === 0) {
    const n = cluster.nodes.find((x) => x.name === node)
    if (!n) throw new Error(`no node ${node}`)
    return n.internalIP
  }
  if (frontends.length === 0 || pods.length === 1) return pods[0].ip
  let best = pods[0].ip
  let bestAllowed = -1
  for (const pod of pods) {
    let allowed = 0
    for (const p of firstPackets(pod.ip, frontends.slice(0, 16))) {
      if (resolveReference(cluster, p, { node }).verdict === 'forward') allowed++
    }
    if (allowed > bestAllowed) {
      best = pod.ip
      bestAllowed = allowed
    }
  }
  return best
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

/**
 * New connections for a timed first-packet loop: every round moves the packets to source ports no earlier
 * round used, so each one misses conntrack (and Cilium's connected-socket table) as a real first packet does.
 * When the port window [firstPort, lastPort) is used up, the packets move on to the next destination of
 * `templates` (the same source port now goes to another frontend, still a new tuple); after every rotation
 * has been used the tuples would repeat, which `exhausted` reports instead of letting established packets be
 * timed as first ones.
 */
export class FreshFlows {
  private port: number
  private rotation = 0
  /** rounds handed out after the tuples began to repeat */
  repeated = 0

  constructor(
    readonly packets: Packet[],
    private readonly templates: readonly Packet[],
    private readonly firstPort = 20000,
    private readonly lastPort = 49000,
  ) {
    this.port = firstPort
  }

  get exhausted(): boolean {
    return this.rotation >= this.templates.length
  }

  /** Moves every packet to a tuple no earlier round used (the loop's untimed set-up). */
  next(): void {
    const n = this.packets.length
    if (this.port + n > this.lastPort) {
      this.port = this.firstPort
      this.rotation++
    }
    if (this.exhausted) this.repeated++
    const k = this.templates.length
    for (let i = 0; i < n; i++) {
      const t = this.templates[(i + this.rotation) % k]
      const p = this.packets[i]
      p.protocol = t.protocol
      p.dst = t.dst
      p.dport = t.dport
      p.tcpFlags = t.tcpFlags
      p.sport = this.port + i
    }
    this.port += n
  }
}
