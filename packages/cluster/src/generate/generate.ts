import { InputError } from '../errors/errors'
import { type Cidr, cidrSize, formatCidr, subnet, tryParseCidr, u32ToIp } from '../ip/ipv4'
import { createRng, type Rng } from '../rng/rng'
import { type EndpointConditions, endpointSlicesFor } from '../scenario/endpointSlices'
import {
  CLUSTER_SCHEMA_VERSION,
  type Cluster,
  type ContainerPort,
  type EndpointSlice,
  type Labels,
  type Namespace,
  type Node,
  type Pod,
  type Protocol,
  type Service,
  type ServicePort,
  type ServiceType,
} from '../scenario/types'
import { Allocator } from './allocator'
import { DEFAULT_MIX, type EndpointCount, type GenerateOptions, type ServiceMix } from './options'
import { generatePolicies } from './policies'

const GiB = 1024 ** 3
const MAX_PODS_PER_NODE = 110
const TIERS = ['frontend', 'backend', 'db'] as const
const TEAMS = ['payments', 'search', 'platform'] as const
const PORTS: ReadonlyArray<{ port: number; target: number; name: string }> = [
  { port: 80, target: 8080, name: 'http' },
  { port: 443, target: 8443, name: 'https' },
  { port: 5432, target: 5432, name: 'postgres' },
  { port: 6379, target: 6379, name: 'redis' },
  { port: 9090, target: 9090, name: 'metrics' },
  { port: 8000, target: 8000, name: 'api' },
]
/** Documentation ranges (RFC 5737), so generated clients outside the cluster never collide with it. */
export const SOURCE_RANGES = ['203.0.113.0/25', '198.51.100.0/24', '192.0.2.0/26'] as const

/**
 * A synthetic cluster, deterministic by seed: nodes with a podCIDR block each, namespaces, one deployment of
 * pods per service (labels its selector matches, named container ports), the EndpointSlices the controller
 * would write for them, client pods, and NetworkPolicies of every common shape. Every random choice comes
 * from the shared RNG, forked per concern so that e.g. changing the policy count leaves services unchanged.
 * NodePort/LoadBalancer services that no longer fit in the nodePort range are created as ClusterIP (an API
 * server would refuse them).
 */
