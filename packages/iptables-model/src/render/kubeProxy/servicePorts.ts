import type { Cluster, EndpointSlice, Protocol, Service } from '@dataplane-sim/cluster'
import { tryIpToU32, tryParseCidr } from '@dataplane-sim/cluster'
import { kubeHash16, servicePortEndpointChain, servicePortNameString } from './chainNames'

/** One endpoint of a service port as kube-proxy's EndpointsMap holds it (pkg/proxy/endpoint.go BaseEndpointInfo). */
export interface KubeEndpoint {
  ip: string
  port: number
  /** "ip:port", Endpoint.String(); kube-proxy sorts and deduplicates by it */
  str: string
  nodeName?: string
  isLocal: boolean
  ready: boolean
  serving: boolean
  terminating: boolean
  /** KUBE-SEP-… */
  chain: string
  /** "namespace/name" of the backing pod, when the slice names it */
  pod?: string
}

/**
 * One service port as kube-proxy's ServicePortMap holds it (pkg/proxy/serviceport.go BaseServicePortInfo plus the
 * chain names the iptables proxier precomputes in newServiceInfo).
 */
export interface ServicePortInfo {
  /** "namespace/name" of the service */
  service: string
  /** ServicePortName.String(): "ns/name:port" */
  name: string
  protocol: 'tcp' | 'udp' | 'sctp'
  clusterIP: string
  port: number
  nodePort: number
  externalIPs: string[]
  loadBalancerVIPs: string[]
  loadBalancerSourceRanges: string[]
  sessionAffinity: boolean
  stickyMaxAgeSeconds: number
  internalPolicyLocal: boolean
  /** externalTrafficPolicy Local AND externally accessible, as ExternalPolicyLocal() */
  externalPolicyLocal: boolean
  healthCheckNodePort: number
  endpoints: KubeEndpoint[]
  clusterChain: string
  localChain: string
  firewallChain: string
  externalChain: string
}

export function externallyAccessible(sp: ServicePortInfo): boolean {
  return sp.nodePort !== 0 || sp.loadBalancerVIPs.length > 0 || sp.externalIPs.length > 0
}

/** UsesClusterEndpoints (pkg/proxy/serviceport.go): even with eTP Local, short-circuiting needs cluster endpoints. */
export function usesClusterEndpoints(sp: ServicePortInfo): boolean {
  return !sp.internalPolicyLocal || externallyAccessible(sp)
}

export function usesLocalEndpoints(sp: ServicePortInfo): boolean {
  return sp.internalPolicyLocal || (sp.externalPolicyLocal && externallyAccessible(sp))
}

const isV4 = (ip: string): boolean => tryIpToU32(ip) !== null

/** kube-proxy keeps one address family per proxier; the model renders IPv4 only. */
function v4Cidrs(list: string[]): string[] {
  const out: string[] = []
  for (const c of list) {
    const t = c.trim()
    if (tryParseCidr(t)) out.push(t.includes('/') ? t : `${t}/32`)
  }
  return out
}

/**
 * The service ports kube-proxy on `nodeName` would program for one Service and its EndpointSlices. Headless
 * services (clusterIP None) are skipped as in ServiceChangeTracker. Endpoints are deduplicated by "ip:port"
 * (preferring the local copy) and sorted by that string, as EndpointSliceCache does.
 */
export function servicePortsForService(
  svc: Service,
  slices: readonly EndpointSlice[],
  nodeName: string,
): ServicePortInfo[] {
  if (!svc.clusterIP || svc.clusterIP === 'None' || !isV4(svc.clusterIP)) return []
  const out: ServicePortInfo[] = []
  const service = `${svc.namespace}/${svc.name}`
  for (const p of svc.ports) {
    const protocol = p.protocol.toLowerCase() as ServicePortInfo['protocol']
    const name = servicePortNameString(svc.namespace, svc.name, p.name)
    const h = kubeHash16(name + protocol)
    const isLB = svc.type === 'LoadBalancer'
    const nodePort = svc.type === 'NodePort' || isLB ? (p.nodePort ?? 0) : 0
    const externalIPs = svc.externalIPs.filter(isV4)
    const loadBalancerVIPs = isLB ? svc.loadBalancerIPs.filter(isV4) : []
    const sp: ServicePortInfo = {
      service,
      name,
      protocol,
      clusterIP: svc.clusterIP,
      port: p.port,
      nodePort,
      externalIPs,
      loadBalancerVIPs,
      loadBalancerSourceRanges: isLB ? v4Cidrs(svc.loadBalancerSourceRanges) : [],
      sessionAffinity: svc.sessionAffinity === 'ClientIP',
      stickyMaxAgeSeconds: svc.sessionAffinityTimeoutSeconds ?? 10800,
      internalPolicyLocal: svc.internalTrafficPolicy === 'Local',
      externalPolicyLocal: false,
      healthCheckNodePort: 0,
      endpoints: endpointsFor(service, name, protocol, p.name, p.protocol, slices, nodeName),
      // the four chains share portProtoHash(name, protocol): hash once
      clusterChain: `KUBE-SVC-${h}`,
      localChain: `KUBE-SVL-${h}`,
      firewallChain: `KUBE-FW-${h}`,
      externalChain: `KUBE-EXT-${h}`,
    }
    sp.externalPolicyLocal = svc.externalTrafficPolicy === 'Local' && externallyAccessible(sp)
    // healthCheckNodePort is only meaningful for LoadBalancer services with eTP Local (serviceport.go)
    if (isLB && sp.externalPolicyLocal) sp.healthCheckNodePort = svc.healthCheckNodePort ?? 0
    out.push(sp)
  }
  return out
}

function endpointsFor(
  _service: string,
  spName: string,
  protocol: string,
  portName: string,
  portProtocol: Protocol,
  slices: readonly EndpointSlice[],
  nodeName: string,
): KubeEndpoint[] {
  const byStr = new Map<string, KubeEndpoint>()
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue
    for (const port of slice.ports) {
      if (port.name !== portName || port.protocol !== portProtocol || !port.port) continue
      for (const e of slice.endpoints) {
        if (!isV4(e.address)) continue
        const str = `${e.address}:${port.port}`
        const isLocal = e.nodeName !== undefined && e.nodeName === nodeName
        if (byStr.has(str) && !isLocal) continue
        byStr.set(str, {
          ip: e.address,
          port: port.port,
          str,
          nodeName: e.nodeName,
          isLocal,
          ready: e.ready,
          serving: e.serving,
          terminating: e.terminating,
          chain: servicePortEndpointChain(spName, protocol, str),
          pod: e.targetRef,
        })
      }
    }
  }
  return [...byStr.values()].sort((a, b) => (a.str < b.str ? -1 : a.str > b.str ? 1 : 0))
}

/** EndpointSlices grouped by "namespace/serviceName". */
export function slicesByService(cluster: Cluster): Map<string, EndpointSlice[]> {
  const m = new Map<string, EndpointSlice[]>()
  for (const s of cluster.endpointSlices) {
    const k = `${s.namespace}/${s.serviceName}`
    const list = m.get(k)
    if (list) list.push(s)
    else m.set(k, [s])
  }
  return m
}
