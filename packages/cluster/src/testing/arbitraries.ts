import fc from 'fast-check'
import { applyChange, type ClusterChange } from '../contract/change'
import { generateCluster } from '../generate/generate'
import type { GenerateOptions, ServiceMix } from '../generate/options'
import { generatePolicies } from '../generate/policies'
import { clusterIndex } from '../index/clusterIndex'
import { cidrContains, cidrSize, ipToU32, parseCidr, u32ToIp } from '../ip/ipv4'
import type { Packet, PacketProtocol } from '../packet/packet'
import { createRng } from '../rng/rng'
import type { Cluster, EndpointSlice, Pod, Service } from '../scenario/types'

/** Shares high enough that a cluster of a handful of services shows every service shape. */
export const RICH_MIX: ServiceMix = {
  nodePort: 0.3,
  loadBalancer: 0.4,
  sourceRanges: 0.5,
  externalIPs: 0.25,
  clientIPAffinity: 0.25,
  externalLocal: 0.5,
  internalLocal: 0.2,
  noEndpoints: 0.12,
  terminating: 0.35,
  namedTargetPort: 0.4,
  multiPort: 0.3,
  udp: 0.2,
}

export interface ArbClusterOptions {
  /** default 3 */
  maxNodes?: number
  /** default 8 */
  maxServices?: number
  /** default 4 */
  maxPolicies?: number
  /** default 4 */
  maxEndpoints?: number
}

/**
 * Small valid clusters: 1-3 nodes, 0-8 services of every shape (NodePort, LoadBalancer with and without
 * source ranges, externalIPs, ClientIP affinity, eTP/iTP Local, no endpoints, terminating and not-ready
 * endpoints, named target ports resolving differently per pod, multi-port, UDP), 0-4 NetworkPolicies of
 * every shape, client pods and sometimes a host-network pod. Built with generateCluster from a
 * fast-check-chosen seed and sizes, so counterexamples shrink to fewer nodes, services and policies.
 */
export function arbCluster(opts: ArbClusterOptions = {}): fc.Arbitrary<Cluster> {
  return arbGenerateOptions(opts).map((o) => generateCluster(o))
}

/** The generateCluster options behind arbCluster (handy to print a counterexample compactly). */
export function arbGenerateOptions(opts: ArbClusterOptions = {}): fc.Arbitrary<GenerateOptions> {
  return fc
    .record({
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
      nodes: fc.integer({ min: 1, max: opts.maxNodes ?? 3 }),
      services: fc.integer({ min: 0, max: opts.maxServices ?? 8 }),
      policies: fc.integer({ min: 0, max: opts.maxPolicies ?? 4 }),
      maxEndpoints: fc.integer({ min: 0, max: opts.maxEndpoints ?? 4 }),
      namespaces: fc.integer({ min: 1, max: 3 }),
      clientPods: fc.integer({ min: 1, max: 3 }),
      hostNetworkPods: fc.integer({ min: 0, max: 1 }),
    })
    .map(({ maxEndpoints, ...o }) => ({
      ...o,
      endpoints: { distribution: 'uniform' as const, min: Math.min(1, maxEndpoints), max: maxEndpoints },
      mix: RICH_MIX,
    }))
}

/** Where a generated packet is aimed and where it comes from. */
export type PacketAim = 'frontend' | 'pod' | 'node' | 'nothing'
export type PacketFrom = 'pod' | 'node' | 'outside'

/** A packet together with the node it enters on (what resolveReference and tracePath need). */
export interface PacketCase {
  packet: Packet
  /** entry node: the source pod's node, the source node, or (from outside) the addressed or a random node */
  node: string
  aim: PacketAim
  from: PacketFrom
}

/** Clients outside the cluster: inside and outside the generated source ranges and ipBlocks. */
export const OUTSIDE_SOURCES = [
  '203.0.113.7',
  '203.0.113.200',
  '198.51.100.20',
  '192.0.2.9',
  '172.17.1.5',
] as const
const NOWHERE = [
  { ip: '8.8.8.8', port: 53 },
  { ip: '172.20.255.254', port: 80 },
  { ip: '10.96.0.1', port: 443 },
] as const

