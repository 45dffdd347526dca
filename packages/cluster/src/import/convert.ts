import { tryIpToU32 } from '../ip/ipv4'
import type {
  ContainerPort,
  EndpointPort,
  EndpointSlice,
  EndpointSliceEndpoint,
  IPBlock,
  LabelSelector,
  Namespace,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  Node,
  Pod,
  PolicyType,
  Protocol,
  Service,
  ServicePort,
} from '../scenario/types'
import type { JsonPath } from '../scenario/validate'
import type { Fields } from './fields'
import { parseQuantity } from './quantity'

/**
 * Converters from the API objects kubectl prints to the scenario types, reading only what the dataplanes
 * consume. They mirror how kube-proxy reads the objects (pkg/proxy/servicechangetracker.go,
 * endpointslicecache.go): defaults applied, first address of an endpoint, nil ready read as true.
 * `warn` records a skipped part; a converter returns null for an object it skips entirely.
 */
export interface ConvertContext {
  f: Fields
  warn(message: string): void
}

const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP']

function protocol(c: ConvertContext, v: unknown, path: JsonPath): Protocol {
  const p = c.f.optStr(v, path) ?? 'TCP'
  if (!PROTOCOLS.includes(p as Protocol))
    c.f.fail(path, `expected protocol TCP, UDP or SCTP, got ${JSON.stringify(p)}`)
  return p as Protocol
}

/** IPv4 CIDRs of a list; IPv6 ones are left out with a warning (IPv4 only for now). */
function ipv4Ranges(c: ConvertContext, ranges: string[], what: string): string[] {
  const v4 = ranges
    .map((r) => r.trim())
    .filter((r) => tryIpToU32(r.split('/')[0]) !== null || !r.includes(':'))
  if (v4.length < ranges.length) c.warn(`${what}: IPv6 loadBalancerSourceRanges left out (IPv4 only for now)`)
  return v4
}

export function convertNode(c: ConvertContext, o: Record<string, unknown>, name: string): Node {
  const { f } = c
  const meta = f.optObj(o.metadata, ['metadata'])
  const spec = f.optObj(o.spec, ['spec'])
  const status = f.optObj(o.status, ['status'])
  const addresses = f.arr(status.addresses, ['status', 'addresses'])
  let internalIP: string | undefined
  addresses.forEach((a, i) => {
    const ao = f.obj(a, ['status', 'addresses', i])
    if (internalIP === undefined && ao.type === 'InternalIP') {
      const ip = f.str(ao.address, ['status', 'addresses', i, 'address'])
      if (tryIpToU32(ip) !== null) internalIP = ip
    }
  })
  if (!internalIP) f.fail(['status', 'addresses'], 'expected an InternalIP IPv4 address')
  const cidrs = [f.optStr(spec.podCIDR, ['spec', 'podCIDR']), ...f.arr(spec.podCIDRs, ['spec', 'podCIDRs'])]
  const podCIDR =
    cidrs.find((x): x is string => typeof x === 'string' && tryIpToU32(x.split('/')[0]) !== null) ?? ''
  const node: Node = {
    name,
    internalIP: internalIP!,
    podCIDR,
    labels: f.labels(meta.labels, ['metadata', 'labels']),
  }
  const mem = f.optObj(status.capacity, ['status', 'capacity']).memory
  if (mem !== undefined) {
    const bytes = typeof mem === 'number' ? mem : typeof mem === 'string' ? parseQuantity(mem) : null
    if (bytes === null)
      c.warn(`node ${name}: status.capacity.memory ${JSON.stringify(mem)} is not a quantity; ignored`)
    else node.memoryBytes = bytes
  }
  return node
}

export function convertNamespace(c: ConvertContext, o: Record<string, unknown>, name: string): Namespace {
  return { name, labels: c.f.labels(c.f.optObj(o.metadata, ['metadata']).labels, ['metadata', 'labels']) }
}

