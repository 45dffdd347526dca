import { InputError } from '../errors/errors'
import { type Cidr, cidrContains, ipFamily, tryIpToU32, tryParseCidr } from '../ip/ipv4'
import { CLUSTER_SCHEMA_VERSION, type Cluster } from './types'

/** A JSON path: keys and array indexes from the root. */
export type JsonPath = ReadonlyArray<string | number>

/**
 * A path under construction: a parent link and a key, so that checking a million objects allocates one
 * small object per level instead of an array per field. Turned into a JsonPath only on failure.
 */
interface At {
  readonly up: At | null
  readonly key: string | number
}
const ROOT: At = { up: null, key: '' }
const at = (up: At, key: string | number): At => ({ up, key })
function toPath(p: At): JsonPath {
  const out: Array<string | number> = []
  for (let q: At | null = p; q && q !== ROOT; q = q.up) out.push(q.key)
  return out.reverse()
}

/** Finds the line/column of a path in the source text, when the cluster came from a file. */
export type Locate = (path: JsonPath) => { line: number; column: number } | undefined

/** `services[3].ports[0].port` */
export function formatJsonPath(path: JsonPath): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p
  return out || '(root)'
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP']
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist']
const NAMESPACED_COLLECTIONS = ['pods', 'services', 'endpointSlices', 'networkPolicies'] as const

/**
 * Checks that `value` is a well-formed Cluster (CLUSTER_SCHEMA_VERSION): every field of the right type and
 * range, names unique (per namespace for namespaced kinds), node/pod/service addresses valid and unique,
 * pod IPs inside their node's podCIDR, node podCIDRs inside the cluster's, ClusterIPs inside serviceCIDR,
 * nodePorts unique, references to existing nodes, namespaces and services. Throws an InputError naming the
 * JSON path (and its line when `locate` can find it); returns the value typed as a Cluster.
 */
