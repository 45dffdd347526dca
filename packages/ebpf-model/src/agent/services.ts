import type { Cluster, EndpointSlice, Service, ServicePort } from '@dataplane-sim/cluster'
import { type Cidr, ipToU32, tryIpToU32, tryParseCidr } from '@dataplane-sim/cluster'

/**
 * Service translation: cluster Service + EndpointSlices → LB frontends and backends, mirroring
 * cilium/cilium `pkg/k8s/service.go` (ParseService: frontends per type, traffic policies, source ranges,
 * affinity), `pkg/k8s/endpoints.go` (ParseEndpointSliceV1: which endpoints become backends, terminating
 * state) and `pkg/service/service.go` (two scopes for externalTrafficPolicy=Local, terminating backends used
 * only when no active backend exists, NodePort frontends on 0.0.0.0 and on each node address).
 */

export const PROTO_NUM = { TCP: 6, UDP: 17, SCTP: 132 } as const
export const IPPROTO_ICMP = 1

export type FrontendType = 'ClusterIP' | 'NodePort' | 'ExternalIPs' | 'LoadBalancer'

// lb4_key scopes and the svc flags bits are the map layout's (cilium/constants.ts); the agent's flags word
// is pkg/loadbalancer's 16-bit ServiceFlags: `flags` in the low byte, `flags2` in the high byte.
import {
  LB_LOOKUP_SCOPE_EXT as SCOPE_EXT,
  LB_LOOKUP_SCOPE_INT as SCOPE_INT,
  SVC_FLAG_AFFINITY,
  SVC_FLAG_EXT_LOCAL_SCOPE,
  SVC_FLAG_EXTERNAL_IP,
  SVC_FLAG_HOSTPORT,
  SVC_FLAG_LOADBALANCER,
  SVC_FLAG_NODEPORT,
  SVC_FLAG_ROUTABLE,
  SVC_FLAG_SOURCE_RANGE,
  SVC_FLAG2_INT_LOCAL_SCOPE,
  SVC_FLAG2_LOCALREDIRECT,
  SVC_FLAG2_TWO_SCOPES,
} from '../cilium/constants'

export {
  SCOPE_EXT,
  SCOPE_INT,
  SVC_FLAG_AFFINITY,
  SVC_FLAG_EXT_LOCAL_SCOPE,
  SVC_FLAG_EXTERNAL_IP,
  SVC_FLAG_HOSTPORT,
  SVC_FLAG_LOADBALANCER,
  SVC_FLAG_NODEPORT,
  SVC_FLAG_ROUTABLE,
  SVC_FLAG_SOURCE_RANGE,
}
/** flags2 bits, shifted into the high byte of the agent's flags word (serviceFlagLocalRedirect, ...) */
export const SVC_FLAG_LOCALREDIRECT = SVC_FLAG2_LOCALREDIRECT << 8
export const SVC_FLAG_INT_LOCAL_SCOPE = SVC_FLAG2_INT_LOCAL_SCOPE << 8
export const SVC_FLAG_TWO_SCOPES = SVC_FLAG2_TWO_SCOPES << 8
/**
 * Not a Cilium flag (Cilium tells a ClusterIP frontend by the absence of the type flags): the model marks
 * ClusterIP frontends above the 16-bit word so the datapath can refuse them from outside the cluster.
 */
export const SVC_FLAG_CLUSTERIP = 1 << 16

export interface LbBackend {
  addr: number
  port: number
  proto: number
  state: 'active' | 'terminating'
  /** "namespace/name" of the pod, from the endpoint's targetRef */
  pod?: string
  node?: string
}

export interface LbFrontend {
  /** "namespace/name" of the service */
  service: string
  portName: string
  type: FrontendType
  addr: number
  port: number
  proto: number
  scope: number
  flags: number
  /** backends in slot order; the first `count` are selectable (slots 1..count) */
  backends: LbBackend[]
  count: number
  /** the service had backends before the traffic policy filtered them (eTP/iTP Local drop vs reject) */
  filteredOut: boolean
  affinityTimeout: number
  sourceRanges: Cidr[]
}

/** The slices of each service, "namespace/name" → slices, so one service is translated without a scan. */
export function indexSlices(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>()
  for (const s of slices) {
    const k = `${s.namespace}/${s.serviceName}`
    const list = out.get(k)
    if (list) list.push(s)
    else out.set(k, [s])
  }
  return out
}

