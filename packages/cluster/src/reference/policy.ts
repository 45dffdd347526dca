import type { ClusterIndex } from '../index/clusterIndex'
import { cidrContains, tryIpToU32, tryParseCidr } from '../ip/ipv4'
import type { PacketProtocol } from '../packet/packet'
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, Pod, PolicyType } from '../scenario/types'
import { matchesSelector } from '../selector/selector'

/** Whether a NetworkPolicy direction lets one connection through, and why not when it does not. */
export interface PolicyDecision {
  allowed: boolean
  /** some policy selecting the pod has this direction in its policyTypes */
  isolated: boolean
  reason?: string
}

const OPEN: PolicyDecision = { allowed: true, isolated: false }

/**
 * Ingress to `pod` from `srcIP` (the address the pod sees, after any masquerade) on `port`/`protocol`,
 * with networking.k8s.io/v1 semantics: a pod is isolated iff some policy selecting it lists Ingress; then
 * it is allowed iff some ingress rule of some such policy matches both the peer and the port.
 * Host-network pods are never isolated. Traffic from the pod's own node is always allowed: the Kubernetes
 * docs list "block access from their resident node" as something NetworkPolicy cannot do (Cilium's
 * allow-localhost, Calico's host-to-local-workload path).
 */
export function ingressDecision(
  idx: ClusterIndex,
  pod: Pod,
  srcIP: string,
  port: number,
  protocol: PacketProtocol,
): PolicyDecision {
  if (pod.hostNetwork) return OPEN
  const policies = selecting(idx, pod, 'Ingress')
  if (policies.length === 0) return OPEN
  if (idx.nodeByName.get(pod.nodeName)?.internalIP === srcIP) return { allowed: true, isolated: true }
  const srcPod = idx.podByIP.get(srcIP)
  for (const np of policies)
    for (const rule of np.ingress)
      if (portsMatch(rule.ports, port, protocol, pod) && peersMatch(idx, np, rule.from, srcIP, srcPod))
        return { allowed: true, isolated: true }
  return {
    allowed: false,
    isolated: true,
    reason: `ingress to ${pod.namespace}/${pod.name} denied by ${names(policies)}`,
  }
}

/**
 * Egress from `pod` to `dstIP`:`port` (the backend, after service translation), same semantics. Named
 * ports resolve against the destination pod's container ports; a destination that is not a pod matches
 * only ipBlock peers and numeric ports.
 */
export function egressDecision(
  idx: ClusterIndex,
  pod: Pod,
  dstIP: string,
  port: number,
  protocol: PacketProtocol,
): PolicyDecision {
  if (pod.hostNetwork) return OPEN
  const policies = selecting(idx, pod, 'Egress')
  if (policies.length === 0) return OPEN
  const dstPod = idx.podByIP.get(dstIP)
  for (const np of policies)
    for (const rule of np.egress)
      if (portsMatch(rule.ports, port, protocol, dstPod) && peersMatch(idx, np, rule.to, dstIP, dstPod))
        return { allowed: true, isolated: true }
  return {
    allowed: false,
    isolated: true,
    reason: `egress from ${pod.namespace}/${pod.name} denied by ${names(policies)}`,
  }
}

function selecting(idx: ClusterIndex, pod: Pod, type: PolicyType): NetworkPolicy[] {
  return (idx.policiesByNamespace.get(pod.namespace) ?? []).filter(
    (np) => np.policyTypes.includes(type) && matchesSelector(np.podSelector, pod.labels),
  )
}

function names(policies: NetworkPolicy[]): string {
  return policies.map((np) => `${np.namespace}/${np.name}`).join(', ')
}

/** Absent or empty `from`/`to`: every peer. Otherwise any peer (OR). */
function peersMatch(
  idx: ClusterIndex,
  np: NetworkPolicy,
  peers: NetworkPolicyPeer[] | undefined,
  ip: string,
  pod: Pod | undefined,
): boolean {
  if (!peers || peers.length === 0) return true
  return peers.some((peer) => peerMatches(idx, np, peer, ip, pod))
}

/**
 * ipBlock matches addresses, pod addresses included (as Calico and Cilium do; the API leaves it to the
 * implementation). podSelector alone: pods of the policy's namespace; namespaceSelector alone: every pod
 * of the selected namespaces; both in one peer: AND.
 */
function peerMatches(
  idx: ClusterIndex,
  np: NetworkPolicy,
  peer: NetworkPolicyPeer,
  ip: string,
  pod: Pod | undefined,
): boolean {
  if (peer.ipBlock) {
    const addr = tryIpToU32(ip)
    const cidr = tryParseCidr(peer.ipBlock.cidr)
    if (addr === null || !cidr || !cidrContains(cidr, addr)) return false
    for (const ex of peer.ipBlock.except ?? []) {
      const c = tryParseCidr(ex)
      if (c && cidrContains(c, addr)) return false
    }
    return true
  }
  if (!pod || (!peer.podSelector && !peer.namespaceSelector)) return false
  if (peer.namespaceSelector) {
    const ns = idx.namespaceByName.get(pod.namespace)
    if (!matchesSelector(peer.namespaceSelector, ns?.labels ?? {})) return false
  } else if (pod.namespace !== np.namespace) return false
  return !peer.podSelector || matchesSelector(peer.podSelector, pod.labels)
}

/** Absent or empty `ports`: every port and protocol (ICMP too). Otherwise any entry (OR). */
function portsMatch(
  ports: NetworkPolicyPort[] | undefined,
  port: number,
  protocol: PacketProtocol,
  dstPod: Pod | undefined,
): boolean {
  if (!ports || ports.length === 0) return true
  const proto = protocol.toUpperCase()
  return ports.some((p) => {
    const pp = p.protocol ?? 'TCP'
    if (pp !== proto) return false
    if (p.port === undefined) return true
    if (typeof p.port === 'string')
      return (dstPod?.ports ?? []).some(
        (cp) => cp.name === p.port && cp.protocol === pp && cp.containerPort === port,
      )
    if (p.endPort !== undefined) return port >= p.port && port <= p.endPort
    return port === p.port
  })
}
