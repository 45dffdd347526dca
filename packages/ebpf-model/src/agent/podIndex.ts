import type { Pod } from '@dataplane-sim/cluster'

/**
 * The pods the agent knows, by ordinal — the pod's position in the initial cluster's list, then one more per
 * pod a watch event brings — and the identity each holds (0: none) in an Int32Array beside them. The initial
 * sync writes a million identities as integers at the pods' own positions (a workload's pods are listed
 * together, so mostly in runs), where a Map<Pod, number> hashed every pod object into a table of a million
 * entries (~0.6 s of the 100k-service build, and a 35 MB table for the GC). Pod objects need no key string:
 * the agent finds a watch event's pod by "namespace/name" → ordinal.
 *
 * The order pods were added in is kept (an append-only log of ordinals; an entry is current while the pod's
 * `seq` points at it), because the lookups built from it hand pods out in that order: pods of a namespace (a
 * namespace relabel re-identifies them in that order, which decides the identities they get) and pods of an
 * identity (egress named ports). Those two indexes are built the first time they are asked for and kept
 * current from then on.
 */
export class PodIndex {
  /** pods by ordinal: the initial cluster's list, then `added` */
  private readonly initial: readonly Pod[]
  private readonly added: Pod[] = []
  /** identity by ordinal, 0: none */
  private ids: Int32Array
  /** position in `log` of the pod's current add, by ordinal */
  private seq: Int32Array
  /** ordinals in the order they were added (stale entries: seq no longer points at them) */
  private log: Int32Array
  private logLength = 0
  private count = 0
  private byNamespace: Map<string, Set<number>> | null = null
  private byIdentity: Map<number, Set<Pod>> | null = null

  constructor(initial: readonly Pod[]) {
    this.initial = initial
    const n = Math.max(16, initial.length)
    this.ids = new Int32Array(n)
    this.seq = new Int32Array(n)
    this.log = new Int32Array(n)
  }

  /** how many pods hold an identity */
  get size(): number {
    return this.count
  }

  /** The pod of an ordinal. */
  pod(ordinal: number): Pod {
    const n = this.initial.length
    return ordinal < n ? this.initial[ordinal] : this.added[ordinal - n]
  }

  /** Gives a pod a watch event brought its ordinal. */
  append(pod: Pod): number {
    const ordinal = this.initial.length + this.added.length
    this.added.push(pod)
    if (ordinal >= this.ids.length) {
      this.ids = grown(this.ids, ordinal + 1)
      this.seq = grown(this.seq, ordinal + 1)
    }
    return ordinal
  }

  /** Records that the pod of `ordinal` holds `identity` (> 0); it must hold none. */
  add(ordinal: number, identity: number): void {
    this.ids[ordinal] = identity
    this.count++
    if (this.logLength === this.log.length) this.compactLog()
    this.seq[ordinal] = this.logLength
    this.log[this.logLength++] = ordinal
    if (this.byNamespace) addTo(this.byNamespace, this.pod(ordinal).namespace, ordinal)
    if (this.byIdentity) addTo(this.byIdentity, identity, this.pod(ordinal))
  }

  /** Forgets the identity of a pod; returns the identity it held, or undefined when none. */
  remove(ordinal: number): number | undefined {
    const identity = this.identityOf(ordinal)
    if (identity === undefined) return undefined
    this.ids[ordinal] = 0
    this.count--
    if (this.byNamespace) removeFrom(this.byNamespace, this.pod(ordinal).namespace, ordinal)
    if (this.byIdentity) removeFrom(this.byIdentity, identity, this.pod(ordinal))
    return identity
  }

  identityOf(ordinal: number): number | undefined {
    const id = ordinal < this.ids.length ? this.ids[ordinal] : 0
    return id === 0 ? undefined : id
  }

  /** Ordinals of the pods of `namespace` that hold an identity, in the order added (a copy). */
  inNamespace(namespace: string): number[] {
    if (!this.byNamespace) {
      const by = new Map<string, Set<number>>()
      for (const o of this.current()) addTo(by, this.pod(o).namespace, o)
      this.byNamespace = by
    }
    return [...(this.byNamespace.get(namespace) ?? [])]
  }

  /** The pods holding `identity`. */
  withIdentity(identity: number): Iterable<Pod> {
    if (!this.byIdentity) {
      const by = new Map<number, Set<Pod>>()
      for (const o of this.current()) addTo(by, this.ids[o], this.pod(o))
      this.byIdentity = by
    }
    return this.byIdentity.get(identity) ?? []
  }

  /** Every pod holding an identity, in the order added. */
  *all(): Iterable<Pod> {
    for (const o of this.current()) yield this.pod(o)
  }

  /** Ordinals holding an identity, in the order added. */
  private *current(): Iterable<number> {
    for (let i = 0; i < this.logLength; i++) {
      const o = this.log[i]
      if (this.ids[o] !== 0 && this.seq[o] === i) yield o
    }
  }

  /** Drops stale log entries; grows the log when most entries are current. */
  private compactLog(): void {
    let n = 0
    for (let i = 0; i < this.logLength; i++) {
      const o = this.log[i]
      if (this.ids[o] !== 0 && this.seq[o] === i) {
        this.seq[o] = n
        this.log[n++] = o
      }
    }
    this.logLength = n
    if (n * 2 > this.log.length) this.log = grown(this.log, this.log.length + 1)
  }
}

function grown(a: Int32Array, atLeast: number): Int32Array {
  let n = a.length * 2
  while (n < atLeast) n *= 2
  const b = new Int32Array(n)
  b.set(a)
  return b
}

function addTo<K, V>(index: Map<K, Set<V>>, k: K, v: V): void {
  let set = index.get(k)
  if (!set) index.set(k, (set = new Set()))
  set.add(v)
}

function removeFrom<K, V>(index: Map<K, Set<V>>, k: K, v: V): void {
  const set = index.get(k)
  if (!set) return
  set.delete(v)
  if (set.size === 0) index.delete(k)
}
