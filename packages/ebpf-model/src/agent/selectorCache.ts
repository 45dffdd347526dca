import type { NetworkPolicyPeer } from '@dataplane-sim/cluster'
import { type Cidr, isEmptySelector, matchesSelector, parseCidr, selectorKey } from '@dataplane-sim/cluster'
import { type Identity, WORLD_ID } from './identity'

/**
 * The identities each policy peer selects, kept current as identities come and go, mirroring cilium/cilium
 * `pkg/policy/selectorcache.go`: a new identity is tested against every cached selector (work proportional
 * to the number of selectors, not to the cluster), and the selectors whose set changed are reported so
 * only the endpoints using them are regenerated.
 */
export interface CachedSelector {
  key: string
  matches(identity: Identity): boolean
  /**
   * which identities can match at all: CIDR and reserved ones (ipBlock), pod identities of one namespace
   * (a peer without namespaceSelector), or every pod identity
   */
  scope: { namespace: string } | 'cidr' | 'pods'
  identities: Set<number>
}

function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.base & outer.mask) >>> 0 === outer.base
}

/**
 * A peer of a NetworkPolicy in `namespace` as a selector over identities. Pod and namespace selectors match
 * pod identities (the namespace through the `io.cilium.k8s.namespace.labels.*` labels); an ipBlock matches
 * CIDR identities inside it and outside its excepts, plus `reserved:world` for 0.0.0.0/0. As in Cilium
 * (policy-cidr-match-mode empty), CIDR selectors never select pods or nodes of the cluster.
 */
export function peerSelector(namespace: string, peer: NetworkPolicyPeer): Omit<CachedSelector, 'identities'> {
  if (peer.ipBlock) {
    const cidr = parseCidr(peer.ipBlock.cidr)
    const except = (peer.ipBlock.except ?? []).map((e) => parseCidr(e))
    return {
      key: `cidr:${peer.ipBlock.cidr} except ${except.map((e) => `${e.base}/${e.prefix}`).join(',')}`,
      scope: 'cidr',
      matches: (id) => {
        if (id.id === WORLD_ID) return cidr.prefix === 0
        if (id.kind !== 'cidr' || !id.cidr) return false
        const c = id.cidr
        return cidrWithin(c, cidr) && !except.some((e) => cidrWithin(c, e))
      },
    }
  }
  const pod = peer.podSelector
  const ns = peer.namespaceSelector
  return {
    key: `ns:${ns ? selectorKey(ns) : `=${namespace}`} pod:${pod ? selectorKey(pod) : '*'}`,
    scope: ns ? 'pods' : { namespace },
    matches: (id) => {
      if (id.kind !== 'global' || !id.podLabels) return false
      if (ns) {
        if (!isEmptySelector(ns) && !matchesSelector(ns, id.namespaceLabels ?? {})) return false
      } else if (id.namespace !== namespace) return false
      return !pod || matchesSelector(pod, id.podLabels)
    },
  }
}

export class SelectorCache {
  private readonly selectors = new Map<string, CachedSelector>()
  /**
   * Identities indexed by what a selector can match, so a new selector is evaluated against its namespace's
   * pod identities (most peers) rather than every identity of the cluster: pod identities by namespace,
   * the others (reserved, CIDR) apart.
   */
  private readonly podIdentities = new Map<string, Map<number, Identity>>()
  private readonly otherIdentities = new Map<number, Identity>()
  /**
   * the namespace of each pod identity, by identity number (global identities are below 2^16): an array
   * where a Map of 65k number keys cost ~35 ms of inserts in the 100k × 10 build
   */
  private readonly namespaceOf: Array<string | undefined> = []

  /** `initial`: the identities that exist already (the reserved ones) */
  constructor(initial: Iterable<Identity>) {
    for (const id of initial) this.index(id)
  }

  /** The cached selector for a peer, computing its identity set on first use. */
  get(namespace: string, peer: NetworkPolicyPeer): CachedSelector {
    const s = peerSelector(namespace, peer)
    const have = this.selectors.get(s.key)
    if (have) return have
    const identities = new Set<number>()
    const test = (ids: Iterable<Identity>) => {
      for (const id of ids) if (s.matches(id)) identities.add(id.id)
    }
    if (s.scope === 'cidr') test(this.otherIdentities.values())
    else if (s.scope === 'pods') for (const ids of this.podIdentities.values()) test(ids.values())
    else test(this.podIdentities.get(s.scope.namespace)?.values() ?? [])
    const cached = { ...s, identities }
    this.selectors.set(s.key, cached)
    return cached
  }

  /** Updates every selector for a new identity; returns the keys of the selectors that now select it. */
  addIdentity(identity: Identity): string[] {
    this.index(identity)
    const changed: string[] = []
    for (const s of this.selectors.values())
      if (s.matches(identity)) {
        s.identities.add(identity.id)
        changed.push(s.key)
      }
    return changed
  }

  /** Removes a released identity; returns the keys of the selectors that selected it. */
  removeIdentity(id: number): string[] {
    const ns = id < this.namespaceOf.length ? this.namespaceOf[id] : undefined
    if (ns === undefined) this.otherIdentities.delete(id)
    else {
      this.namespaceOf[id] = undefined
      const ids = this.podIdentities.get(ns)
      ids?.delete(id)
      if (ids?.size === 0) this.podIdentities.delete(ns)
    }
    const changed: string[] = []
    for (const s of this.selectors.values()) if (s.identities.delete(id)) changed.push(s.key)
    return changed
  }

  get size(): number {
    return this.selectors.size
  }

  private index(identity: Identity): void {
    const ns = identity.kind === 'global' && identity.podLabels ? identity.namespace : undefined
    if (ns === undefined) {
      this.otherIdentities.set(identity.id, identity)
      return
    }
    const of = this.namespaceOf
    // grown one element at a time (global identities are taken lowest first): packed, never holey
    while (of.length <= identity.id) of.push(undefined)
    of[identity.id] = ns
    let ids = this.podIdentities.get(ns)
    if (!ids) this.podIdentities.set(ns, (ids = new Map()))
    ids.set(identity.id, identity)
  }
}
