import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, Pod } from '@dataplane-sim/cluster'
import { matchesSelector } from '@dataplane-sim/cluster'
import { HOST_ID } from './identity'
import type { SelectorCache } from './selectorCache'
import { PROTO_NUM } from './services'

/**
 * NetworkPolicy → per-endpoint policy map entries, mirroring cilium/cilium `pkg/policy/repository.go`
 * (which rules select an endpoint, per direction), `pkg/policy/l4.go` (ports, named ports, port ranges) and
 * `pkg/policy/mapstate.go` (precedence: a deny covers every allow of the same identity it contains; the
 * datapath's two lookups in `bpf/lib/policy.h` settle the rest). Enforcement mode `default`: an endpoint no
 * policy selects in a direction gets the allow-all entry for it.
 */

export const INGRESS = 0
export const EGRESS = 1

/** Bits of the LPM key after the identity and direction: 8 for the protocol, 16 for the port. */
export const LPM_PROTO_PREFIX_BITS = 8
export const LPM_FULL_PREFIX_BITS = 24

export interface PolicyEntry {
  /** remote identity, 0 = any */
  identity: number
  direction: typeof INGRESS | typeof EGRESS
  /** 0 = any protocol */
  proto: number
  /** first port of the prefix (0 when the port is wildcarded) */
  port: number
  /** 0 (any), 8 (protocol, any port) ... 24 (protocol and exact port) */
  prefixLen: number
  deny: boolean
}

export function policyEntryKey(e: Omit<PolicyEntry, 'deny'>): string {
  return `${e.identity}/${e.direction}/${e.proto}/${e.port}/${e.prefixLen}`
}

/** A port range as the fewest aligned LPM prefixes (`pkg/policy/types` PortRangeToMaskedPorts). */
export function portRangePrefixes(first: number, last: number): Array<{ port: number; prefixLen: number }> {
  const out: Array<{ port: number; prefixLen: number }> = []
  let p = first
  while (p <= last) {
    let size = 1
    while (size < 65536 && p % (size * 2) === 0 && p + size * 2 - 1 <= last) size *= 2
    out.push({ port: p, prefixLen: LPM_FULL_PREFIX_BITS - Math.log2(size) })
    p += size
  }
  return out
}

/** Whether entry `outer` covers every packet `inner` matches (same identity and direction). */
export function l4Covers(outer: PolicyEntry, inner: PolicyEntry): boolean {
  if (outer.prefixLen > inner.prefixLen) return false
  if (outer.prefixLen === 0) return true
  if (outer.proto !== inner.proto) return false
  if (outer.prefixLen <= LPM_PROTO_PREFIX_BITS) return true
  const shift = LPM_FULL_PREFIX_BITS - outer.prefixLen
  return inner.port >>> shift === outer.port >>> shift
}

/** What policy resolution needs from the agent's state. */
export interface PolicyContext {
  selectors: SelectorCache
  /** the NetworkPolicies of a namespace */
  policiesIn(namespace: string): readonly NetworkPolicy[]
  /** container ports of the pods holding an identity (egress named ports) */
  podsOf(identity: number): Iterable<Pod>
  /** every pod (named ports toward a wildcard peer) */
  allPods(): Iterable<Pod>
}

export interface EndpointPolicy {
  ingressIsolated: boolean
  egressIsolated: boolean
  /** sorted by key, deduplicated, after mapstate precedence */
  entries: PolicyEntry[]
  /** selector keys this endpoint's policy depends on (for incremental regeneration) */
  selectors: Set<string>
  /** named ports used by egress rules (so a pod's ports changing regenerates this endpoint) */
  usesNamedPorts: boolean
}

function portEntries(
  port: NetworkPolicyPort,
  resolveName: (name: string, proto: number) => number[],
): Array<{ proto: number; port: number; prefixLen: number }> {
  const proto = PROTO_NUM[port.protocol ?? 'TCP']
  if (port.port === undefined) return [{ proto, port: 0, prefixLen: LPM_PROTO_PREFIX_BITS }]
  if (typeof port.port === 'string')
    return resolveName(port.port, proto).map((p) => ({ proto, port: p, prefixLen: LPM_FULL_PREFIX_BITS }))
  const last = port.endPort ?? port.port
  return portRangePrefixes(port.port, Math.max(port.port, last)).map((r) => ({ proto, ...r }))
}