const byAddress = (a: LbBackend, b: LbBackend) => a.addr - b.addr || a.port - b.port

function sortedBy<T>(list: readonly T[], cmp: (a: T, b: T) => number): boolean {
  for (let i = 1; i < list.length; i++) if (cmp(list[i - 1], list[i]) > 0) return false
  return true
}

/**
 * Stable sort by address and port: an insertion sort for a port's usual handful of backends (endpoints of
 * pods on random nodes arrive out of address order for nearly every port: Array.prototype.sort cost ~1 us a
 * call on 10 records, 3-4x the insertion sort, 100k calls in the 100k-service build), Array.sort beyond.
 */
function sortBackends(list: LbBackend[]): void {
  if (list.length > 32) {
    list.sort(byAddress)
    return
  }
  for (let i = 1; i < list.length; i++) {
    const x = list[i]
    let j = i - 1
    while (j >= 0 && byAddress(list[j], x) > 0) {
      list[j + 1] = list[j]
      j--
    }
    list[j + 1] = x
  }
}

/** what `portBackends`' read-ahead read (kept, so the reads are not optimised away) */
let _readAhead = 0

/**
 * The backends of one service port: ready endpoints are active; serving+terminating ones are kept with state
 * terminating (`pkg/k8s/endpoints.go`); an endpoint neither ready nor serving+terminating is skipped.
 */
function portBackends(
  port: ServicePort,
  slices: readonly EndpointSlice[],
  newBackend: NewBackend = plainBackend,
): LbBackend[] {
  const proto = PROTO_NUM[port.protocol]
  const out: LbBackend[] = []
  // indexed loops (here and in translateService): `for…of` left iterator results behind in the 100k-service
  // build's allocation profile (the loops run for every service port)
  for (let s = 0; s < slices.length; s++) {
    const slice = slices[s]
    if (slice.addressType !== 'IPv4') continue
    let sp: EndpointSlice['ports'][number] | undefined
    for (let i = 0; i < slice.ports.length; i++) {
      const p = slice.ports[i]
      if (p.name === port.name && p.protocol === port.protocol) {
        sp = p
        break
      }
    }
    if (!sp) continue
    const eps = slice.endpoints
    // read-ahead: the endpoints and the strings each reads below (address, targetRef, nodeName: three
    // objects apart from the endpoint, a cache miss each when a million-endpoint cluster is translated once)
    // read first in a tight loop of independent loads, so their misses overlap instead of coming one after
    // another between the parse and the record of each endpoint
    let ahead = 0
    for (let i = 0; i < eps.length; i++) {
      const ep = eps[i]
      ahead += ep.address.length + (ep.targetRef ? 1 : 0) + (ep.nodeName ? 1 : 0)
    }
    _readAhead = ahead
    for (let i = 0; i < eps.length; i++) {
      const ep = eps[i]
      const addr = tryIpToU32(ep.address)
      if (addr === null) continue
      let state: LbBackend['state']
      if (ep.ready && !ep.terminating) state = 'active'
      else if (ep.serving && ep.terminating) state = 'terminating'
      else if (ep.ready) state = 'active'
      else continue
      out.push(newBackend(addr, sp.port, proto, state, ep.targetRef, ep.nodeName, ep.address))
    }
  }
  // A stable sort keeps an address listed twice (two slices) in slice order: the first one stays.
  // slices list endpoints mostly in address order already: a check is cheaper than sorting every port's list
  if (!sortedBy(out, byAddress)) sortBackends(out)
  let n = 0
  for (let i = 0; i < out.length; i++)
    if (n === 0 || out[i].addr !== out[n - 1].addr || out[i].port !== out[n - 1].port) out[n++] = out[i]
  out.length = n
  return out
}

/**
 * Slots for a frontend: active backends first; terminating backends are used only when no active backend
 * exists (pkg/service: "if there are no active backends, use terminating ones"); `localTo` applies a Local
 * traffic policy (this node's backends only). Loops, not closures: this runs for every service port.
 */