export function convertPod(
  c: ConvertContext,
  o: Record<string, unknown>,
  ns: string,
  name: string,
): Pod | null {
  const { f } = c
  const meta = f.optObj(o.metadata, ['metadata'])
  const spec = f.optObj(o.spec, ['spec'])
  const status = f.optObj(o.status, ['status'])
  const phase = f.optStr(status.phase, ['status', 'phase'])
  if (phase === 'Succeeded' || phase === 'Failed') {
    c.warn(`pod ${ns}/${name}: phase ${phase}, its IP may be reused; skipped`)
    return null
  }
  const ips = [
    f.optStr(status.podIP, ['status', 'podIP']),
    ...f
      .arr(status.podIPs, ['status', 'podIPs'])
      .map((x, i) => f.optStr(f.obj(x, ['status', 'podIPs', i]).ip, ['status', 'podIPs', i, 'ip'])),
  ].filter((x): x is string => !!x)
  const nodeName = f.optStr(spec.nodeName, ['spec', 'nodeName'])
  if (ips.length === 0 || !nodeName) {
    c.warn(`pod ${ns}/${name}: not scheduled or no IP yet; skipped`)
    return null
  }
  // IPv4 only for now: a dual-stack pod keeps its IPv4 address, an IPv6-only pod is left out.
  const ip = ips.find((x) => tryIpToU32(x) !== null)
  if (!ip) {
    c.warn(`pod ${ns}/${name}: no IPv4 address (IPv6 is not modeled yet); skipped`)
    return null
  }
  const ports: ContainerPort[] = []
  for (const key of ['initContainers', 'containers'] as const)
    f.arr(spec[key], ['spec', key]).forEach((ct, i) => {
      const co = f.obj(ct, ['spec', key, i])
      f.arr(co.ports, ['spec', key, i, 'ports']).forEach((pv, j) => {
        const path = ['spec', key, i, 'ports', j]
        const po = f.obj(pv, path)
        const cp: ContainerPort = {
          containerPort: f.int(po.containerPort, [...path, 'containerPort'], 1, 65535),
          protocol: protocol(c, po.protocol, [...path, 'protocol']),
        }
        const n = f.optStr(po.name, [...path, 'name'])
        if (n) cp.name = n
        ports.push(cp)
      })
    })
  const pod: Pod = {
    namespace: ns,
    name,
    labels: f.labels(meta.labels, ['metadata', 'labels']),
    ip,
    nodeName,
    ports,
  }
  if (f.optBool(spec.hostNetwork, ['spec', 'hostNetwork'])) pod.hostNetwork = true
  return pod
}

