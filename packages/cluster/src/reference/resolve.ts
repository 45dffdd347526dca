import type { Candidate } from '../contract/dataplane'
import { InputError } from '../errors/errors'
import { type ClusterIndex, clusterIndex, type FrontendEntry } from '../index/clusterIndex'
import { cidrContains, tryIpToU32, tryParseCidr } from '../ip/ipv4'
import type { Packet } from '../packet/packet'
import type { Cluster, Node, Pod, Protocol } from '../scenario/types'
import { categorizeEndpoints, type ServiceEndpoint, serviceEndpoints } from './endpoints'
import { egressDecision, ingressDecision } from './policy'
import type { ReferenceCandidate, ReferenceOptions, ReferenceResult } from './types'

const SERVICE_PROTOCOL: Record<Packet['protocol'], Protocol | undefined> = {
  tcp: 'TCP',
  udp: 'UDP',
  sctp: 'SCTP',
  icmp: undefined,
}

/**
 * What Kubernetes requires for `packet` entering on `opts.node`, with no dataplane involved: the oracle
 * both models are tested against. Service handling follows kube-proxy (pkg/proxy/iptables/proxier.go,
 * pkg/proxy/topology.go); NetworkPolicy follows networking.k8s.io/v1 (see ./policy).
 *
 * Choices where Kubernetes leaves room, documented once here:
 * - a nodePort is served by the node owning the addressed IP (traffic policy Local is judged there);
 * - the masquerade address is the serving node's InternalIP;
 * - egress policy is judged against the backend (after service translation), as Calico and Cilium see it
 *   when translation happens on the source node;
 * - loadBalancerSourceRanges' "allow from the LB IP itself" hairpin rule is not modeled.
 */
export function resolveReference(cluster: Cluster, packet: Packet, opts: ReferenceOptions): ReferenceResult {
  const idx = clusterIndex(cluster)
  const entry = idx.nodeByName.get(opts.node)
  if (!entry) throw new InputError(`unknown node ${JSON.stringify(opts.node)}`, '<reference>')
  const proto = SERVICE_PROTOCOL[packet.protocol]
  let fe: FrontendEntry | undefined
  let servingNode = entry
  if (proto) {
    fe = idx.frontend(packet.dst, proto, packet.dport)
    const dstNode = idx.nodeByIP.get(packet.dst)
    if (!fe && dstNode) {
      fe = idx.nodePort(proto, packet.dport)
      servingNode = dstNode
    }
  }
  if (fe) {
    const srcPod = idx.podByIP.get(packet.src)
    if (fe.kind === 'nodePort' && servingNode !== entry && srcPod && opts.nodePortEgress === 'nodeAddress') {
      const egress = egressDecision(idx, srcPod, packet.dst, packet.dport, packet.protocol)
      if (!egress.allowed) return stopped(fe, servingNode, 'drop', egress.reason!)
      return resolveService(idx, packet, fe, servingNode, undefined, opts)
    }
    return resolveService(idx, packet, fe, servingNode, srcPod, opts)
  }
  return resolveDirect(idx, packet)
}

function frontendOf(fe: FrontendEntry): ReferenceResult['frontend'] {
  const { service: svc, port } = fe
  return {
    kind: fe.kind,
    service: `${svc.namespace}/${svc.name}`,
    portName: port.name,
    protocol: port.protocol,
  }
}

function stopped(fe: FrontendEntry, node: Node, verdict: 'drop' | 'reject', reason: string): ReferenceResult {
  return {
    frontend: frontendOf(fe),
    servingNode: node.name,
    verdict,
    candidates: [],
    eligible: [],
    masquerade: false,
    reasons: [reason],
  }
}

