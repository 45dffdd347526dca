import type {
  Cluster,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  Pod,
  Protocol,
} from '@dataplane-sim/cluster'
import { matchesSelector, selectorKey, tryParseCidr } from '@dataplane-sim/cluster'
import type { IpsetDef } from './ipsets'
import { ipsetName } from './names'

export const MARK_ACCEPT = 0x10000
export const MARK_PASS = 0x20000
const ACCEPT = '0x10000/0x10000'

/** Collects the ipsets the policy rules refer to (one per distinct selector, except-list or named port). */
export class IpsetRegistry {
  readonly sets = new Map<string, IpsetDef>()
  add(kind: 's' | 'n', key: string, type: IpsetDef['type'], members: () => string[]): string {
    const name = ipsetName(kind, key)
    if (!this.sets.has(name)) this.sets.set(name, { name, type, members: [...new Set(members())].sort() })
    return name
  }
}

/** Pods that are Calico workload endpoints (host-network pods are not). */
export function isWorkload(p: Pod): boolean {
  return !p.hostNetwork && !!p.ip
}

function netMember(cidr: string): string {
  const c = tryParseCidr(cidr)
  if (!c) return cidr
  const [addr] = cidr.split('/')
  return c.prefix === 32 ? addr : `${addr.split('/')[0]}/${c.prefix}`
}

export interface PolicyContext {
  cluster: Cluster
  nsLabels: Map<string, Record<string, string>>
  /** workload pods by namespace */
  podsByNs: Map<string, Pod[]>
  ipsets: IpsetRegistry
}

export function policyContext(cluster: Cluster, ipsets: IpsetRegistry): PolicyContext {
  const podsByNs = new Map<string, Pod[]>()
  for (const p of cluster.pods) {
    if (!isWorkload(p)) continue
    const list = podsByNs.get(p.namespace)
    if (list) list.push(p)
    else podsByNs.set(p.namespace, [p])
  }
  return { cluster, nsLabels: new Map(cluster.namespaces.map((n) => [n.name, n.labels])), podsByNs, ipsets }
}

type Ctx = PolicyContext

/** Pods a NetworkPolicyPeer selects (podSelector / namespaceSelector), in the policy's namespace by default. */
function peerPods(ctx: Ctx, policyNs: string, peer: NetworkPolicyPeer): Pod[] {
  const namespaces = peer.namespaceSelector
    ? [...ctx.podsByNs.keys()].filter((ns) =>
        matchesSelector(peer.namespaceSelector!, ctx.nsLabels.get(ns) ?? {}),
      )
    : [policyNs]
  const out: Pod[] = []
  for (const ns of namespaces)
    for (const p of ctx.podsByNs.get(ns) ?? [])
      if (!peer.podSelector || matchesSelector(peer.podSelector, p.labels)) out.push(p)
  return out
}

function peerKey(policyNs: string, peer: NetworkPolicyPeer): string {
  const ns = peer.namespaceSelector ? `nsSelector(${selectorKey(peer.namespaceSelector)})` : `ns==${policyNs}`
  return `${ns} && pods(${peer.podSelector ? selectorKey(peer.podSelector) : 'all()'})`
}

interface PortGroup {
  protocol: Protocol
  /** multiport list ("80", "8000:8080"), or null for every port of the protocol */
  ports: string[] | null
  /** a named port (resolved through a cali40n: ipset) */
  named?: string
}

/**
 * Calico's k8s conversion gives one Calico rule per peer and port protocol; felix renders numeric ports as one
 * `-m multiport --dports` list (simplification: no split at multiport's 15-entry limit) and each named port as a
 * `hash:ip,port` set matched with `dst,dst`.
 */
function portGroups(ports: NetworkPolicyPort[] | undefined): PortGroup[] {
  if (!ports || ports.length === 0) return []
  const byProto = new Map<Protocol, PortGroup>()
  const named: PortGroup[] = []
  for (const p of ports) {
    const protocol = p.protocol ?? 'TCP'
    if (typeof p.port === 'string') {
      named.push({ protocol, ports: null, named: p.port })
      continue
    }
    let g = byProto.get(protocol)
    if (!g) byProto.set(protocol, (g = { protocol, ports: [] }))
    if (p.port === undefined) g.ports = null
    else if (g.ports)
      g.ports.push(p.endPort && p.endPort > p.port ? `${p.port}:${p.endPort}` : String(p.port))
  }
  return [...byProto.values(), ...named]
}