export function convertService(
  c: ConvertContext,
  o: Record<string, unknown>,
  ns: string,
  name: string,
): Service | null {
  const { f } = c
  const spec = f.optObj(o.spec, ['spec'])
  const status = f.optObj(o.status, ['status'])
  const type = f.optStr(spec.type, ['spec', 'type']) ?? 'ClusterIP'
  if (type === 'ExternalName') {
    c.warn(`service ${ns}/${name}: ExternalName services have no dataplane rules; skipped`)
    return null
  }
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer')
    f.fail(
      ['spec', 'type'],
      `expected ClusterIP, NodePort, LoadBalancer or ExternalName, got ${JSON.stringify(type)}`,
    )
  const ips = [
    f.optStr(spec.clusterIP, ['spec', 'clusterIP']),
    ...f.arr(spec.clusterIPs, ['spec', 'clusterIPs']),
  ]
  const given = ips.filter((x): x is string => typeof x === 'string' && x !== '')
  const clusterIP = given.find((x) => x === 'None' || tryIpToU32(x) !== null)
  if (!clusterIP) {
    if (given.length === 0) f.fail(['spec', 'clusterIP'], 'expected a clusterIP or None')
    c.warn(`service ${ns}/${name}: no IPv4 clusterIP (IPv6 is not modeled yet); skipped`)
    return null
  }
  const ports: ServicePort[] = f.arr(spec.ports, ['spec', 'ports']).map((pv, i) => {
    const path = ['spec', 'ports', i]
    const po = f.obj(pv, path)
    const port = f.int(po.port, [...path, 'port'], 1, 65535)
    const tp = po.targetPort
    const sp: ServicePort = {
      name: f.optStr(po.name, [...path, 'name']) ?? '',
      protocol: protocol(c, po.protocol, [...path, 'protocol']),
      port,
      targetPort:
        tp === undefined || tp === null
          ? port
          : typeof tp === 'string'
            ? /^\d+$/.test(tp)
              ? f.int(Number(tp), [...path, 'targetPort'], 1, 65535)
              : f.str(tp, [...path, 'targetPort'])
            : f.int(tp, [...path, 'targetPort'], 1, 65535),
    }
    const np = f.optInt(po.nodePort, [...path, 'nodePort'], 1, 65535)
    if (np !== undefined && type !== 'ClusterIP') sp.nodePort = np
    return sp
  })
  const lbIPs: string[] = []
  f.arr(f.optObj(status.loadBalancer, ['status', 'loadBalancer']).ingress, [
    'status',
    'loadBalancer',
    'ingress',
  ]).forEach((iv, i) => {
    const io = f.obj(iv, ['status', 'loadBalancer', 'ingress', i])
    const ip = f.optStr(io.ip, ['status', 'loadBalancer', 'ingress', i, 'ip'])
    if (ip && tryIpToU32(ip) !== null) lbIPs.push(ip)
    else c.warn(`service ${ns}/${name}: load-balancer ingress without an IPv4 address (hostname?); skipped`)
  })
  const strings = (v: unknown, path: JsonPath) => f.arr(v, path).map((x, i) => f.str(x, [...path, i]))
  const affinity = f.optStr(spec.sessionAffinity, ['spec', 'sessionAffinity']) ?? 'None'
  if (affinity !== 'None' && affinity !== 'ClientIP')
    f.fail(['spec', 'sessionAffinity'], `expected None or ClientIP, got ${JSON.stringify(affinity)}`)
  const policy = (key: string): 'Cluster' | 'Local' => {
    // The API spells the eTP default "Cluster" (older clusters may print "Global"; kube-proxy reads it so too).
    const v = f.optStr(spec[key], ['spec', key]) ?? 'Cluster'
    if (v === 'Local') return 'Local'
    if (v === 'Cluster' || v === 'Global') return 'Cluster'
    return f.fail(['spec', key], `expected Cluster or Local, got ${JSON.stringify(v)}`)
  }
  const svc: Service = {
    namespace: ns,
    name,
    type: type as Service['type'],
    clusterIP,
    ports,
    externalIPs: strings(spec.externalIPs, ['spec', 'externalIPs']).filter((ip) => tryIpToU32(ip) !== null),
    loadBalancerIPs: type === 'LoadBalancer' ? lbIPs : [],
    loadBalancerSourceRanges: ipv4Ranges(
      c,
      strings(spec.loadBalancerSourceRanges, ['spec', 'loadBalancerSourceRanges']),
      `service ${ns}/${name}`,
    ),
    sessionAffinity: affinity as Service['sessionAffinity'],
    externalTrafficPolicy: policy('externalTrafficPolicy'),
    internalTrafficPolicy: policy('internalTrafficPolicy'),
  }
  if (spec.selector !== undefined && spec.selector !== null)
    svc.selector = f.labels(spec.selector, ['spec', 'selector'])
  if (affinity === 'ClientIP') {
    const cfg = f.optObj(f.optObj(spec.sessionAffinityConfig, ['spec', 'sessionAffinityConfig']).clientIP, [
      'spec',
      'sessionAffinityConfig',
      'clientIP',
    ])
    svc.sessionAffinityTimeoutSeconds =
      f.optInt(
        cfg.timeoutSeconds,
        ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'],
        1,
        86400,
      ) ?? 10800
  }
  const hc = f.optInt(spec.healthCheckNodePort, ['spec', 'healthCheckNodePort'], 1, 65535)
  if (hc !== undefined) svc.healthCheckNodePort = hc
  return svc
}

export function convertEndpointSlice(
  c: ConvertContext,
  o: Record<string, unknown>,
  ns: string,
  name: string,
): EndpointSlice | null {
  const { f } = c
  const meta = f.optObj(o.metadata, ['metadata'])
  const serviceName = f.labels(meta.labels, ['metadata', 'labels'])['kubernetes.io/service-name']
  if (!serviceName) {
    c.warn(`EndpointSlice ${ns}/${name}: no kubernetes.io/service-name label; skipped`)
    return null
  }
  const addressType = f.optStr(o.addressType, ['addressType']) ?? 'IPv4'
  if (addressType !== 'IPv4') {
    c.warn(
      `EndpointSlice ${ns}/${name}: addressType ${addressType} is not modeled (IPv4 only for now); skipped`,
    )
    return null
  }
  const endpoints: EndpointSliceEndpoint[] = []
  f.arr(o.endpoints, ['endpoints']).forEach((ev, i) => {
    const path = ['endpoints', i]
    const eo = f.obj(ev, path)
    const addresses = f.arr(eo.addresses, [...path, 'addresses'])
    if (addresses.length === 0) return
    const cond = f.optObj(eo.conditions, [...path, 'conditions'])
    // kube-proxy: a nil ready means ready, serving defaults to ready, terminating to false.
    const ready = f.optBool(cond.ready, [...path, 'conditions', 'ready']) ?? true
    const ep: EndpointSliceEndpoint = {
      address: f.str(addresses[0], [...path, 'addresses', 0]),
      ready,
      serving: f.optBool(cond.serving, [...path, 'conditions', 'serving']) ?? ready,
      terminating: f.optBool(cond.terminating, [...path, 'conditions', 'terminating']) ?? false,
    }
    const nodeName = f.optStr(eo.nodeName, [...path, 'nodeName'])
    if (nodeName) ep.nodeName = nodeName
    const ref = f.optObj(eo.targetRef, [...path, 'targetRef'])
    if (ref.kind === 'Pod' && typeof ref.name === 'string')
      ep.targetRef = `${typeof ref.namespace === 'string' ? ref.namespace : ns}/${ref.name}`
    endpoints.push(ep)
  })
  const ports: EndpointPort[] = []
  f.arr(o.ports, ['ports']).forEach((pv, i) => {
    const po = f.obj(pv, ['ports', i])
    const port = f.optInt(po.port, ['ports', i, 'port'], 1, 65535)
    if (port === undefined) {
      c.warn(`EndpointSlice ${ns}/${name}: port ${i} without a number (all ports) is not modeled; skipped`)
      return
    }
    ports.push({
      name: f.optStr(po.name, ['ports', i, 'name']) ?? '',
      protocol: protocol(c, po.protocol, ['ports', i, 'protocol']),
      port,
    })
  })
  return { namespace: ns, name, serviceName, addressType, endpoints, ports }
}