/** `srcPod` is the pod whose egress policy applies to each backend (undefined: already judged, or none). */
function resolveService(
  idx: ClusterIndex,
  packet: Packet,
  fe: FrontendEntry,
  node: Node,
  srcPod: Pod | undefined,
  opts: ReferenceOptions,
): ReferenceResult {
  const { service: svc, port } = fe
  const name = `${svc.namespace}/${svc.name}${port.name ? `:${port.name}` : ''}`
  const base = { frontend: frontendOf(fe), servingNode: node.name }
  const stop = (verdict: 'drop' | 'reject', reason: string) => stopped(fe, node, verdict, reason)
  const cat = categorizeEndpoints(serviceEndpoints(idx, svc, port), svc, node.name)
  if (!cat.hasAnyEndpoints) return stop('reject', `${name} has no endpoints`)
  if (fe.kind === 'loadBalancer' && svc.loadBalancerSourceRanges.length > 0) {
    if (!inAny(packet.src, svc.loadBalancerSourceRanges))
      return stop('drop', `${name} traffic not accepted by loadBalancerSourceRanges`)
  }
  const srcInCluster = inAny(packet.src, [idx.cluster.podCIDR])
  const srcLocal = packet.src === node.internalIP
  let chosen: ServiceEndpoint[]
  let masquerade: boolean
  if (fe.kind === 'clusterIP') {
    // Off-cluster traffic to a VIP is masqueraded: it may have been routed here and bounce to another node.
    masquerade = !srcInCluster
    chosen = svc.internalTrafficPolicy === 'Local' ? cat.localEndpoints : cat.clusterEndpoints
    if (chosen.length === 0) return stop('drop', `${name} has no local endpoints`)
  } else if (svc.externalTrafficPolicy !== 'Local') {
    masquerade = true
    chosen = cat.clusterEndpoints
  } else if (srcInCluster) {
    // Pod traffic to an external destination short-circuits to all endpoints, unmasqueraded.
    masquerade = false
    chosen = cat.clusterEndpoints
  } else if (srcLocal) {
    // The node's own traffic: the LB IP is local, so it is masqueraded and routed to all endpoints.
    masquerade = true
    chosen = cat.clusterEndpoints
  } else {
    masquerade = false
    chosen = cat.localEndpoints
    if (chosen.length === 0) return stop('drop', `${name} has no local endpoints`)
  }
  const probability = 1 / chosen.length
  const eligible = chosen.map((ep) => {
    // kube-proxy's KUBE-SEP chains masquerade a pod reaching itself through the service (hairpin).
    const masq = masquerade || ep.ip === packet.src
    const source = masq ? node.internalIP : packet.src
    const c = candidateOf(idx, ep.ip, ep.port, probability, ep.pod, ep.nodeName)
    const judgedBy =
      opts.localBackendSource === 'client' && masquerade && ep.ip !== packet.src && c.node === node.name
        ? packet.src
        : source
    return { ...judge(idx, packet, srcPod, c, judgedBy, masq), source }
  })
  return finish(base, eligible, masquerade, `${name}`)
}

function resolveDirect(idx: ClusterIndex, packet: Packet): ReferenceResult {
  const base = { frontend: null, servingNode: null }
  const srcPod = idx.podByIP.get(packet.src)
  const dstPod = idx.podByIP.get(packet.dst)
  if (dstPod) {
    const c = candidateOf(
      idx,
      packet.dst,
      packet.dport,
      1,
      `${dstPod.namespace}/${dstPod.name}`,
      dstPod.nodeName,
    )
    return finish(base, [judge(idx, packet, srcPod, c, packet.src, false)], false, 'pod')
  }
  const egress = srcPod && egressDecision(idx, srcPod, packet.dst, packet.dport, packet.protocol)
  const dstNode = idx.nodeByIP.get(packet.dst)
  if (egress && !egress.allowed)
    return {
      ...base,
      verdict: 'drop',
      candidates: [],
      eligible: [],
      masquerade: false,
      reasons: [egress.reason!],
    }
  return {
    ...base,
    verdict: dstNode ? 'local' : 'forward',
    candidates: [],
    eligible: [],
    masquerade: false,
    reasons: [dstNode ? `addressed to node ${dstNode.name}` : 'not a cluster address: routed out'],
  }
}

function candidateOf(
  idx: ClusterIndex,
  ip: string,
  port: number,
  probability: number,
  pod?: string,
  node?: string,
): Candidate {
  const p: Pod | undefined = idx.podByIP.get(ip)
  const c: Candidate = { ip, port, probability }
  const podKey = pod ?? (p && `${p.namespace}/${p.name}`)
  const nodeName = node ?? p?.nodeName
  if (podKey) c.pod = podKey
  if (nodeName) c.node = nodeName
  return c
}

function judge(
  idx: ClusterIndex,
  packet: Packet,
  srcPod: Pod | undefined,
  c: Candidate,
  source: string,
  masquerade: boolean,
): ReferenceCandidate {
  const egress = srcPod && egressDecision(idx, srcPod, c.ip, c.port, packet.protocol)
  if (egress && !egress.allowed) return { ...c, masquerade, source, allowed: false, reason: egress.reason }
  const dstPod = idx.podByIP.get(c.ip)
  const ingress = dstPod && ingressDecision(idx, dstPod, source, c.port, packet.protocol)
  if (ingress && !ingress.allowed) return { ...c, masquerade, source, allowed: false, reason: ingress.reason }
  return { ...c, masquerade, source, allowed: true }
}

function finish(
  base: Pick<ReferenceResult, 'frontend' | 'servingNode'>,
  eligible: ReferenceCandidate[],
  masquerade: boolean,
  what: string,
): ReferenceResult {
  const allowed = eligible.filter((c) => c.allowed)
  const candidates = allowed.map(({ allowed: _a, reason: _r, source: _s, ...c }) => c)
  const reasons = eligible.filter((c) => !c.allowed).map((c) => `${c.ip}:${c.port}: ${c.reason}`)
  if (allowed.length === 0) reasons.unshift(`${what}: every candidate is denied by NetworkPolicy`)
  return { ...base, verdict: allowed.length ? 'forward' : 'drop', candidates, eligible, masquerade, reasons }
}

function inAny(ip: string, cidrs: readonly string[]): boolean {
  const addr = tryIpToU32(ip)
  if (addr === null) return false
  return cidrs.some((text) => {
    const c = tryParseCidr(text)
    return c !== null && cidrContains(c, addr)
  })
}