export function validateCluster(value: unknown, source = '<cluster>', locate?: Locate): Cluster {
  const fail = (where: At, message: string): never => {
    const path = toPath(where)
    const pos = locate?.(path)
    const p = formatJsonPath(path)
    throw new InputError(`${p}: ${message}`, source, pos?.line ?? 1, pos?.column, p)
  }
  const got = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 60))
  const obj = (path: At, v: unknown): Record<string, unknown> => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) fail(path, `expected an object, got ${got(v)}`)
    return v as Record<string, unknown>
  }
  const arr = (path: At, v: unknown): unknown[] => {
    if (!Array.isArray(v)) fail(path, `expected an array, got ${got(v)}`)
    return v as unknown[]
  }
  const str = (path: At, v: unknown, nonEmpty = true): string => {
    if (typeof v !== 'string' || (nonEmpty && v === ''))
      fail(path, `expected a ${nonEmpty ? 'non-empty ' : ''}string, got ${got(v)}`)
    return v as string
  }
  const bool = (path: At, v: unknown): boolean => {
    if (typeof v !== 'boolean') fail(path, `expected true or false, got ${got(v)}`)
    return v as boolean
  }
  const int = (path: At, v: unknown, lo: number, hi: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
      fail(path, `expected an integer ${lo}-${hi}, got ${got(v)}`)
    return v as number
  }
  const oneOf = <T extends string>(path: At, v: unknown, allowed: readonly T[]): T => {
    if (!allowed.includes(v as T)) fail(path, `expected one of ${allowed.join(', ')}, got ${got(v)}`)
    return v as T
  }
  const ip = (path: At, v: unknown): string => {
    const s = str(path, v)
    if (!ipFamily(s)) fail(path, `expected an IP address, got ${got(v)}`)
    return s
  }
  const cidr = (path: At, v: unknown): Cidr | null => {
    const s = str(path, v)
    const c = tryParseCidr(s)
    if (c && s.includes('/')) return c
    if (s.includes('/') && ipFamily(s.slice(0, s.indexOf('/')))) return null // IPv6: syntax only
    return fail(path, `expected a CIDR like 10.0.0.0/8, got ${got(v)}`)
  }
  const labels = (path: At, v: unknown) => {
    const o = obj(path, v)
    for (const k of Object.keys(o)) str(at(path, k), o[k], false)
  }
  const opt = <T>(o: Record<string, unknown>, key: string, path: At, check: (p: At, v: unknown) => T) =>
    o[key] === undefined ? undefined : check(at(path, key), o[key])
  const unique = (seen: Map<string, At>, key: string, path: At, what: string) => {
    const first = seen.get(key)
    if (first) fail(path, `duplicate ${what} ${key} (first at ${formatJsonPath(toPath(first))})`)
    seen.set(key, path)
  }

  const root = obj(ROOT, value)
  if (root.schemaVersion !== CLUSTER_SCHEMA_VERSION)
    fail(
      at(ROOT, 'schemaVersion'),
      `expected schema version ${CLUSTER_SCHEMA_VERSION}, got ${got(root.schemaVersion)}`,
    )
  const serviceCIDR = cidr(at(ROOT, 'serviceCIDR'), root.serviceCIDR)
  const podCIDR = cidr(at(ROOT, 'podCIDR'), root.podCIDR)
  for (const k of ['nodes', 'namespaces', ...NAMESPACED_COLLECTIONS]) arr(at(ROOT, k), root[k])

  const inside = (c: Cidr | null, ipText: string) => {
    const n = tryIpToU32(ipText)
    return c === null || n === null || cidrContains(c, n)
  }

  const nodeBlocks = new Map<string, Cidr | null>()
  const nodeIPs = new Map<string, At>()
  const nodeNames = new Map<string, At>()
  ;(root.nodes as unknown[]).forEach((v, i) => {
    const path = at(at(ROOT, 'nodes'), i)
    const o = obj(path, v)
    const name = str(at(path, 'name'), o.name)
    unique(nodeNames, name, at(path, 'name'), 'node')
    const addr = ip(at(path, 'internalIP'), o.internalIP)
    unique(nodeIPs, addr, at(path, 'internalIP'), 'node address')
    const block = cidr(at(path, 'podCIDR'), o.podCIDR)
    if (block && podCIDR && (block.prefix < podCIDR.prefix || !cidrContains(podCIDR, block.base)))
      fail(at(path, 'podCIDR'), `${o.podCIDR} is not inside the cluster pod CIDR ${root.podCIDR}`)
    nodeBlocks.set(name, block)
    labels(at(path, 'labels'), o.labels)
    opt(o, 'memoryBytes', path, (p, x) => int(p, x, 0, Number.MAX_SAFE_INTEGER))
  })

  const namespaces = new Map<string, At>()
  ;(root.namespaces as unknown[]).forEach((v, i) => {
    const path = at(at(ROOT, 'namespaces'), i)
    const o = obj(path, v)
    unique(namespaces, str(at(path, 'name'), o.name), at(path, 'name'), 'namespace')
    labels(at(path, 'labels'), o.labels)
  })
  const named = (path: At, o: Record<string, unknown>, seen: Map<string, At>, what: string) => {
    const ns = str(at(path, 'namespace'), o.namespace)
    if (!namespaces.has(ns)) fail(at(path, 'namespace'), `namespace ${ns} does not exist`)
    const name = str(at(path, 'name'), o.name)
    unique(seen, `${ns}/${name}`, at(path, 'name'), what)
    return { ns, name }
  }

  const podNames = new Map<string, At>()
  const podIPs = new Map<string, At>()
  ;(root.pods as unknown[]).forEach((v, i) => {
    const path = at(at(ROOT, 'pods'), i)
    const o = obj(path, v)
    named(path, o, podNames, 'pod')
    labels(at(path, 'labels'), o.labels)
    const node = str(at(path, 'nodeName'), o.nodeName)
    if (!nodeNames.has(node)) fail(at(path, 'nodeName'), `node ${node} does not exist`)
    const host = opt(o, 'hostNetwork', path, bool) ?? false
    const addr = ip(at(path, 'ip'), o.ip)
    if (host) {
      if (!nodeIPs.has(addr)) fail(at(path, 'ip'), `a host-network pod has its node's address, got ${addr}`)
    } else {
      unique(podIPs, addr, at(path, 'ip'), 'pod IP')
      if (nodeIPs.has(addr)) fail(at(path, 'ip'), `pod IP ${addr} is a node address`)
      if (!inside(nodeBlocks.get(node) ?? null, addr))
        fail(at(path, 'ip'), `pod IP ${addr} is not inside node ${node}'s pod CIDR`)
    }
    arr(at(path, 'ports'), o.ports).forEach((pv, j) => {
      const pp = at(at(path, 'ports'), j)
      const po = obj(pp, pv)
      opt(po, 'name', pp, str)
      int(at(pp, 'containerPort'), po.containerPort, 1, 65535)
      oneOf(at(pp, 'protocol'), po.protocol, PROTOCOLS)
    })
  })

  const serviceNames = new Map<string, At>()
  const clusterIPs = new Map<string, At>()
  const nodePorts = new Map<string, At>()
  ;(root.services as unknown[]).forEach((v, i) => {
    const path = at(at(ROOT, 'services'), i)
    const o = obj(path, v)
    named(path, o, serviceNames, 'service')
    const type = oneOf(at(path, 'type'), o.type, ['ClusterIP', 'NodePort', 'LoadBalancer'])
    const cip = str(at(path, 'clusterIP'), o.clusterIP)
    if (cip !== 'None') {
      ip(at(path, 'clusterIP'), cip)
      unique(clusterIPs, cip, at(path, 'clusterIP'), 'clusterIP')
      if (!inside(serviceCIDR, cip))
        fail(at(path, 'clusterIP'), `${cip} is not inside the service CIDR ${root.serviceCIDR}`)
    }
    const ports = arr(at(path, 'ports'), o.ports)
    const portNames = new Map<string, At>()
    ports.forEach((pv, j) => {
      const pp = at(at(path, 'ports'), j)
      const po = obj(pp, pv)
      const name = str(at(pp, 'name'), po.name, false)
      if (ports.length > 1 && name === '')
        fail(at(pp, 'name'), 'every port of a multi-port service needs a name')
      unique(portNames, name, at(pp, 'name'), 'port name')
      const protocol = oneOf(at(pp, 'protocol'), po.protocol, PROTOCOLS)
      int(at(pp, 'port'), po.port, 1, 65535)
      if (typeof po.targetPort === 'string') str(at(pp, 'targetPort'), po.targetPort)
      else int(at(pp, 'targetPort'), po.targetPort, 1, 65535)
      const np = opt(po, 'nodePort', pp, (p, x) => int(p, x, 1, 65535))
      if (np !== undefined) {
        if (type === 'ClusterIP') fail(at(pp, 'nodePort'), 'a ClusterIP service has no nodePort')
        unique(nodePorts, `${protocol}/${np}`, at(pp, 'nodePort'), 'nodePort')
      }
    })
    opt(o, 'selector', path, labels)
    arr(at(path, 'externalIPs'), o.externalIPs).forEach((x, j) => {
      ip(at(at(path, 'externalIPs'), j), x)
    })
    arr(at(path, 'loadBalancerIPs'), o.loadBalancerIPs).forEach((x, j) => {
      ip(at(at(path, 'loadBalancerIPs'), j), x)
    })
    arr(at(path, 'loadBalancerSourceRanges'), o.loadBalancerSourceRanges).forEach((x, j) => {
      cidr(at(at(path, 'loadBalancerSourceRanges'), j), x)
    })
    oneOf(at(path, 'sessionAffinity'), o.sessionAffinity, ['None', 'ClientIP'])
    opt(o, 'sessionAffinityTimeoutSeconds', path, (p, x) => int(p, x, 1, 86400))
    oneOf(at(path, 'externalTrafficPolicy'), o.externalTrafficPolicy, ['Cluster', 'Local'])
    oneOf(at(path, 'internalTrafficPolicy'), o.internalTrafficPolicy, ['Cluster', 'Local'])
    opt(o, 'healthCheckNodePort', path, (p, x) => int(p, x, 1, 65535))
  })

  const sliceNames = new Map<string, At>()
  ;(root.endpointSlices as unknown[]).forEach((v, i) => {
    const path = at(at(ROOT, 'endpointSlices'), i)
    const o = obj(path, v)
    const { ns } = named(path, o, sliceNames, 'EndpointSlice')
    const svc = str(at(path, 'serviceName'), o.serviceName)
    if (!serviceNames.has(`${ns}/${svc}`))
      fail(at(path, 'serviceName'), `service ${ns}/${svc} does not exist`)
    const family = oneOf(at(path, 'addressType'), o.addressType, ['IPv4', 'IPv6'])
    arr(at(path, 'endpoints'), o.endpoints).forEach((ev, j) => {
      const ep = at(at(path, 'endpoints'), j)
      const eo = obj(ep, ev)
      const addr = ip(at(ep, 'address'), eo.address)
      if (ipFamily(addr) !== family) fail(at(ep, 'address'), `expected an ${family} address, got ${addr}`)
      const node = opt(eo, 'nodeName', ep, str)
      if (node !== undefined && !nodeNames.has(node)) fail(at(ep, 'nodeName'), `node ${node} does not exist`)
      for (const k of ['ready', 'serving', 'terminating']) bool(at(ep, k), eo[k])
      opt(eo, 'targetRef', ep, str)
    })
    arr(at(path, 'ports'), o.ports).forEach((pv, j) => {
      const pp = at(at(path, 'ports'), j)
      const po = obj(pp, pv)
      str(at(pp, 'name'), po.name, false)
      oneOf(at(pp, 'protocol'), po.protocol, PROTOCOLS)
      int(at(pp, 'port'), po.port, 1, 65535)
    })
  })

  const policyNames = new Map<string, At>()
  const selector = (path: At, v: unknown) => {
    const o = obj(path, v)
    opt(o, 'matchLabels', path, labels)
    opt(o, 'matchExpressions', path, (p, x) =>
      arr(p, x).forEach((rv, j) => {
        const rp = at(p, j)
        const ro = obj(rp, rv)
        str(at(rp, 'key'), ro.key)
        const op = oneOf(at(rp, 'operator'), ro.operator, OPERATORS)
        const values = opt(ro, 'values', rp, arr) ?? []
        values.forEach((x, k) => {
          str(at(at(rp, 'values'), k), x, false)
        })
        if ((op === 'In' || op === 'NotIn') && values.length === 0)
          fail(at(rp, 'values'), `${op} needs values`)
        if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0)
          fail(at(rp, 'values'), `${op} takes no values`)
      }),
    )
  }
  const peers = (path: At, v: unknown) =>
    arr(path, v).forEach((pv, j) => {
      const pp = at(path, j)
      const po = obj(pp, pv)
      if (po.ipBlock !== undefined) {
        if (po.podSelector !== undefined || po.namespaceSelector !== undefined)
          fail(at(pp, 'ipBlock'), 'ipBlock cannot be combined with podSelector or namespaceSelector')
        const bo = obj(at(pp, 'ipBlock'), po.ipBlock)
        const block = cidr(at(at(pp, 'ipBlock'), 'cidr'), bo.cidr)
        ;(opt(bo, 'except', at(pp, 'ipBlock'), arr) ?? []).forEach((x, k) => {
          const ex = cidr(at(at(at(pp, 'ipBlock'), 'except'), k), x)
          if (block && ex && (ex.prefix < block.prefix || !cidrContains(block, ex.base)))
            fail(at(at(at(pp, 'ipBlock'), 'except'), k), `${x} is not inside ${bo.cidr}`)
        })
      } else if (po.podSelector === undefined && po.namespaceSelector === undefined)
        fail(pp, 'expected podSelector, namespaceSelector or ipBlock')
      opt(po, 'podSelector', pp, selector)
      opt(po, 'namespaceSelector', pp, selector)
    })
  const policyPorts = (path: At, v: unknown) =>
    arr(path, v).forEach((pv, j) => {
      const pp = at(path, j)
      const po = obj(pp, pv)
      opt(po, 'protocol', pp, (p, x) => oneOf(p, x, PROTOCOLS))
      const port =
        typeof po.port === 'string'
          ? str(at(pp, 'port'), po.port)
          : opt(po, 'port', pp, (p, x) => int(p, x, 1, 65535))
      const end = opt(po, 'endPort', pp, (p, x) => int(p, x, 1, 65535))
      if (end !== undefined && (typeof port !== 'number' || end < port))
        fail(at(pp, 'endPort'), 'endPort needs a numeric port not above it')
    })
  ;(root.networkPolicies as unknown[]).forEach((v, i) => {
    const path = at(at(ROOT, 'networkPolicies'), i)
    const o = obj(path, v)
    named(path, o, policyNames, 'NetworkPolicy')
    selector(at(path, 'podSelector'), o.podSelector)
    const types = arr(at(path, 'policyTypes'), o.policyTypes)
    types.forEach((t, j) => {
      oneOf(at(at(path, 'policyTypes'), j), t, ['Ingress', 'Egress'])
    })
    arr(at(path, 'ingress'), o.ingress).forEach((rv, j) => {
      const rp = at(at(path, 'ingress'), j)
      const ro = obj(rp, rv)
      opt(ro, 'from', rp, peers)
      opt(ro, 'ports', rp, policyPorts)
    })
    arr(at(path, 'egress'), o.egress).forEach((rv, j) => {
      const rp = at(at(path, 'egress'), j)
      const ro = obj(rp, rv)
      opt(ro, 'to', rp, peers)
      opt(ro, 'ports', rp, policyPorts)
    })
  })
  return value as Cluster
}
