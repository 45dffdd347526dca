import type { Cluster, Node } from '@dataplane-sim/cluster'
import { tryIpToU32, tryParseCidr } from '@dataplane-sim/cluster'
import type { KubeProxyOptions, ResolvedKubeProxyOptions } from './options'
import { renderServicePort, type ServicePortChunk } from './servicePortRules'
import { type ServicePortInfo, servicePortsForService, slicesByService } from './servicePorts'

/**
 * kube-proxy in iptables mode, rendered for one node: what `syncProxyRules` in kubernetes/kubernetes
 * pkg/proxy/iptables/proxier.go (v1.33; the same rules since v1.29's nfacct counters) writes to iptables-restore, plus the
 * jump rules it installs in built-in chains with `iptables -I` (`iptablesJumpChains`). Service ports are written
 * in name order (kube-proxy iterates a Go map, so its own order is random).
 */
export interface KubeProxyRender {
  options: ResolvedKubeProxyOptions
  nodeName: string
  nodeIP: string | null
  largeClusterMode: boolean
  totalEndpoints: number
  /** per service ("namespace/name"), its ports' chunks in port order */
  services: Map<string, ServicePortChunk[]>
}

export function resolveKubeProxyOptions(
  cluster: Cluster,
  opts: KubeProxyOptions = {},
): ResolvedKubeProxyOptions {
  const nodePortAddresses = opts.nodePortAddresses ?? []
  let localhostNodePorts = opts.localhostNodePorts ?? true
  // NewProxier: localhost NodePorts are disabled when --nodeport-addresses leaves out 127.0.0.1
  if (nodePortAddresses.length > 0 && !nodePortAddresses.some((c) => cidrHas(c, 0x7f000001)))
    localhostNodePorts = false
  const bit = opts.masqueradeBit ?? 14
  return {
    clusterCIDR: opts.clusterCIDR ?? cluster.podCIDR,
    nodePortAddresses,
    masqueradeAll: opts.masqueradeAll ?? false,
    localhostNodePorts,
    largeClusterThreshold: opts.largeClusterThreshold ?? 1000,
    // iptables-save prints the mark without kube-proxy's %#08x zero padding
    masqueradeMark: `0x${(2 ** bit).toString(16)}`,
    randomFully: opts.randomFully ?? true,
    nfacct: opts.nfacct ?? true,
    conntrackTCPLiberal: opts.conntrackTCPLiberal ?? false,
  }
}

function cidrHas(cidr: string, ip: number): boolean {
  const c = tryParseCidr(cidr)
  return c !== null && (ip & c.mask) >>> 0 === c.base
}

export function findNode(cluster: Cluster, nodeName: string): Node | undefined {
  return cluster.nodes.find((n) => n.name === nodeName)
}

/** The service ports of every service, keyed by "namespace/name", in cluster order. */
export function collectServicePorts(cluster: Cluster, nodeName: string): Map<string, ServicePortInfo[]> {
  const slices = slicesByService(cluster)
  const out = new Map<string, ServicePortInfo[]>()
  for (const svc of cluster.services) {
    const key = `${svc.namespace}/${svc.name}`
    out.set(key, servicePortsForService(svc, slices.get(key) ?? [], nodeName))
  }
  return out
}

/** Σ endpoints over all service ports, as syncProxyRules counts them to pick large-cluster mode. */
export function countEndpoints(ports: Map<string, ServicePortInfo[]>): number {
  let n = 0
  for (const list of ports.values()) for (const sp of list) n += sp.endpoints.length
  return n
}

export function renderKubeProxy(
  cluster: Cluster,
  nodeName: string,
  opts: KubeProxyOptions = {},
): KubeProxyRender {
  const options = resolveKubeProxyOptions(cluster, opts)
  const node = findNode(cluster, nodeName)
  const ports = collectServicePorts(cluster, nodeName)
  const totalEndpoints = countEndpoints(ports)
  const render: KubeProxyRender = {
    options,
    nodeName,
    nodeIP: node?.internalIP ?? null,
    largeClusterMode: totalEndpoints > options.largeClusterThreshold,
    totalEndpoints,
    services: new Map(),
  }
  for (const [key, list] of ports) render.services.set(key, renderServicePorts(render, list))
  return render
}

export function renderServicePorts(render: KubeProxyRender, ports: ServicePortInfo[]): ServicePortChunk[] {
  const ctx = {
    largeClusterMode: render.largeClusterMode,
    masqueradeAll: render.options.masqueradeAll,
    clusterCIDR: render.options.clusterCIDR,
    nodeIP: render.nodeIP === null ? null : tryIpToU32(render.nodeIP),
    localhostNodePorts: render.options.localhostNodePorts,
    nfacct: render.options.nfacct,
  }
  return ports.map((sp) => renderServicePort(sp, ctx))
}