interface Target {
  ip: string | null
  port: number
  protocol: PacketProtocol
  aim: PacketAim
  /** for a nodePort: the node it is addressed to */
  node?: string
}

/**
 * Packets for `cluster`: aimed at service frontends (clusterIP, every node's nodePorts, externalIPs, LB
 * IPs; sometimes the wrong port or protocol), at pods (container ports or others), at nodes, and at
 * nothing; sent from pods, nodes and outside clients.
 */
export function arbPacket(cluster: Cluster): fc.Arbitrary<PacketCase> {
  const idx = clusterIndex(cluster)
  const lower = (p: string) => p.toLowerCase() as PacketProtocol
  const targets: fc.Arbitrary<Target>[] = []
  const frontendTargets: Target[] = []
  for (const f of idx.frontends) {
    if (f.ip !== null)
      frontendTargets.push({ ip: f.ip, port: f.at, protocol: lower(f.port.protocol), aim: 'frontend' })
    else
      for (const n of cluster.nodes)
        frontendTargets.push({
          ip: n.internalIP,
          port: f.at,
          protocol: lower(f.port.protocol),
          aim: 'frontend',
          node: n.name,
        })
  }
  if (frontendTargets.length) {
    const exact = fc.constantFrom(...frontendTargets)
    targets.push(exact, exact, exact)
    targets.push(
      fc
        .tuple(exact, fc.constantFrom<PacketProtocol>('tcp', 'udp', 'icmp'), fc.integer({ min: 0, max: 2 }))
        .map(([t, protocol, d]): Target => ({ ...t, protocol, port: t.port + d, aim: 'nothing' })),
    )
  }
  const pods = cluster.pods.filter((p) => !p.hostNetwork)
  if (pods.length)
    targets.push(
      fc
        .tuple(
          fc.constantFrom(...pods),
          fc.constantFrom(8080, 5432, 1234, 32768),
          fc.boolean(),
          fc.constantFrom<PacketProtocol>('tcp', 'udp', 'icmp'),
        )
        .map(([p, other, own, protocol]): Target => {
          const cp = own && p.ports.length ? p.ports[0] : null
          return cp
            ? { ip: p.ip, port: cp.containerPort, protocol: lower(cp.protocol), aim: 'pod' }
            : { ip: p.ip, port: other, protocol, aim: 'pod' }
        }),
    )
  targets.push(
    fc
      .tuple(fc.constantFrom(...cluster.nodes), fc.constantFrom(22, 10250, 30000))
      .map(([n, port]): Target => ({ ip: n.internalIP, port, protocol: 'tcp', aim: 'node', node: n.name })),
  )
  targets.push(fc.constantFrom(...NOWHERE).map((t): Target => ({ ...t, protocol: 'tcp', aim: 'nothing' })))

  const sources: fc.Arbitrary<{ src: string; node: string | null; from: PacketFrom }>[] = []
  if (pods.length) {
    const fromPod = fc
      .constantFrom(...pods)
      .map((p: Pod) => ({ src: p.ip, node: p.nodeName, from: 'pod' as const }))
    sources.push(fromPod, fromPod)
  }
  sources.push(
    fc
      .constantFrom(...cluster.nodes)
      .map((n) => ({ src: n.internalIP, node: n.name, from: 'node' as const })),
  )
  sources.push(
    fc.constantFrom(...OUTSIDE_SOURCES).map((src) => ({ src, node: null, from: 'outside' as const })),
  )

  return fc
    .tuple(
      fc.oneof(...sources),
      fc.oneof(...targets),
      fc.integer({ min: 1024, max: 65535 }),
      fc.constantFrom(...cluster.nodes),
    )
    .map(([s, t, sport, anyNode]): PacketCase => {
      const icmp = t.protocol === 'icmp'
      const packet: Packet = {
        protocol: t.protocol,
        src: s.src,
        dst: t.ip!,
        sport: icmp ? 0 : sport,
        dport: icmp ? 0 : Math.min(t.port, 65535),
      }
      // Outside clients reach a nodePort on the node they address; anything else enters on any node.
      const node = s.node ?? (t.aim === 'frontend' && t.node ? t.node : anyNode.name)
      return { packet, node, aim: t.aim, from: s.from }
    })
}