function slots(
  all: readonly LbBackend[],
  localTo: string | null,
): { backends: LbBackend[]; count: number; filteredOut: boolean } {
  if (localTo === null) {
    // no traffic policy to apply and every backend active (nearly every service): the slots are `all` as
    // it is, shared by the frontends of the port instead of a copy per frontend
    let i = 0
    while (i < all.length && all[i].state === 'active') i++
    if (i === all.length) return { backends: all as LbBackend[], count: all.length, filteredOut: false }
  }
  const active: LbBackend[] = []
  const terminating: LbBackend[] = []
  let anyUsable = false
  for (const b of all) {
    anyUsable = true
    if (localTo !== null && b.node !== localTo) continue
    if (b.state === 'active') active.push(b)
    else terminating.push(b)
  }
  if (active.length > 0) {
    for (const b of terminating) active.push(b)
    return { backends: active, count: active.length - terminating.length, filteredOut: false }
  }
  return {
    backends: terminating,
    count: terminating.length,
    filteredOut: terminating.length === 0 && anyUsable,
  }
}

interface PortContext {
  out: LbFrontend[]
  service: string
  portName: string
  proto: number
  affinityTimeout: number
  affinityFlag: number
  all: LbBackend[]
  internal: { backends: LbBackend[]; count: number; filteredOut: boolean }
  extLocal: boolean
  intLocal: boolean
  nodeName: string
}

/**
 * An external frontend (pkg/k8s/service.go): when exactly one traffic policy is Local there are two scopes —
 * the external one filtered by externalTrafficPolicy, the internal one (traffic from inside the cluster: pods
 * and the host, through socket-LB) filtered by internalTrafficPolicy.
 */
function frontendOf(
  pc: PortContext,
  type: FrontendType,
  addr: number,
  port: number,
  scope: number,
  flags: number,
  sl: { backends: LbBackend[]; count: number; filteredOut: boolean },
  sourceRanges: Cidr[],
): LbFrontend {
  return {
    service: pc.service,
    portName: pc.portName,
    proto: pc.proto,
    affinityTimeout: pc.affinityTimeout,
    type,
    addr,
    port,
    scope,
    flags,
    backends: sl.backends,
    count: sl.count,
    filteredOut: sl.filteredOut,
    sourceRanges,
  }
}

function external(
  pc: PortContext,
  type: FrontendType,
  addr: number,
  port: number,
  typeFlag: number,
  src: Cidr[],
): void {
  const srcFlag = src.length > 0 ? SVC_FLAG_SOURCE_RANGE : 0
  const twoScopes = pc.extLocal !== pc.intLocal
  // the same traffic policy on both sides: the external slots are the internal ones
  const ext = pc.extLocal === pc.intLocal ? pc.internal : slots(pc.all, pc.extLocal ? pc.nodeName : null)
  const common =
    typeFlag | SVC_FLAG_ROUTABLE | pc.affinityFlag | srcFlag | (pc.intLocal ? SVC_FLAG_INT_LOCAL_SCOPE : 0)
  const extFlags =
    common | (pc.extLocal ? SVC_FLAG_EXT_LOCAL_SCOPE : 0) | (twoScopes ? SVC_FLAG_TWO_SCOPES : 0)
  pc.out.push(frontendOf(pc, type, addr, port, SCOPE_EXT, extFlags, ext, src))
  if (twoScopes)
    pc.out.push(frontendOf(pc, type, addr, port, SCOPE_INT, common | SVC_FLAG_TWO_SCOPES, pc.internal, src))
}

/** Makes one backend of a translation (the agent's makes them in the shape it keeps, so it can adopt them). */
export type NewBackend = (
  addr: number,
  port: number,
  proto: number,
  state: LbBackend['state'],
  pod: string | undefined,
  node: string | undefined,
  /** the address as the EndpointSlice wrote it: `tryIpToU32` accepted it, so it is the canonical dotted quad */
  text: string,
) => LbBackend

const plainBackend: NewBackend = (addr, port, proto, state, pod, node) => ({
  addr,
  port,
  proto,
  state,
  pod,
  node,
})

export interface TranslateContext {
  /** the node whose agent translates (for Local traffic policies and its NodePort addresses) */
  nodeName: string
  /** this node's addresses (NodePort frontends besides 0.0.0.0) */
  nodeAddrs: number[]
  /** how backends are made (default: plain `LbBackend` records) */
  newBackend?: NewBackend
  /** the service's "namespace/name" when the caller has it already (one string per service, not per port) */
  serviceKey?: string
}

