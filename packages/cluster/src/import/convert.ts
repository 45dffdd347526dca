import { tryIpToU32 } from '../ip/ipv4'
import type { ContainerPort, Namespace, Node, Pod, Protocol, Service, ServicePort } from '../scenario/types'
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

/** A protocol field, TCP when absent (the API default). */
export function protocol(c: ConvertContext, v: unknown, path: JsonPath): Protocol {
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
