import { InputError, isInputError } from '../errors/errors'
import { cidrContains, tryIpToU32, tryParseCidr } from '../ip/ipv4'
import { CLUSTER_SCHEMA_VERSION, type Cluster, type EndpointSlice } from '../scenario/types'
import { formatJsonPath, type JsonPath, validateCluster } from '../scenario/validate'
import { type ConvertContext, convertNamespace, convertNode, convertPod, convertService } from './convert'
import { convertEndpointSlice, convertEndpoints } from './convertEndpoints'
import { convertNetworkPolicy } from './convertPolicy'
import { type DumpItem, readDump } from './documents'
import { fieldsOf } from './fields'
import { inferCidr } from './infer'

export interface ImportOptions {
  /** kube-apiserver --service-cluster-ip-range; inferred from the ClusterIPs when absent */
  serviceCIDR?: string
  /** the cluster pod CIDR; inferred from node podCIDRs and pod IPs when absent */
  podCIDR?: string
}

export interface ImportResult {
  cluster: Cluster
  /** what was skipped or filled in, one line each */
  warnings: string[]
}

const NAMESPACED = new Set(['Pod', 'Service', 'EndpointSlice', 'Endpoints', 'NetworkPolicy'])

/**
 * A cluster from `kubectl get nodes,namespaces,pods,services,endpointslices,networkpolicies -A -o yaml`
 * (or `-o json`, a List, or multi-document YAML). core/v1 Endpoints are converted when the dump holds no
 * EndpointSlice. Unknown kinds, ExternalName services, pods without an IP and the like are skipped with a
 * warning. Errors name the document, kind, namespace/name, field path and line. All or nothing: a failing
 * dump returns nothing.
 */
