import { cidrContains, tryParseCidr } from '@dataplane-sim/cluster'
import { categorizeEndpoints } from './categorize'
import type { KubeEndpoint, ServicePortInfo } from './servicePorts'
import { externallyAccessible } from './servicePorts'

/**
 * What syncProxyRules writes for one service port, split the way a partial sync needs it. Rule blocks are
 * kept as one newline-joined string each ('' when empty): at 100k services that is a few strings per service
 * instead of millions of line strings for the garbage collector to trace.
 */
export interface ServicePortChunk {
  /** ServicePortName.String() */
  name: string
  /** "namespace/name" of the service */
  service: string
  /** lines for the filter table (always written) */
  filterRules: string
  /** nat KUBE-SERVICES / KUBE-NODEPORTS lines (always written) */
  natTopRules: string
  /** per-service nat chains (KUBE-EXT/FW/SVC/SVL/SEP) in the order kube-proxy declares them */
  natChains: string[]
  /** rules of natChains (skipped by a partial sync when the service did not change) */
  natRules: string
}

/** The lines of a rule block. */
export const blockLines = (block: string): string[] => (block ? block.split('\n') : [])

export interface ServicePortContext {
  largeClusterMode: boolean
  masqueradeAll: boolean
  /** --cluster-cidr; '' when kube-proxy runs without a local-traffic detector (LocalDetector.IsImplemented() is false) */
  clusterCIDR: string
  nodeIP: number | null
  localhostNodePorts: boolean
  nfacct: boolean
}

const KUBE_SERVICES = 'KUBE-SERVICES'
const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES'
const KUBE_NODEPORTS = 'KUBE-NODEPORTS'
const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ'
const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL'

const probabilityCache: string[] = []
/**
 * computeProbability: fmt.Sprintf("%0.10f", 1.0/float64(n)), precomputed as kube-proxy does. Go rounds an exact
 * halfway value to even where JS toFixed rounds it up; 1/n is exactly representable with a deciding 11th digit
 * only when n is a power of two, so those are rounded exactly (1/2048 → 0.0004882812, as Go prints it).
 */
export function probability(n: number): string {
  let p = probabilityCache[n]
  if (p === undefined) p = probabilityCache[n] = formatProbability(n)
  return p
}

function formatProbability(n: number): string {
  const a = Math.log2(n)
  if (!Number.isInteger(a) || a <= 10) return (1 / n).toFixed(10)
  // 1/2^a = 5^a / 10^a exactly
  const scaled = 5n ** BigInt(a) // digits after the point, left-padded to a digits
  const drop = 10n ** BigInt(a - 10)
  let q = scaled / drop
  const r = scaled % drop
  const half = drop / 2n
  if (r > half || (r === half && q % 2n === 1n)) q += 1n
  return `0.${q.toString().padStart(10, '0')}`
}

/**
 * The per-service-port body of syncProxyRules in kubernetes/kubernetes pkg/proxy/iptables/proxier.go (v1.33:
 * the version with pkg/proxy/runner and the nfacct counters, whose proxier_test.go expectations the golden
 * test reproduces): capture rules in KUBE-SERVICES / KUBE-NODEPORTS, REJECT/DROP rules in filter for
 * missing (local) endpoints, then the EXT, FW, SVC, SVL and SEP chains. Rules keep kube-proxy's argument order.
 */