/** core/v1 Endpoints as the EndpointSlice mirroring controller would turn them into slices (one per subset). */
export function convertEndpoints(
  c: ConvertContext,
  o: Record<string, unknown>,
  ns: string,
  name: string,
): EndpointSlice[] {
  const { f } = c
  return f.arr(o.subsets, ['subsets']).map((sv, s) => {
    const path = ['subsets', s]
    const so = f.obj(sv, path)
    const endpoints: EndpointSliceEndpoint[] = []
    for (const [key, ready] of [
      ['addresses', true],
      ['notReadyAddresses', false],
    ] as const)
      f.arr(so[key], [...path, key]).forEach((av, i) => {
        const ao = f.obj(av, [...path, key, i])
        const ep: EndpointSliceEndpoint = {
          address: f.str(ao.ip, [...path, key, i, 'ip']),
          ready,
          serving: ready,
          terminating: false,
        }
        const nodeName = f.optStr(ao.nodeName, [...path, key, i, 'nodeName'])
        if (nodeName) ep.nodeName = nodeName
        const ref = f.optObj(ao.targetRef, [...path, key, i, 'targetRef'])
        if (ref.kind === 'Pod' && typeof ref.name === 'string') ep.targetRef = `${ns}/${ref.name}`
        endpoints.push(ep)
      })
    const ports = f.arr(so.ports, [...path, 'ports']).map((pv, i) => {
      const po = f.obj(pv, [...path, 'ports', i])
      return {
        name: f.optStr(po.name, [...path, 'ports', i, 'name']) ?? '',
        protocol: protocol(c, po.protocol, [...path, 'ports', i, 'protocol']),
        port: f.int(po.port, [...path, 'ports', i, 'port'], 1, 65535),
      }
    })
    return {
      namespace: ns,
      name: `${name}-${s}`,
      serviceName: name,
      addressType: 'IPv4' as const,
      endpoints,
      ports,
    }
  })
}