export function generateCluster(options: GenerateOptions = {}): Cluster {
  const seed = options.seed ?? 1
  const nServices = intOption('services', options.services ?? 100, 0)
  const mix: ServiceMix = { ...DEFAULT_MIX, ...options.mix }
  const rng = createRng(seed)
  const svcRng = rng.fork('services')
  const endpointCounts = drawEndpointCounts(options.endpoints ?? 3, nServices, rng.fork('endpoints'))
  const backendPods = endpointCounts.reduce((a, b) => a + b, 0)
  const nClients = intOption('clientPods', options.clientPods ?? -1, -1)
  const provisionalNodes = Math.max(3, Math.ceil((backendPods + Math.max(0, nClients)) / MAX_PODS_PER_NODE))
  const nNodes = intOption('nodes', options.nodes ?? provisionalNodes, 1)
  const clients = nClients >= 0 ? nClients : Math.min(nNodes, 1000)
  const nNamespaces = intOption('namespaces', options.namespaces ?? Math.max(2, Math.ceil(nServices / 50)), 1)

  const serviceCIDR = cidrOption('serviceCIDR', options.serviceCIDR ?? '10.96.0.0/12')
  const podCIDR = cidrOption('podCIDR', options.podCIDR ?? '10.244.0.0/16')
  const nodeCIDR = cidrOption('nodeCIDR', options.nodeCIDR ?? '192.168.0.0/16')
  const lbCIDR = cidrOption('loadBalancerCIDR', options.loadBalancerCIDR ?? '172.20.0.0/14')
  const extCIDR = cidrOption('externalIPCIDR', options.externalIPCIDR ?? '172.24.0.0/14')

  // Nodes and their podCIDR blocks: /24 unless pods per node need a larger block.
  const podsPerNode = Math.ceil((backendPods + clients) / nNodes)
  const needPrefix = 32 - Math.ceil(Math.log2(Math.max(podsPerNode, 1) * 1.25 + 3))
  const nodePrefix = options.nodePodPrefix ?? Math.min(24, needPrefix)
  if (nodePrefix < podCIDR.prefix || 2 ** (nodePrefix - podCIDR.prefix) < nNodes)
    throw optionError(
      `pod CIDR ${formatCidr(podCIDR)} cannot hold ${nNodes} node blocks of /${nodePrefix} ` +
        `(${podsPerNode} pods per node): pass a larger pod CIDR (for example 10.0.0.0/8) or more nodes`,
    )
  if (nNodes + 10 > cidrSize(nodeCIDR))
    throw optionError(`node CIDR ${formatCidr(nodeCIDR)} is too small for ${nNodes} nodes`)
  const nodes: Node[] = []
  const blocks: Cidr[] = []
  const width = String(Math.max(nNodes - 1, 1)).length
  for (let i = 0; i < nNodes; i++) {
    const block = subnet(podCIDR, nodePrefix, i)
    blocks.push(block)
    nodes.push({
      name: `node-${String(i).padStart(width, '0')}`,
      internalIP: u32ToIp(nodeCIDR.base + 10 + i),
      podCIDR: formatCidr(block),
      labels: {
        'kubernetes.io/hostname': `node-${String(i).padStart(width, '0')}`,
        'topology.kubernetes.io/zone': `zone-${i % 3}`,
      },
      memoryBytes: options.nodeMemoryBytes ?? 16 * GiB,
    })
  }
  const nodeFill = new Int32Array(nNodes)
  const blockCapacity = 2 ** (32 - nodePrefix) - 3
  const nodeRng = rng.fork('placement')
  /** Places one pod: returns its node index; its address is then `lastIP`. */
  let lastIP = ''
  const placePod = (): number => {
    let n = nodeRng.int(nNodes)
    for (let k = 0; k < nNodes && nodeFill[n] >= blockCapacity; k++) n = (n + 1) % nNodes
    if (nodeFill[n] >= blockCapacity) throw optionError('node pod blocks are full: pass a larger pod CIDR')
    // .0 is the network, .1 the node's bridge / cilium_host address.
    lastIP = u32ToIp(blocks[n].base + 2 + nodeFill[n]++)
    return n
  }

  const namespaces: Namespace[] = []
  const nsRng = rng.fork('namespaces')
  for (let i = 0; i < nNamespaces; i++) {
    const name = `ns-${String(i).padStart(String(nNamespaces - 1).length, '0')}`
    namespaces.push({ name, labels: { 'kubernetes.io/metadata.name': name, team: nsRng.pick(TEAMS) } })
  }

  const clusterIPs = new Allocator(
    serviceCIDR.base + 2,
    serviceCIDR.base + cidrSize(serviceCIDR) - 2,
    svcRng.fork('ip'),
  )
  if (nServices > clusterIPs.free)
    throw optionError(`service CIDR ${formatCidr(serviceCIDR)} cannot hold ${nServices} services`)
  const [npLo, npHi] = options.nodePortRange ?? [30000, 32767]
  const nodePorts = new Allocator(npLo, npHi, svcRng.fork('nodePort'))
  const lbIPs = new Allocator(lbCIDR.base + 1, lbCIDR.base + cidrSize(lbCIDR) - 2, svcRng.fork('lb'))
  const extIPs = new Allocator(extCIDR.base + 1, extCIDR.base + cidrSize(extCIDR) - 2, svcRng.fork('ext'))

  const pods: Pod[] = []
  const services: Service[] = []
  const endpointSlices: EndpointSlice[] = []
  const svcWidth = String(Math.max(nServices - 1, 1)).length
  for (let i = 0; i < nServices; i++) {
    const r = svcRng
    const ns = namespaces[r.int(nNamespaces)].name
    const name = `svc-${String(i).padStart(svcWidth, '0')}`
    let type: ServiceType = r.chance(mix.nodePort)
      ? 'NodePort'
      : r.chance(mix.loadBalancer)
        ? 'LoadBalancer'
        : 'ClusterIP'
    const multi = r.chance(mix.multiPort)
    const udp = r.chance(mix.udp)
    const named = r.chance(mix.namedTargetPort)
    const first = r.int(PORTS.length)
    const shapes = multi
      ? [PORTS[first], PORTS[(first + 1 + r.int(PORTS.length - 1)) % PORTS.length]]
      : [PORTS[first]]
    const protocol: Protocol = udp ? 'UDP' : 'TCP'
    const needPorts = type === 'ClusterIP' ? 0 : shapes.length + 1
    if (needPorts > nodePorts.free) type = 'ClusterIP'
    const ports: ServicePort[] = shapes.map((s) => {
      const sp: ServicePort = {
        name: multi || named ? s.name : '',
        protocol,
        port: s.port,
        targetPort: named ? s.name : s.target,
      }
      if (type !== 'ClusterIP') sp.nodePort = nodePorts.next()!
      return sp
    })
    const app = name
    const svc: Service = {
      namespace: ns,
      name,
      type,
      clusterIP: u32ToIp(clusterIPs.next()!),
      ports,
      selector: { app },
      externalIPs: [],
      loadBalancerIPs: [],
      loadBalancerSourceRanges: [],
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
    }
    if (type === 'LoadBalancer') {
      const ip = lbIPs.next()
      if (ip !== null) svc.loadBalancerIPs.push(u32ToIp(ip))
      if (r.chance(mix.sourceRanges)) svc.loadBalancerSourceRanges.push(r.pick(SOURCE_RANGES))
    }
    if (r.chance(mix.externalIPs)) {
      const ip = extIPs.next()
      if (ip !== null) svc.externalIPs.push(u32ToIp(ip))
    }
    if (r.chance(mix.clientIPAffinity)) {
      svc.sessionAffinity = 'ClientIP'
      svc.sessionAffinityTimeoutSeconds = 10800
    }
    const external = type !== 'ClusterIP' || svc.externalIPs.length > 0
    if (external && r.chance(mix.externalLocal)) {
      svc.externalTrafficPolicy = 'Local'
      if (type === 'LoadBalancer') {
        const hc = nodePorts.next()
        if (hc !== null) svc.healthCheckNodePort = hc
      }
    }
    if (r.chance(mix.internalLocal)) svc.internalTrafficPolicy = 'Local'
    const noEndpoints = r.chance(mix.noEndpoints)
    if (noEndpoints) svc.selector = { app: `${app}-scaled-to-zero` }
    const terminating = r.chance(mix.terminating)
    const allTerminating = terminating && r.chance(0.3)
    // A canary with another container port number behind the same port name splits the slices.
    const canary = named && r.chance(0.3)
    services.push(svc)

    const tier = r.pick(TIERS)
    const labels: Labels = { app, tier }
    const containerPorts = (shift: number): ContainerPort[] =>
      shapes.map((s) => ({ name: s.name, containerPort: s.target + shift, protocol }))
    const stable = containerPorts(0)
    const canaryPorts = canary ? containerPorts(1) : stable
    const canaryLabels: Labels = canary ? { app, tier, track: 'canary' } : labels
    const backing: Pod[] = []
    const cond = new Map<Pod, EndpointConditions>()
    const n = noEndpoints ? 0 : endpointCounts[i]
    for (let k = 0; k < n; k++) {
      const at = placePod()
      const isCanary = canary && k % 2 === 1
      const pod: Pod = {
        namespace: ns,
        name: `${name}-${k}`,
        labels: isCanary ? canaryLabels : labels,
        ip: lastIP,
        nodeName: nodes[at].name,
        ports: isCanary ? canaryPorts : stable,
      }
      pods.push(pod)
      backing.push(pod)
      if (allTerminating) cond.set(pod, { ready: false, serving: true, terminating: true })
      else if (terminating && r.chance(0.4))
        cond.set(pod, r.chance(0.7) ? { ready: false, serving: true, terminating: true } : NOT_READY)
    }
    for (const s of endpointSlicesFor(svc, backing, (p) => cond.get(p) ?? READY)) endpointSlices.push(s)
  }

  const clientRng = rng.fork('clients')
  for (let i = 0; i < clients; i++) {
    const at = placePod()
    pods.push({
      namespace: namespaces[clientRng.int(nNamespaces)].name,
      name: `client-${i}`,
      labels: { app: 'client', tier: clientRng.pick(TIERS) },
      ip: lastIP,
      nodeName: nodes[at].name,
      ports: [],
    })
  }
  const hostNetwork = Math.min(intOption('hostNetworkPods', options.hostNetworkPods ?? 0, 0), nNodes)
  for (let i = 0; i < hostNetwork; i++)
    pods.push({
      namespace: namespaces[0].name,
      name: `node-agent-${i}`,
      labels: { app: 'node-agent' },
      ip: nodes[i].internalIP,
      nodeName: nodes[i].name,
      ports: [{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }],
      hostNetwork: true,
    })

  const nPolicies = intOption('policies', options.policies ?? Math.ceil(nServices / 10), 0)
  const networkPolicies = generatePolicies(nPolicies, namespaces, services, rng.fork('policies'))
  return {
    schemaVersion: CLUSTER_SCHEMA_VERSION,
    serviceCIDR: formatCidr(serviceCIDR),
    podCIDR: formatCidr(podCIDR),
    nodes,
    namespaces,
    pods,
    services,
    endpointSlices,
    networkPolicies,
  }
}