export function renderServicePort(sp: ServicePortInfo, ctx: ServicePortContext): ServicePortChunk {
  const proto = sp.protocol
  const spn = sp.name
  const filterRules: string[] = []
  const natTopRules: string[] = []
  const natChains: string[] = []
  const natRules: string[] = []
  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints } = categorizeEndpoints(sp)

  const clusterPolicyChain = sp.clusterChain
  const usesClusterPolicyChain =
    clusterEndpoints.length > 0 && (!sp.internalPolicyLocal || externallyAccessible(sp))
  const localPolicyChain = sp.localChain
  const usesLocalPolicyChain =
    localEndpoints.length > 0 &&
    (sp.internalPolicyLocal || (sp.externalPolicyLocal && externallyAccessible(sp)))

  let internalPolicyChain = clusterPolicyChain
  let hasInternalEndpoints = hasAnyEndpoints
  if (sp.internalPolicyLocal) {
    internalPolicyChain = localPolicyChain
    if (localEndpoints.length === 0) hasInternalEndpoints = false
  }
  let externalPolicyChain = clusterPolicyChain
  let hasExternalEndpoints = hasAnyEndpoints
  if (sp.externalPolicyLocal) {
    externalPolicyChain = localPolicyChain
    if (localEndpoints.length === 0) hasExternalEndpoints = false
  }
  const externalTrafficChain = sp.externalChain
  const usesExternalTrafficChain = hasAnyEndpoints && externallyAccessible(sp)
  const usesFWChain =
    hasAnyEndpoints && sp.loadBalancerVIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0
  const loadBalancerTrafficChain = usesFWChain ? sp.firewallChain : externalTrafficChain

  let internalFilterTarget = ''
  let internalFilterComment = ''
  let externalFilterTarget = ''
  let externalFilterComment = ''
  if (!hasAnyEndpoints) {
    internalFilterTarget = externalFilterTarget = 'REJECT'
    internalFilterComment = externalFilterComment = `"${spn} has no endpoints"`
  } else {
    if (!hasInternalEndpoints) {
      internalFilterTarget = 'DROP'
      internalFilterComment = `"${spn} has no local endpoints"`
    }
    if (!hasExternalEndpoints) {
      externalFilterTarget = 'DROP'
      externalFilterComment = `"${spn} has no local endpoints"`
    }
  }

  const dst = (ip: string, port: number) => `-m ${proto} -p ${proto} -d ${ip} --dport ${port}`

  // Capture the clusterIP.
  if (hasInternalEndpoints)
    natTopRules.push(
      `-A ${KUBE_SERVICES} -m comment --comment "${spn} cluster IP" ${dst(sp.clusterIP, sp.port)} -j ${internalPolicyChain}`,
    )
  else
    filterRules.push(
      `-A ${KUBE_SERVICES} -m comment --comment ${internalFilterComment} ${dst(sp.clusterIP, sp.port)} -j ${internalFilterTarget}`,
    )

  // Capture externalIPs.
  for (const eip of sp.externalIPs) {
    if (hasAnyEndpoints)
      natTopRules.push(
        `-A ${KUBE_SERVICES} -m comment --comment "${spn} external IP" ${dst(eip, sp.port)} -j ${externalTrafficChain}`,
      )
    if (!hasExternalEndpoints)
      filterRules.push(
        `-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${externalFilterComment} ${dst(eip, sp.port)} -j ${externalFilterTarget}`,
      )
  }

  // Capture load-balancer ingress.
  for (const lbip of sp.loadBalancerVIPs) {
    if (hasAnyEndpoints)
      natTopRules.push(
        `-A ${KUBE_SERVICES} -m comment --comment "${spn} loadbalancer IP" ${dst(lbip, sp.port)} -j ${loadBalancerTrafficChain}`,
      )
    if (usesFWChain)
      filterRules.push(
        `-A ${KUBE_PROXY_FIREWALL} -m comment --comment "${spn} traffic not accepted by ${sp.firewallChain}" ${dst(lbip, sp.port)} -j DROP`,
      )
  }
  if (!hasExternalEndpoints)
    for (const lbip of sp.loadBalancerVIPs)
      filterRules.push(
        `-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${externalFilterComment} ${dst(lbip, sp.port)} -j ${externalFilterTarget}`,
      )

  // Capture nodeports.
  if (sp.nodePort !== 0) {
    if (hasAnyEndpoints) {
      if (ctx.localhostNodePorts && ctx.nfacct)
        natTopRules.push(
          `-A ${KUBE_NODEPORTS} -m comment --comment ${spn} -m ${proto} -p ${proto} -d 127.0.0.0/8 --dport ${sp.nodePort} -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ${externalTrafficChain}`,
        )
      natTopRules.push(
        `-A ${KUBE_NODEPORTS} -m comment --comment ${spn} -m ${proto} -p ${proto} --dport ${sp.nodePort} -j ${externalTrafficChain}`,
      )
    }
    if (!hasExternalEndpoints)
      filterRules.push(
        `-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${externalFilterComment} -m addrtype --dst-type LOCAL -m ${proto} -p ${proto} --dport ${sp.nodePort} -j ${externalFilterTarget}`,
      )
  }

  // Capture healthCheckNodePorts.
  if (sp.healthCheckNodePort !== 0)
    filterRules.push(
      `-A ${KUBE_NODEPORTS} -m comment --comment "${spn} health check node port" -m tcp -p tcp --dport ${sp.healthCheckNodePort} -j ACCEPT`,
    )

  // Internal traffic handling.
  if (hasInternalEndpoints) {
    const args = `-m comment --comment "${spn} cluster IP" ${dst(sp.clusterIP, sp.port)}`
    if (ctx.masqueradeAll) natRules.push(`-A ${internalPolicyChain} ${args} -j ${KUBE_MARK_MASQ}`)
    else if (ctx.clusterCIDR)
      // masquerade off-cluster traffic to a service VIP (LocalTrafficDetector.IfNotLocal)
      natRules.push(`-A ${internalPolicyChain} ${args} ! -s ${ctx.clusterCIDR} -j ${KUBE_MARK_MASQ}`)
  }

  // External traffic handling.
  if (usesExternalTrafficChain) {
    natChains.push(externalTrafficChain)
    if (!sp.externalPolicyLocal) {
      natRules.push(
        `-A ${externalTrafficChain} -m comment --comment "masquerade traffic for ${spn} external destinations" -j ${KUBE_MARK_MASQ}`,
      )
    } else {
      if (ctx.clusterCIDR)
        natRules.push(
          `-A ${externalTrafficChain} -m comment --comment "pod traffic for ${spn} external destinations" -s ${ctx.clusterCIDR} -j ${clusterPolicyChain}`,
        )
      natRules.push(
        `-A ${externalTrafficChain} -m comment --comment "masquerade LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j ${KUBE_MARK_MASQ}`,
      )
      natRules.push(
        `-A ${externalTrafficChain} -m comment --comment "route LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j ${clusterPolicyChain}`,
      )
    }
    if (hasExternalEndpoints) natRules.push(`-A ${externalTrafficChain} -j ${externalPolicyChain}`)
  }

  // Firewall chain for loadBalancerSourceRanges.
  if (usesFWChain) {
    const fw = sp.firewallChain
    natChains.push(fw)
    const args = `-A ${fw} -m comment --comment "${spn} loadbalancer IP"`
    let allowFromNode = false
    for (const cidr of sp.loadBalancerSourceRanges) {
      natRules.push(`${args} -s ${cidr} -j ${externalTrafficChain}`)
      const c = tryParseCidr(cidr)
      if (ctx.nodeIP !== null && c && cidrContains(c, ctx.nodeIP)) allowFromNode = true
    }
    if (allowFromNode)
      for (const lbip of sp.loadBalancerVIPs) natRules.push(`${args} -s ${lbip} -j ${externalTrafficChain}`)
    natRules.push(
      `-A ${fw} -m comment --comment "other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL"`,
    )
  }

  if (usesClusterPolicyChain) {
    natChains.push(clusterPolicyChain)
    writeServiceToEndpointRules(natRules, sp, clusterPolicyChain, clusterEndpoints, ctx.largeClusterMode)
  }
  if (usesLocalPolicyChain) {
    natChains.push(localPolicyChain)
    writeServiceToEndpointRules(natRules, sp, localPolicyChain, localEndpoints, ctx.largeClusterMode)
  }

  // Per-endpoint chains.
  for (const ep of allReachableEndpoints) {
    natChains.push(ep.chain)
    const args = ctx.largeClusterMode ? `-A ${ep.chain}` : `-A ${ep.chain} -m comment --comment ${spn}`
    // traffic that loops back to its originator needs SNAT (hairpin)
    natRules.push(`${args} -s ${ep.ip} -j ${KUBE_MARK_MASQ}`)
    const recent = sp.sessionAffinity ? ` -m recent --name ${ep.chain} --set` : ''
    natRules.push(`${args}${recent} -m ${proto} -p ${proto} -j DNAT --to-destination ${ep.str}`)
  }

  return {
    name: spn,
    service: sp.service,
    filterRules: filterRules.join('\n'),
    natTopRules: natTopRules.join('\n'),
    natChains,
    natRules: natRules.join('\n'),
  }
}

function writeServiceToEndpointRules(
  out: string[],
  sp: ServicePortInfo,
  chain: string,
  endpoints: KubeEndpoint[],
  largeClusterMode: boolean,
): void {
  const comment = (ep: KubeEndpoint) =>
    largeClusterMode ? '' : ` -m comment --comment "${sp.name} -> ${ep.str}"`
  if (sp.sessionAffinity)
    for (const ep of endpoints)
      out.push(
        `-A ${chain}${comment(ep)} -m recent --name ${ep.chain} --rcheck --seconds ${sp.stickyMaxAgeSeconds} --reap -j ${ep.chain}`,
      )
  const n = endpoints.length
  for (let i = 0; i < n; i++) {
    const ep = endpoints[i]
    const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : ''
    out.push(`-A ${chain}${comment(ep)}${stat} -j ${ep.chain}`)
  }
}