export function importKubernetes(
  text: string,
  source = '<input>',
  options: ImportOptions = {},
): ImportResult {
  const warnings: string[] = []
  const cluster: Cluster = {
    schemaVersion: CLUSTER_SCHEMA_VERSION,
    serviceCIDR: '',
    podCIDR: '',
    nodes: [],
    namespaces: [],
    pods: [],
    services: [],
    endpointSlices: [],
    networkPolicies: [],
  }
  const origin = new Map<object, { item: DumpItem; what: string }>()
  const endpoints: Array<{
    item: DumpItem
    what: string
    o: Record<string, unknown>
    ns: string
    name: string
  }> = []

  for (const item of readDump(text, source)) {
    const where = `document ${item.document}${item.path.length ? ` ${formatJsonPath(item.path)}` : ''}`
    const failAt =
      (what: string) =>
      (path: JsonPath, message: string): never => {
        const pos = item.locate(path)
        throw new InputError(
          `${where}: ${what}: ${formatJsonPath(path)}: ${message}`,
          source,
          pos.line,
          pos.column,
          formatJsonPath(path),
        )
      }
    const o = item.value
    if (!o || typeof o !== 'object' || Array.isArray(o))
      failAt('object')([], 'expected a Kubernetes object (a mapping with kind)')
    const obj = o as Record<string, unknown>
    const kind = typeof obj.kind === 'string' ? obj.kind : failAt('object')(['kind'], 'expected a kind')
    const meta = fieldsOf(failAt(kind)).optObj(obj.metadata, ['metadata'])
    const name = fieldsOf(failAt(kind)).str(meta.name, ['metadata', 'name'])
    const ns = NAMESPACED.has(kind)
      ? (fieldsOf(failAt(kind)).optStr(meta.namespace, ['metadata', 'namespace']) ?? 'default')
      : ''
    const what = ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`
    const c: ConvertContext = { f: fieldsOf(failAt(what)), warn: (m) => warnings.push(`${where}: ${m}`) }
    const keep = <T extends object>(list: T[], v: T | null) => {
      if (!v) return
      list.push(v)
      origin.set(v, { item, what })
    }
    switch (kind) {
      case 'Node':
        keep(cluster.nodes, convertNode(c, obj, name))
        break
      case 'Namespace':
        keep(cluster.namespaces, convertNamespace(c, obj, name))
        break
      case 'Pod':
        keep(cluster.pods, convertPod(c, obj, ns, name))
        break
      case 'Service':
        keep(cluster.services, convertService(c, obj, ns, name))
        break
      case 'EndpointSlice':
        keep(cluster.endpointSlices, convertEndpointSlice(c, obj, ns, name))
        break
      case 'Endpoints':
        endpoints.push({ item, what, o: obj, ns, name })
        break
      case 'NetworkPolicy':
        keep(cluster.networkPolicies, convertNetworkPolicy(c, obj, ns, name))
        break
      default:
        warnings.push(`${where}: skipped ${what}: kind ${kind} is not modeled`)
    }
  }
  if (cluster.endpointSlices.length === 0)
    for (const e of endpoints) {
      const where = `document ${e.item.document}${e.item.path.length ? ` ${formatJsonPath(e.item.path)}` : ''}`
      const fail = (path: JsonPath, message: string): never => {
        const pos = e.item.locate(path)
        throw new InputError(
          `${where}: ${e.what}: ${formatJsonPath(path)}: ${message}`,
          source,
          pos.line,
          pos.column,
        )
      }
      const c: ConvertContext = { f: fieldsOf(fail), warn: (m) => warnings.push(`${where}: ${m}`) }
      for (const s of convertEndpoints(c, e.o, e.ns, e.name)) {
        cluster.endpointSlices.push(s)
        origin.set(s, { item: e.item, what: e.what })
      }
    }
  else if (endpoints.length)
    warnings.push(`${endpoints.length} core/v1 Endpoints ignored: the dump has EndpointSlices`)

  reconcile(cluster, warnings, options)

  const collections = [
    'nodes',
    'namespaces',
    'pods',
    'services',
    'endpointSlices',
    'networkPolicies',
  ] as const
  const originOf = (path: JsonPath) => {
    const list = cluster[path[0] as (typeof collections)[number]]
    const obj =
      Array.isArray(list) && typeof path[1] === 'number' ? (list[path[1]] as object | undefined) : undefined
    return obj ? origin.get(obj) : undefined
  }
  try {
    validateCluster(cluster, source, (path) => originOf(path)?.item.locate([]))
  } catch (e) {
    if (!isInputError(e) || !e.path) throw e
    const o = originOf(pathOfMessage(e.path))
    const prefix = o ? `document ${o.item.document}: ${o.what}: ` : ''
    throw new InputError(`${prefix}${e.message}`, source, e.line, e.column, e.path)
  }
  return { cluster, warnings }
}

/** Fills what a dump may lack (namespaces, node podCIDRs, cluster CIDRs) and drops dangling references. */
function reconcile(cluster: Cluster, warnings: string[], options: ImportOptions): void {
  const nodes = new Set(cluster.nodes.map((n) => n.name))
  cluster.pods = cluster.pods.filter((p) => {
    if (nodes.has(p.nodeName)) return true
    warnings.push(`pod ${p.namespace}/${p.name}: node ${p.nodeName} is not in the dump; skipped`)
    return false
  })
  for (const n of cluster.nodes) {
    if (n.podCIDR) continue
    const ips = cluster.pods.filter((p) => p.nodeName === n.name && !p.hostNetwork).map((p) => p.ip)
    if (ips.length) {
      n.podCIDR = inferCidr(ips, `${ips[0].split('.').slice(0, 3).join('.')}.0/24`, 24)
      warnings.push(
        `node ${n.name}: no spec.podCIDR (cluster-pool IPAM?); inferred ${n.podCIDR} from its pods`,
      )
    }
  }
  const podAddresses = [
    ...cluster.nodes.map((n) => n.podCIDR).filter(Boolean),
    ...cluster.pods.filter((p) => !p.hostNetwork).map((p) => p.ip),
  ]
  cluster.podCIDR = options.podCIDR ?? inferCidr(podAddresses, '10.244.0.0/16', 16)
  for (const n of cluster.nodes)
    if (!n.podCIDR) {
      n.podCIDR = cluster.podCIDR
      warnings.push(
        `node ${n.name}: no spec.podCIDR and no pods; using the cluster pod CIDR ${cluster.podCIDR}`,
      )
    }
  const clusterIPs = cluster.services.map((s) => s.clusterIP).filter((ip) => tryIpToU32(ip) !== null)
  cluster.serviceCIDR = options.serviceCIDR ?? inferCidr(clusterIPs, '10.96.0.0/12', 16)
  const svcCidr = tryParseCidr(cluster.serviceCIDR)
  for (const s of cluster.services) {
    const ip = tryIpToU32(s.clusterIP)
    if (svcCidr && ip !== null && !cidrContains(svcCidr, ip))
      warnings.push(
        `service ${s.namespace}/${s.name}: clusterIP ${s.clusterIP} is outside the service CIDR ${cluster.serviceCIDR}`,
      )
  }

  const namespaces = new Set(cluster.namespaces.map((n) => n.name))
  for (const o of [
    ...cluster.pods,
    ...cluster.services,
    ...cluster.endpointSlices,
    ...cluster.networkPolicies,
  ])
    if (!namespaces.has(o.namespace)) {
      namespaces.add(o.namespace)
      cluster.namespaces.push({ name: o.namespace, labels: { 'kubernetes.io/metadata.name': o.namespace } })
      warnings.push(`namespace ${o.namespace} is not in the dump; added with its default label`)
    }
  const services = new Set(cluster.services.map((s) => `${s.namespace}/${s.name}`))
  cluster.endpointSlices = cluster.endpointSlices.filter((s: EndpointSlice) => {
    if (services.has(`${s.namespace}/${s.serviceName}`)) return true
    warnings.push(
      `EndpointSlice ${s.namespace}/${s.name}: service ${s.serviceName} is not in the dump (or not modeled); skipped`,
    )
    return false
  })
  for (const s of cluster.endpointSlices)
    for (const e of s.endpoints)
      if (e.nodeName && !nodes.has(e.nodeName)) {
        warnings.push(
          `EndpointSlice ${s.namespace}/${s.name}: node ${e.nodeName} of ${e.address} is not in the dump; ignored`,
        )
        delete e.nodeName
      }
}

/** `pods[3].ip` → ['pods', 3, 'ip'] (enough to find the object a validation error is about). */
function pathOfMessage(path: string): JsonPath {
  const m = /^(\w+)\[(\d+)\]/.exec(path)
  return m ? [m[1], Number(m[2])] : []
}