/** The source ranges of frontends that have none: one shared empty list (never written to). */
const NO_RANGES: Cidr[] = []

/** Every LB frontend (with its slots) of one service, in a stable order. */
export function translateService(
  svc: Service,
  slices: readonly EndpointSlice[],
  ctx: TranslateContext,
): LbFrontend[] {
  const clusterIP = svc.clusterIP === 'None' ? null : tryIpToU32(svc.clusterIP)
  if (clusterIP === null) return []
  const affinity = svc.sessionAffinity === 'ClientIP'
  const intLocal = svc.internalTrafficPolicy === 'Local'
  const out: LbFrontend[] = []
  let ranges = NO_RANGES
  if (svc.type === 'LoadBalancer')
    for (const r of svc.loadBalancerSourceRanges) {
      const c = tryParseCidr(r)
      if (!c) continue
      if (ranges === NO_RANGES) ranges = []
      ranges.push(c)
    }
  const service = ctx.serviceKey ?? `${svc.namespace}/${svc.name}`
  for (let p = 0; p < svc.ports.length; p++) {
    const port = svc.ports[p]
    const all = portBackends(port, slices, ctx.newBackend)
    const internal = slots(all, intLocal ? ctx.nodeName : null)
    const pc: PortContext = {
      out,
      service,
      portName: port.name,
      proto: PROTO_NUM[port.protocol],
      affinityTimeout: affinity ? (svc.sessionAffinityTimeoutSeconds ?? 10800) : 0,
      affinityFlag: affinity ? SVC_FLAG_AFFINITY : 0,
      all,
      internal,
      extLocal: svc.externalTrafficPolicy === 'Local',
      intLocal,
      nodeName: ctx.nodeName,
    }
    const clusterFlags =
      SVC_FLAG_CLUSTERIP | SVC_FLAG_ROUTABLE | pc.affinityFlag | (intLocal ? SVC_FLAG_INT_LOCAL_SCOPE : 0)
    out.push(frontendOf(pc, 'ClusterIP', clusterIP, port.port, SCOPE_EXT, clusterFlags, internal, NO_RANGES))
    if ((svc.type === 'NodePort' || svc.type === 'LoadBalancer') && port.nodePort) {
      external(pc, 'NodePort', 0, port.nodePort, SVC_FLAG_NODEPORT, NO_RANGES)
      for (const a of ctx.nodeAddrs) external(pc, 'NodePort', a, port.nodePort, SVC_FLAG_NODEPORT, NO_RANGES)
    }
    for (const ip of svc.externalIPs) {
      const a = tryIpToU32(ip)
      if (a !== null) external(pc, 'ExternalIPs', a, port.port, SVC_FLAG_EXTERNAL_IP, NO_RANGES)
    }
    if (svc.type === 'LoadBalancer')
      for (const ip of svc.loadBalancerIPs) {
        const a = tryIpToU32(ip)
        if (a !== null) external(pc, 'LoadBalancer', a, port.port, SVC_FLAG_LOADBALANCER, ranges)
      }
  }
  return out
}

/**
 * At most how many frontends `translateService` makes of `svc`: per port the ClusterIP one and, in one scope
 * or two, the NodePort ones (0.0.0.0 and the node's address), externalIPs and LoadBalancer IPs.
 */
export function frontendBound(svc: Service): number {
  const nodePort = svc.type === 'NodePort' || svc.type === 'LoadBalancer' ? 2 : 0
  const lb = svc.type === 'LoadBalancer' ? svc.loadBalancerIPs.length : 0
  const scopes = (svc.externalTrafficPolicy === 'Local') !== (svc.internalTrafficPolicy === 'Local') ? 2 : 1
  return svc.ports.length * (1 + (nodePort + svc.externalIPs.length + lb) * scopes)
}

/** All frontends of a cluster for one node. */
export function translateServices(cluster: Cluster, nodeName: string): LbFrontend[] {
  const node = cluster.nodes.find((n) => n.name === nodeName)
  const ctx: TranslateContext = { nodeName, nodeAddrs: node ? [ipToU32(node.internalIP)] : [] }
  const slices = indexSlices(cluster.endpointSlices)
  const out: LbFrontend[] = []
  for (const svc of cluster.services)
    out.push(...translateService(svc, slices.get(`${svc.namespace}/${svc.name}`) ?? [], ctx))
  return out
}
