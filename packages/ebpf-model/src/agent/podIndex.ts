import type { Pod } from '@dataplane-sim/cluster'

/**
 * The pods that hold an identity, keyed by the pod object the agent added (no "namespace/name" string per
 * pod: hashing a million fresh strings costs more than the rest of the initial sync of those pods), with
 * the two lookups the agent needs besides: pods of a namespace (a namespace relabel re-identifies them) and
 * pods of an identity (egress named ports resolve to those pods' container ports). Those two indexes are
 * built the first time they are asked for and kept current from then on.
 */
export class PodIndex {
  private readonly identities = new Map<Pod, number>()
  private byNamespace: Map<string, Set<Pod>> | null = null
  private byIdentity: Map<number, Set<Pod>> | null = null

  add(pod: Pod, identity: number): void {
    this.identities.set(pod, identity)
    if (this.byNamespace) addTo(this.byNamespace, pod.namespace, pod)
    if (this.byIdentity) addTo(this.byIdentity, identity, pod)
  }

  /** Forgets a pod (the object it was added as); returns the identity it held, or undefined when none. */
  remove(pod: Pod): number | undefined {
    const identity = this.identities.get(pod)
    if (identity === undefined) return undefined
    this.identities.delete(pod)
    if (this.byNamespace) removeFrom(this.byNamespace, pod.namespace, pod)
    if (this.byIdentity) removeFrom(this.byIdentity, identity, pod)
    return identity
  }

  identityOf(pod: Pod): number | undefined {
    return this.identities.get(pod)
  }

  /** The pods of `namespace` that hold an identity (a copy: callers re-add them while iterating). */
  inNamespace(namespace: string): Pod[] {
    if (!this.byNamespace) {
      const by = new Map<string, Set<Pod>>()
      for (const pod of this.identities.keys()) addTo(by, pod.namespace, pod)
      this.byNamespace = by
    }
    return [...(this.byNamespace.get(namespace) ?? [])]
  }

  /** The pods holding `identity`. */
  withIdentity(identity: number): Iterable<Pod> {
    if (!this.byIdentity) {
      const by = new Map<number, Set<Pod>>()
      for (const [pod, id] of this.identities) addTo(by, id, pod)
      this.byIdentity = by
    }
    return this.byIdentity.get(identity) ?? []
  }

  /** Every pod holding an identity. */
  all(): Iterable<Pod> {
    return this.identities.keys()
  }
}

function addTo<K>(index: Map<K, Set<Pod>>, k: K, pod: Pod): void {
  let set = index.get(k)
  if (!set) index.set(k, (set = new Set()))
  set.add(pod)
}

function removeFrom<K>(index: Map<K, Set<Pod>>, k: K, pod: Pod): void {
  const set = index.get(k)
  if (!set) return
  set.delete(pod)
  if (set.size === 0) index.delete(k)
}