/**
 * The rule bodies (without `-A chain` and the cali: comment) of one direction of a NetworkPolicy, as felix
 * renders a policy chain (felix/rules/policy.go): each allow rule sets the accept mark and returns.
 */
export function policyChainBodies(
  ctx: Ctx,
  policy: NetworkPolicy,
  direction: 'ingress' | 'egress',
): string[] {
  const out: string[] = []
  const rules = direction === 'ingress' ? policy.ingress : policy.egress
  const side = direction === 'ingress' ? 'src' : 'dst'
  const flag = direction === 'ingress' ? '-s' : '-d'
  for (const rule of rules) {
    const peers: Array<NetworkPolicyPeer | null> =
      (direction === 'ingress'
        ? (rule as { from?: NetworkPolicyPeer[] }).from
        : (rule as { to?: NetworkPolicyPeer[] }).to) ?? []
    const peerList = peers.length ? peers : [null]
    const groups = portGroups(rule.ports)
    const groupList: Array<PortGroup | null> = groups.length ? groups : [null]
    for (const peer of peerList) {
      let peerMatch = ''
      if (peer?.ipBlock) {
        peerMatch = `${flag} ${peer.ipBlock.cidr}`
        const except = peer.ipBlock.except ?? []
        if (except.length) {
          const set = ctx.ipsets.add('s', `except(${[...except].sort().join(',')})`, 'hash:net', () =>
            except.map(netMember),
          )
          peerMatch += ` -m set ! --match-set ${set} ${side}`
        }
      } else if (peer) {
        const set = ctx.ipsets.add('s', peerKey(policy.namespace, peer), 'hash:net', () =>
          peerPods(ctx, policy.namespace, peer).map((p) => p.ip),
        )
        peerMatch = `-m set --match-set ${set} ${side}`
      }
      for (const g of groupList) {
        const parts: string[] = []
        if (g) parts.push(`-p ${g.protocol.toLowerCase()}`)
        if (peerMatch) parts.push(peerMatch)
        if (g?.named) {
          const members = namedPortMembers(ctx, policy, direction, peer, g.named, g.protocol)
          const set = ctx.ipsets.add(
            'n',
            `named(${g.named},${g.protocol},${direction === 'ingress' ? `${policy.namespace}:${selectorKey(policy.podSelector)}` : peer ? peerKey(policy.namespace, peer) : 'all()'})`,
            'hash:ip,port',
            () => members,
          )
          parts.push(`-m set --match-set ${set} dst,dst`)
        } else if (g?.ports) parts.push(`-m multiport --dports ${g.ports.join(',')}`)
        parts.push(`-j MARK --set-xmark ${ACCEPT}`)
        out.push(parts.join(' '))
        out.push(`-m mark --mark ${ACCEPT} -j RETURN`)
      }
    }
  }
  return out
}

/** Members `ip,proto:port` of a named-port set: the destination pods that expose the named port. */
function namedPortMembers(
  ctx: Ctx,
  policy: NetworkPolicy,
  direction: 'ingress' | 'egress',
  peer: NetworkPolicyPeer | null,
  name: string,
  protocol: Protocol,
): string[] {
  let pods: Pod[]
  if (direction === 'ingress')
    // the destination is the protected endpoint: pods the policy selects
    pods = ctx.cluster.pods.filter(
      (p) =>
        isWorkload(p) && p.namespace === policy.namespace && matchesSelector(policy.podSelector, p.labels),
    )
  else if (peer && !peer.ipBlock) pods = peerPods(ctx, policy.namespace, peer)
  else pods = ctx.cluster.pods.filter(isWorkload)
  const out: string[] = []
  for (const p of pods)
    for (const cp of p.ports)
      if (cp.name === name && cp.protocol === protocol)
        out.push(`${p.ip},${protocol.toLowerCase()}:${cp.containerPort}`)
  return out
}