function namedPorts(pods: Iterable<Pod>, name: string, proto: number): number[] {
  const out = new Set<number>()
  for (const p of pods)
    for (const c of p.ports) if (c.name === name && PROTO_NUM[c.protocol] === proto) out.add(c.containerPort)
  return [...out]
}

/** The policy map entries of the endpoint of `pod` with identity `self`. */
export function computeEndpointPolicy(pod: Pod, ctx: PolicyContext): EndpointPolicy {
  const entries = new Map<string, PolicyEntry>()
  const selectors = new Set<string>()
  let ingressIsolated = false
  let egressIsolated = false
  let usesNamedPorts = false
  const add = (e: PolicyEntry) => {
    const k = policyEntryKey(e)
    const have = entries.get(k)
    if (!have || (e.deny && !have.deny)) entries.set(k, e)
  }
  const rule = (
    direction: typeof INGRESS | typeof EGRESS,
    namespace: string,
    peers: NetworkPolicyPeer[] | undefined,
    ports: NetworkPolicyPort[] | undefined,
  ) => {
    const remote: number[] = []
    const peerList = peers && peers.length > 0 ? peers : null
    if (peerList)
      for (const peer of peerList) {
        const sel = ctx.selectors.get(namespace, peer)
        selectors.add(sel.key)
        for (const id of sel.identities) remote.push(id)
      }
    else remote.push(0)
    const portList = ports && ports.length > 0 ? ports : null
    for (const id of remote) {
      if (!portList) {
        add({ identity: id, direction, proto: 0, port: 0, prefixLen: 0, deny: false })
        continue
      }
      for (const p of portList) {
        const resolve = (name: string, proto: number): number[] => {
          if (direction === INGRESS) return namedPorts([pod], name, proto)
          usesNamedPorts = true
          return namedPorts(id === 0 ? ctx.allPods() : ctx.podsOf(id), name, proto)
        }
        for (const l4 of portEntries(p, resolve)) add({ identity: id, direction, ...l4, deny: false })
      }
    }
  }
  for (const np of ctx.policiesIn(pod.namespace)) {
    if (!matchesSelector(np.podSelector, pod.labels)) continue
    if (np.policyTypes.includes('Ingress')) {
      ingressIsolated = true
      for (const r of np.ingress) rule(INGRESS, np.namespace, r.from, r.ports)
    }
    if (np.policyTypes.includes('Egress')) {
      egressIsolated = true
      for (const r of np.egress) rule(EGRESS, np.namespace, r.to, r.ports)
    }
  }
  // Not isolated: allow-all for the direction. Isolated on ingress: the host may always reach its pods
  // (allow-localhost=auto without the host firewall; kubelet probes), as Kubernetes requires too.
  if (!ingressIsolated) add({ identity: 0, direction: INGRESS, proto: 0, port: 0, prefixLen: 0, deny: false })
  else add({ identity: HOST_ID, direction: INGRESS, proto: 0, port: 0, prefixLen: 0, deny: false })
  if (!egressIsolated) add({ identity: 0, direction: EGRESS, proto: 0, port: 0, prefixLen: 0, deny: false })
  return {
    ingressIsolated,
    egressIsolated,
    entries: applyDenyPrecedence([...entries.values()]),
    selectors,
    usesNamedPorts,
  }
}

/**
 * mapstate's deny precedence for entries of the same identity: an allow that a deny of the same identity and
 * direction covers is left out, because the LPM lookup would otherwise pick the longer (allow) prefix.
 * Deny vs allow across identities (an identity-0 deny) is settled by the datapath's second lookup.
 */
export function applyDenyPrecedence(entries: PolicyEntry[]): PolicyEntry[] {
  const denies = entries.filter((e) => e.deny)
  const kept =
    denies.length === 0
      ? entries
      : entries.filter(
          (e) =>
            e.deny ||
            !denies.some((d) => d.identity === e.identity && d.direction === e.direction && l4Covers(d, e)),
        )
  return kept.sort(compareEntries)
}

export function compareEntries(a: PolicyEntry, b: PolicyEntry): number {
  return (
    a.direction - b.direction ||
    a.identity - b.identity ||
    a.proto - b.proto ||
    a.port - b.port ||
    a.prefixLen - b.prefixLen
  )
}