export function convertNetworkPolicy(
  c: ConvertContext,
  o: Record<string, unknown>,
  ns: string,
  name: string,
): NetworkPolicy {
  const { f } = c
  const spec = f.optObj(o.spec, ['spec'])
  const selector = (v: unknown, path: JsonPath): LabelSelector => {
    const so = f.optObj(v, path)
    const out: LabelSelector = {}
    if (so.matchLabels !== undefined && so.matchLabels !== null)
      out.matchLabels = f.labels(so.matchLabels, [...path, 'matchLabels'])
    if (so.matchExpressions !== undefined && so.matchExpressions !== null)
      out.matchExpressions = f.arr(so.matchExpressions, [...path, 'matchExpressions']).map((rv, i) => {
        const rp = [...path, 'matchExpressions', i]
        const ro = f.obj(rv, rp)
        const operator = f.str(ro.operator, [...rp, 'operator'])
        if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator))
          f.fail(
            [...rp, 'operator'],
            `expected In, NotIn, Exists or DoesNotExist, got ${JSON.stringify(operator)}`,
          )
        const r = { key: f.str(ro.key, [...rp, 'key']), operator: operator as 'In' }
        const values = f
          .arr(ro.values, [...rp, 'values'])
          .map((x, j) => (typeof x === 'string' ? x : f.fail([...rp, 'values', j], 'expected a string')))
        return values.length ? { ...r, values } : r
      })
    return out
  }
  const peers = (v: unknown, path: JsonPath): NetworkPolicyPeer[] =>
    f.arr(v, path).map((pv, i) => {
      const pp = [...path, i]
      const po = f.obj(pv, pp)
      const peer: NetworkPolicyPeer = {}
      if (po.podSelector !== undefined && po.podSelector !== null)
        peer.podSelector = selector(po.podSelector, [...pp, 'podSelector'])
      if (po.namespaceSelector !== undefined && po.namespaceSelector !== null)
        peer.namespaceSelector = selector(po.namespaceSelector, [...pp, 'namespaceSelector'])
      if (po.ipBlock !== undefined && po.ipBlock !== null) {
        const bo = f.obj(po.ipBlock, [...pp, 'ipBlock'])
        const block: IPBlock = { cidr: f.str(bo.cidr, [...pp, 'ipBlock', 'cidr']) }
        const except = f
          .arr(bo.except, [...pp, 'ipBlock', 'except'])
          .map((x, j) => f.str(x, [...pp, 'ipBlock', 'except', j]))
        if (except.length) block.except = except
        peer.ipBlock = block
      }
      return peer
    })
  const ports = (v: unknown, path: JsonPath): NetworkPolicyPort[] =>
    f.arr(v, path).map((pv, i) => {
      const pp = [...path, i]
      const po = f.obj(pv, pp)
      const port: NetworkPolicyPort = {}
      if (po.protocol !== undefined && po.protocol !== null)
        port.protocol = protocol(c, po.protocol, [...pp, 'protocol'])
      if (typeof po.port === 'string')
        port.port = /^\d+$/.test(po.port) ? f.int(Number(po.port), [...pp, 'port'], 1, 65535) : po.port
      else if (po.port !== undefined && po.port !== null)
        port.port = f.int(po.port, [...pp, 'port'], 1, 65535)
      const end = f.optInt(po.endPort, [...pp, 'endPort'], 1, 65535)
      if (end !== undefined) port.endPort = end
      return port
    })
  const rules = (key: 'ingress' | 'egress', peerKey: 'from' | 'to') =>
    f.arr(spec[key], ['spec', key]).map((rv, i) => {
      const ro = f.optObj(rv, ['spec', key, i])
      const rule: { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] } = {}
      if (ro[peerKey] !== undefined && ro[peerKey] !== null) {
        const all = peers(ro[peerKey], ['spec', key, i, peerKey])
        // An IPv6 ipBlock never matches IPv4 traffic: drop it, and drop a rule left with no peer at all
        // (an empty list would mean "every peer").
        const v4 = all.filter((p) => !p.ipBlock || tryIpToU32(p.ipBlock.cidr.split('/')[0]) !== null)
        if (v4.length < all.length)
          c.warn(`NetworkPolicy ${ns}/${name}: IPv6 ipBlock peers left out (IPv4 only for now)`)
        if (all.length > 0 && v4.length === 0) return null
        rule[peerKey] = v4.map((p) =>
          p.ipBlock?.except
            ? {
                ...p,
                ipBlock: {
                  ...p.ipBlock,
                  except: p.ipBlock.except.filter((e) => tryIpToU32(e.split('/')[0]) !== null),
                },
              }
            : p,
        )
      }
      if (ro.ports !== undefined && ro.ports !== null) rule.ports = ports(ro.ports, ['spec', key, i, 'ports'])
      return rule
    })
  const hadEgress = f.arr(spec.egress, ['spec', 'egress']).length > 0
  const ingress = rules('ingress', 'from').filter((r) => r !== null)
  const egress = rules('egress', 'to').filter((r) => r !== null)
  let policyTypes = f
    .arr(spec.policyTypes, ['spec', 'policyTypes'])
    .map((t, i) =>
      t === 'Ingress' || t === 'Egress'
        ? (t as PolicyType)
        : f.fail(['spec', 'policyTypes', i], `expected Ingress or Egress, got ${JSON.stringify(t)}`),
    )
  // The API server's default: Ingress always, Egress when there are egress rules.
  if (policyTypes.length === 0) policyTypes = hadEgress ? ['Ingress', 'Egress'] : ['Ingress']
  return {
    namespace: ns,
    name,
    podSelector: selector(spec.podSelector, ['spec', 'podSelector']),
    policyTypes,
    ingress,
    egress,
  }
}