/** Filter-table chains kube-proxy declares (and so flushes) on every sync, in its order. */
export function kubeFilterChains(o: ResolvedKubeProxyOptions): string[] {
  const chains = [
    'KUBE-SERVICES',
    'KUBE-EXTERNAL-SERVICES',
    'KUBE-FORWARD',
    'KUBE-NODEPORTS',
    'KUBE-PROXY-FIREWALL',
  ]
  if (o.localhostNodePorts) chains.push('KUBE-FIREWALL')
  return chains
}

/** Nat-table chains kube-proxy declares on every sync. */
export const KUBE_NAT_FIXED_CHAINS = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']

export function kubeNatFixedRules(o: ResolvedKubeProxyOptions): string[] {
  const m = o.masqueradeMark
  return [
    `-A KUBE-POSTROUTING -m mark ! --mark ${m}/${m} -j RETURN`,
    // clear the mark so a packet that re-traverses the stack is not masqueraded twice
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${m}`,
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${o.randomFully ? ' --random-fully' : ''}`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${m}`,
  ]
}

export function kubeFilterFixedRules(o: ResolvedKubeProxyOptions): string[] {
  if (!o.localhostNodePorts) return []
  // mitigation for route_localnet (https://issue.k8s.io/90259)
  return [
    '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
  ]
}

/** The last KUBE-SERVICES rule(s): the tail call to KUBE-NODEPORTS. */
export function kubeNodePortsTail(render: KubeProxyRender): string[] {
  const o = render.options
  const comment =
    '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"'
  if (o.nodePortAddresses.length === 0 || o.nodePortAddresses.some((c) => tryParseCidr(c)?.prefix === 0)) {
    const local = o.localhostNodePorts ? '' : ' ! -d 127.0.0.0/8'
    return [`-A KUBE-SERVICES ${comment} -m addrtype --dst-type LOCAL${local} -j KUBE-NODEPORTS`]
  }
  // the node's addresses inside --nodeport-addresses: its InternalIP and, when allowed, 127.0.0.1
  const ips: string[] = []
  for (const ip of [render.nodeIP, '127.0.0.1']) {
    if (ip === null) continue
    const n = tryIpToU32(ip)
    if (n === null || !o.nodePortAddresses.some((c) => cidrHas(c, n))) continue
    if (ip === '127.0.0.1' && !o.localhostNodePorts) continue
    ips.push(ip)
  }
  return ips.map((ip) => `-A KUBE-SERVICES ${comment} -d ${ip} -j KUBE-NODEPORTS`)
}

export function kubeForwardRules(o: ResolvedKubeProxyOptions): string[] {
  const out: string[] = []
  if (!o.conntrackTCPLiberal)
    // https://github.com/kubernetes/kubernetes/issues/74839
    out.push(
      `-A KUBE-FORWARD -m conntrack --ctstate INVALID${o.nfacct ? ' -m nfacct --nfacct-name ct_state_invalid_dropped_pkts' : ''} -j DROP`,
    )
  const m = o.masqueradeMark
  out.push(
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${m}/${m} -j ACCEPT`,
  )
  out.push(
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  )
  return out
}

/**
 * Jump rules from built-in chains, as kube-proxy leaves them after `iptables -I` of each entry of
 * iptablesJumpChains (each prepended, so the last one listed comes first). The kubelet's KUBE-FIREWALL jump
 * predates kube-proxy's and so stays last. Keyed by "table:CHAIN".
 */
export function kubeJumpRules(o: ResolvedKubeProxyOptions): Record<string, string[]> {
  const newOnly = '-m conntrack --ctstate NEW'
  const r: Record<string, string[]> = {
    'filter:INPUT': [
      `-A INPUT ${newOnly} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
      '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
      `-A INPUT ${newOnly} -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    ],
    'filter:FORWARD': [
      `-A FORWARD ${newOnly} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      `-A FORWARD ${newOnly} -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
      `-A FORWARD ${newOnly} -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    ],
    'filter:OUTPUT': [
      `-A OUTPUT ${newOnly} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
      `-A OUTPUT ${newOnly} -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    ],
    'nat:PREROUTING': ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'],
    'nat:OUTPUT': ['-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'],
    'nat:POSTROUTING': [
      '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    ],
  }
  if (o.localhostNodePorts) {
    r['filter:INPUT'].push('-A INPUT -j KUBE-FIREWALL')
    r['filter:OUTPUT'].push('-A OUTPUT -j KUBE-FIREWALL')
  }
  return r
}

/** kube-proxy's empty canary chains (iptables.Monitor), one per table it watches. */
export const KUBE_CANARY_TABLES = ['mangle', 'nat', 'filter'] as const
