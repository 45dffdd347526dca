import { type Pod, tryIpToU32 } from '@dataplane-sim/cluster'

/**
 * The pods the agent has taken in, keyed by the pod object the agent added (no "namespace/name" string per
 * pod), each with the identity it holds — or none while the global identity range is exhausted (the pod
 * waits: no ipcache entry, no endpoint policy). Pods are found by address in an open-addressing table
 * (linear probing over cells of one array, backward-shift deletion), the object compared for identity, so
 * taking in a million pods costs a probe each instead of a JS Map/Set insert each (0.4–1 µs apiece on this
 * machine at a million entries, with every growth re-hashing the table in the large-object space). Two pods
 * may share an address (one replacing the other in a watch event): they are two entries of one probe run.
 * Besides, the two lookups the agent needs: pods of a namespace (a namespace relabel re-identifies them, in
 * the order they were added) and pods of an identity (egress named ports resolve to those pods' container
 * ports); those two indexes are built the first time they are asked for and kept current from then on.
 */
export class PodIndex {
  /**
   * cells of 4 per slot — pod (undefined: empty), address (int32), identity (0: waiting for one), insertion
   * number — in one JS array: a probe reads one line, and the table lives on the heap (typed columns would
   * count as external memory, whose growth makes V8 start a full marking of the heap early in the build)
   */
  private cells: Array<Pod | number | undefined>
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
    this.cells = newCells(n)
    this.mask = n - 1
  }

  /** Pods waiting for an identity. */
  get waiting(): number {
    return this.waitingCount
  }

  /** Takes in `pod` at address `ip` holding `identity` (0: waiting for one); a pod added again is replaced. */
  add(pod: Pod, ip: number, identity: number): void {
    let o = this.find(pod, ip)
    if (o >= 0) {
      this.forget(pod, this.cells[o + ID] as number)
      this.cells[o + ID] = identity
    } else {
      if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.resize((this.mask + 1) * 2)
      const c = this.cells
      const m = this.mask
      let i = home(ip, m)
      while (c[i * C] !== undefined) i = (i + 1) & m
      o = i * C
      c[o] = pod
      c[o + ADDR] = ip | 0
      c[o + ID] = identity
      c[o + SEQ] = ++this.seq
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
    const o = ip === null ? -1 : this.find(pod, ip)
    if (o < 0) return undefined
    const identity = this.cells[o + ID] as number
    this.forget(pod, identity)
    this.deleteAt(o / C)
    return identity
  }

  /** The identity `pod` holds: 0 while it waits for one, undefined when it was not taken in. */
  identityOf(pod: Pod): number | undefined {
    const ip = tryIpToU32(pod.ip)
    const o = ip === null ? -1 : this.find(pod, ip)
    return o < 0 ? undefined : (this.cells[o + ID] as number)
  }

  /** The pods of `namespace` that hold an identity, in the order they were added (a copy). */
  inNamespace(namespace: string): Pod[] {
    if (!this.byNamespace) {
      const by = new Map<string, Set<Pod>>()
      this.forEachHolding((pod) => addTo(by, pod.namespace, pod))
      this.byNamespace = by
    }
    const out = [...(this.byNamespace.get(namespace) ?? [])]
    const seq = (p: Pod) => this.cells[this.find(p, tryIpToU32(p.ip) as number) + SEQ] as number
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
    const c = this.cells
    for (let o = 0; o < c.length; o += C) {
      const pod = c[o] as Pod | undefined
      if (pod !== undefined && c[o + ID] !== 0) f(pod, c[o + ID] as number)
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

  /** The cell offset of `pod` (added at address `ip`), or −1. */
  private find(pod: Pod, ip: number): number {
    const c = this.cells
    const m = this.mask
    const a = ip | 0
    for (let i = home(ip, m); ; i = (i + 1) & m) {
      const o = i * C
      const p = c[o]
      if (p === undefined) return -1
      if (p === pod && c[o + ADDR] === a) return o
    }
  }

  /** Empties slot `i`, moving later entries of its probe run back into the hole when their home allows. */
  private deleteAt(i: number): void {
    const c = this.cells
    const m = this.mask
    let hole = i
    for (let j = (i + 1) & m; c[j * C] !== undefined; j = (j + 1) & m)
      if (((j - home(c[j * C + ADDR] as number, m)) & m) >= ((j - hole) & m)) {
        for (let k = 0; k < C; k++) c[hole * C + k] = c[j * C + k]
        hole = j
      }
    for (let k = 0; k < C; k++) c[hole * C + k] = k === 0 ? undefined : 0
    this.count--
  }

  private resize(n: number): void {
    const old = this.cells
    const c = newCells(n)
    const m = n - 1
    for (let o = 0; o < old.length; o += C) {
      if (old[o] === undefined) continue
      let i = home(old[o + ADDR] as number, m)
      while (c[i * C] !== undefined) i = (i + 1) & m
      for (let k = 0; k < C; k++) c[i * C + k] = old[o + k]
    }
    this.cells = c
    this.mask = m
  }
}

/** Values per cell, and where in a cell the address, identity and insertion number are */
const C = 4
const ADDR = 1
const ID = 2
const SEQ = 3

function newCells(slots: number): Array<Pod | number | undefined> {
  const c: Array<Pod | number | undefined> = new Array(slots * C).fill(0)
  for (let o = 0; o < c.length; o += C) c[o] = undefined
  return c
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