const READY: EndpointConditions = { ready: true, serving: true, terminating: false }
const NOT_READY: EndpointConditions = { ready: false, serving: false, terminating: false }

function drawEndpointCounts(spec: EndpointCount, n: number, rng: Rng): number[] {
  const out = new Array<number>(n)
  if (typeof spec === 'number') {
    const e = intOption('endpoints', spec, 0)
    return out.fill(e)
  }
  const min = intOption('endpoints.min', spec.min, 0)
  const max = intOption('endpoints.max', spec.max, min)
  if (spec.distribution === 'uniform') {
    for (let i = 0; i < n; i++) out[i] = rng.range(min, max)
    return out
  }
  // Inverse-CDF sampling of a truncated zipf over [min, max] (k shifted to start at 1).
  const s = spec.s ?? 1.2
  const weights: number[] = []
  let total = 0
  for (let k = min; k <= max; k++) total += weights[k - min] = 1 / (k - min + 1) ** s
  for (let i = 0; i < n; i++) {
    let x = rng.float() * total
    let k = 0
    while (k < weights.length - 1 && x >= weights[k]) x -= weights[k++]
    out[i] = min + k
  }
  return out
}

function intOption(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw optionError(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`)
  return value
}

function cidrOption(name: string, text: string): Cidr {
  const c = tryParseCidr(text)
  if (!c || !text.includes('/'))
    throw optionError(`${name} must be an IPv4 CIDR like 10.0.0.0/8, got ${JSON.stringify(text)}`)
  return c
}

function optionError(message: string): InputError {
  return new InputError(message, '<options>')
}
