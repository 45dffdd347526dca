import { type Pod, tryIpToU32 } from '@dataplane-sim/cluster'

/**
 * The pods the agent has taken in, keyed by the pod object the agent added (no "namespace/name" string per
 * pod), each with the identity it holds — or none while the global identity range is exhausted (the pod
 * waits: no ipcache entry, no endpoint policy). Pods are found by address in an open-addressing table
 * (linear probing over typed columns, backward-shift deletion), the object compared for identity, so
 * taking in a million pods costs a probe each instead of a JS Map/Set insert each (0.4–1 µs apiece on this
 * machine at a million entries, with every growth re-hashing the table in the large-object space). Two pods
 * may share an address (one replacing the other in a watch event): they are two entries of one probe run.
 * Besides, the two lookups the agent needs: pods of a namespace (a namespace relabel re-identifies them, in
 * the order they were added) and pods of an identity (egress named ports resolve to those pods' container
 * ports); those two indexes are built the first time they are asked for and kept current from then on.
 */
export class PodIndex {
  /** per slot: the pod (undefined: empty), its address, identity (0: waiting for one), insertion number */
  private pods: Array<Pod | undefined>
  private addrs: Int32Array
  private ids: Int32Array
  private seqs: Int32Array
  private mask: number
  private count = 0
  private waitingCount = 0
  private seq = 0
  private byNamespace: Map<string, Set<Pod>> | null = null
  private byIdentity: Map<number, Set<Pod>> | null = null

  /** `capacity`: how many pods to expect (the initial cluster's), to presize the table */
  constructor(capacity = 16) {
    let n = 16
    while (n * 3 < capacity * 4) n *= 2
    this.pods = new Array(n).fill(undefined)
    this.addrs = new Int32Array(n)
    this.ids = new Int32Array(n)
    this.seqs = new Int32Array(n)
    this.mask = n - 1
  }

  /** Pods waiting for an identity. */
  get waiting(): number {
    return this.waitingCount
  }

  /** Takes in `pod` at address `ip` holding `identity` (0: waiting for one); a pod added again is replaced. */
  add(pod: Pod, ip: number, identity: number): void {
    let i = this.find(pod, ip)
    if (i >= 0) {
      this.forget(pod, this.ids[i])
      this.ids[i] = identity
    } else {
      if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.resize((this.mask + 1) * 2)
      const m = this.mask
      for (i = home(ip, m); this.pods[i] !== undefined; i = (i + 1) & m);
      this.pods[i] = pod
      this.addrs[i] = ip | 0
      this.ids[i] = identity
      this.seqs[i] = ++this.seq
      this.count++
    }
    if (identity === 0) {
      this.waitingCount++
      return
    }
    if (this.byNamespace) addTo(this.byNamespace, pod.namespace, pod)
    if (this.byIdentity) addTo(this.byIdentity, identity, pod)
  }

  /** Forgets a pod (the object it was added as); returns the identity it held (0: none yet), undefined if absent. */
  remove(pod: Pod): number | undefined {
    const ip = tryIpToU32(pod.ip)
    const i = ip === null ? -1 : this.find(pod, ip)
    if (i < 0) return undefined
    const identity = this.ids[i]
    this.forget(pod, identity)
    this.deleteSlot(i)
    return identity
  }

  /** The identity `pod` holds: 0 while it waits for one, undefined when it was not taken in. */
  identityOf(pod: Pod): number | undefined {
    const ip = tryIpToU32(pod.ip)
    const i = ip === null ? -1 : this.find(pod, ip)
    return i < 0 ? undefined : this.ids[i]
  }

  /** The pods of `namespace` that hold an identity, in the order they were added (a copy). */
  inNamespace(namespace: string): Pod[] {
    if (!this.byNamespace) {
      const by = new Map<string, Set<Pod>>()
      this.forEachHolding((pod) => addTo(by, pod.namespace, pod))
      this.byNamespace = by
    }
    const out = [...(this.byNamespace.get(namespace) ?? [])]
    const seq = (p: Pod) => this.seqs[this.find(p, tryIpToU32(p.ip) as number)]
    return out.sort((a, b) => seq(a) - seq(b))
  }

  /** The pods holding `identity` (in no particular order). */
  withIdentity(identity: number): Iterable<Pod> {
    if (!this.byIdentity) {
      const by = new Map<number, Set<Pod>>()
      this.forEachHolding((pod, id) => addTo(by, id, pod))
      this.byIdentity = by
    }
    return this.byIdentity.get(identity) ?? []
  }

  /** Every pod holding an identity (in no particular order). */
  all(): Iterable<Pod> {
    const out: Pod[] = []
    this.forEachHolding((pod) => out.push(pod))
    return out
  }

  private forEachHolding(f: (pod: Pod, identity: number) => void): void {
    for (let i = 0; i <= this.mask; i++) {
      const pod = this.pods[i]
      if (pod !== undefined && this.ids[i] !== 0) f(pod, this.ids[i])
    }
  }

  /** Drops `pod` from the namespace/identity indexes and the waiting count. */
  private forget(pod: Pod, identity: number): void {
    if (identity === 0) {
      this.waitingCount--
      return
    }
    if (this.byNamespace) removeFrom(this.byNamespace, pod.namespace, pod)
    if (this.byIdentity) removeFrom(this.byIdentity, identity, pod)
  }

  /** The slot of `pod` (added at address `ip`), or −1. */
  private find(pod: Pod, ip: number): number {
    const m = this.mask
    const a = ip | 0
    for (let i = home(ip, m); ; i = (i + 1) & m) {
      const p = this.pods[i]
      if (p === undefined) return -1
      if (p === pod && this.addrs[i] === a) return i
    }
  }

  /** Empties slot `i`, moving later entries of its probe run back into the hole when their home allows. */
  private deleteSlot(i: number): void {
    const m = this.mask
    let hole = i
    for (let j = (i + 1) & m; this.pods[j] !== undefined; j = (j + 1) & m)
      if (((j - home(this.addrs[j], m)) & m) >= ((j - hole) & m)) {
        this.pods[hole] = this.pods[j]
        this.addrs[hole] = this.addrs[j]
        this.ids[hole] = this.ids[j]
        this.seqs[hole] = this.seqs[j]
        hole = j
      }
    this.pods[hole] = undefined
    this.count--
  }

  private resize(n: number): void {
    const { pods, addrs, ids, seqs } = this
    this.pods = new Array(n).fill(undefined)
    this.addrs = new Int32Array(n)
    this.ids = new Int32Array(n)
    this.seqs = new Int32Array(n)
    this.mask = n - 1
    for (let o = 0; o < pods.length; o++) {
      if (pods[o] === undefined) continue
      let i = home(addrs[o], this.mask)
      while (this.pods[i] !== undefined) i = (i + 1) & this.mask
      this.pods[i] = pods[o]
      this.addrs[i] = addrs[o]
      this.ids[i] = ids[o]
      this.seqs[i] = seqs[o]
    }
  }
}

function home(addr: number, mask: number): number {
  const h = Math.imul(addr | 0, 0x9e3779b1)
  return (h ^ (h >>> 15)) & mask
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