/** A cluster and a packet for it. */
export function arbClusterAndPacket(
  opts: ArbClusterOptions = {},
): fc.Arbitrary<PacketCase & { cluster: Cluster }> {
  return arbCluster(opts).chain((cluster) => arbPacket(cluster).map((pc) => ({ ...pc, cluster })))
}

/**
 * One watch event for `cluster` that keeps it valid: services added, changed (type, traffic policy, ports)
 * or deleted; endpoints becoming not ready, terminating or removed; pods added, relabeled or deleted;
 * policies added or deleted; namespaces relabeled. As a watch delivers them, deleting a service leaves its
 * EndpointSlices until their own delete event (validateCluster refuses that snapshot; the dataplanes must not).
 */
export function arbChange(cluster: Cluster): fc.Arbitrary<ClusterChange> {
  const options: fc.Arbitrary<ClusterChange>[] = []
  const seed = fc.integer({ min: 0, max: 0x7fffffff })
  const svcs = cluster.services
  if (svcs.length) {
    const svc = fc.constantFrom(...svcs)
    options.push(
      svc.map(
        (s): ClusterChange => ({ op: 'delete', kind: 'Service', namespace: s.namespace, name: s.name }),
      ),
    )
    options.push(
      fc
        .tuple(svc, seed)
        .map(([s, n]): ClusterChange => ({ op: 'upsert', kind: 'Service', object: mutateService(s, n) })),
    )
  }
  options.push(
    seed.map((n): ClusterChange => ({ op: 'upsert', kind: 'Service', object: newService(cluster, n) })),
  )
  const slices = cluster.endpointSlices.filter((s) => s.endpoints.length > 0)
  if (slices.length) {
    const slice = fc.constantFrom(...slices)
    options.push(
      fc
        .tuple(slice, seed)
        .map(([s, n]): ClusterChange => ({ op: 'upsert', kind: 'EndpointSlice', object: mutateSlice(s, n) })),
    )
  }
  if (cluster.endpointSlices.length)
    options.push(
      fc.constantFrom(...cluster.endpointSlices).map(
        (s): ClusterChange => ({
          op: 'delete',
          kind: 'EndpointSlice',
          namespace: s.namespace,
          name: s.name,
        }),
      ),
    )
  const pods = cluster.pods.filter((p) => !p.hostNetwork)
  if (pods.length)
    options.push(
      fc.tuple(fc.constantFrom(...pods), fc.constantFrom('frontend', 'backend', 'db')).map(
        ([p, tier]): ClusterChange => ({
          op: 'upsert',
          kind: 'Pod',
          object: { ...p, labels: { ...p.labels, tier } },
        }),
      ),
    )
  const clients = pods.filter((p) => p.name.startsWith('client-'))
  if (clients.length)
    options.push(
      fc
        .constantFrom(...clients)
        .map((p): ClusterChange => ({ op: 'delete', kind: 'Pod', namespace: p.namespace, name: p.name })),
    )
  const newPod = freePodAddress(cluster)
  if (newPod) options.push(fc.constant<ClusterChange>({ op: 'upsert', kind: 'Pod', object: newPod }))
  options.push(
    seed.map((n): ClusterChange => {
      const [np] = generatePolicies(1, cluster.namespaces, cluster.services, createRng(n))
      np.name = `added-${n}`
      return { op: 'upsert', kind: 'NetworkPolicy', object: np }
    }),
  )
  if (cluster.networkPolicies.length)
    options.push(
      fc.constantFrom(...cluster.networkPolicies).map(
        (p): ClusterChange => ({
          op: 'delete',
          kind: 'NetworkPolicy',
          namespace: p.namespace,
          name: p.name,
        }),
      ),
    )
  options.push(
    fc.tuple(fc.constantFrom(...cluster.namespaces), fc.constantFrom('payments', 'search', 'platform')).map(
      ([ns, team]): ClusterChange => ({
        op: 'upsert',
        kind: 'Namespace',
        object: { ...ns, labels: { ...ns.labels, team } },
      }),
    ),
  )
  return fc.oneof(...options)
}

/** A sequence of up to `max` changes, each valid for the cluster the previous ones produced. */
export function arbChanges(cluster: Cluster, max = 5): fc.Arbitrary<ClusterChange[]> {
  if (max <= 0) return fc.constant<ClusterChange[]>([])
  return fc.oneof(
    fc.constant<ClusterChange[]>([]),
    arbChange(cluster).chain((change) =>
      arbChanges(applyChange(cluster, change), max - 1).map((rest) => [change, ...rest]),
    ),
  )
}

function mutateService(s: Service, n: number): Service {
  const rng = createRng(n)
  const out: Service = { ...s, ports: s.ports.map((p) => ({ ...p })) }
  switch (rng.int(4)) {
    case 0:
      out.internalTrafficPolicy = s.internalTrafficPolicy === 'Local' ? 'Cluster' : 'Local'
      break
    case 1:
      if (s.type !== 'ClusterIP')
        out.externalTrafficPolicy = s.externalTrafficPolicy === 'Local' ? 'Cluster' : 'Local'
      break
    case 2:
      out.sessionAffinity = s.sessionAffinity === 'ClientIP' ? 'None' : 'ClientIP'
      if (out.sessionAffinity === 'ClientIP') out.sessionAffinityTimeoutSeconds = 10800
      else delete out.sessionAffinityTimeoutSeconds
      break
    default:
      out.ports = out.ports.map((p) => ({ ...p, port: p.port === 65535 ? 1 : p.port + 1 }))
  }
  return out
}

function newService(cluster: Cluster, n: number): Service {
  const cidr = parseCidr(cluster.serviceCIDR)
  const used = new Set(cluster.services.map((s) => s.clusterIP))
  let ip = ''
  for (let k = 0; !ip || used.has(ip); k++)
    ip = u32ToIp(cidr.base + 2 + ((n + k * 7919) % (cidrSize(cidr) - 4)))
  const app = cluster.services.length
    ? cluster.services[n % cluster.services.length].selector?.app
    : undefined
  return {
    namespace: cluster.namespaces[n % cluster.namespaces.length].name,
    name: `added-${n}`,
    type: 'ClusterIP',
    clusterIP: ip,
    ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080 }],
    selector: { app: app ?? 'client' },
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    sessionAffinity: 'None',
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
  }
}

function mutateSlice(s: EndpointSlice, n: number): EndpointSlice {
  const i = n % s.endpoints.length
  const endpoints = s.endpoints.map((e) => ({ ...e }))
  switch ((n >>> 8) % 3) {
    case 0:
      Object.assign(endpoints[i], { ready: false, serving: true, terminating: true })
      break
    case 1:
      Object.assign(endpoints[i], {
        ready: !endpoints[i].ready,
        serving: !endpoints[i].ready,
        terminating: false,
      })
      break
    default:
      endpoints.splice(i, 1)
  }
  return { ...s, endpoints }
}

function freePodAddress(cluster: Cluster): Pod | null {
  const used = new Set(cluster.pods.map((p) => p.ip))
  for (const node of cluster.nodes) {
    const block = parseCidr(node.podCIDR)
    for (let i = 2; i < Math.min(cidrSize(block) - 1, 4096); i++) {
      const ip = u32ToIp(block.base + i)
      if (!used.has(ip) && cidrContains(block, ipToU32(ip)))
        return {
          namespace: cluster.namespaces[0].name,
          name: `added-client-${i}`,
          labels: { app: 'client', tier: 'frontend' },
          ip,
          nodeName: node.name,
          ports: [],
        }
    }
  }
  return null
}
