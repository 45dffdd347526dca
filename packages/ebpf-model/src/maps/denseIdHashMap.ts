import { BpfHashMap } from './hashMap'
import { IntKeyIndex, isWideKey, WIDE_MIN } from './intKeyIndex'
import { BPF_ANY, type BpfKey, type BpfUpdateOrigin } from './types'

/** How far past the dense range a key may land and still extend it (farther keys go to the Map). */
const SLACK = 4096

/**
 * A `BpfHashMap` whose keys are mostly dense integer ids — backend ids and rev-NAT ids from 1 up, the
 * services map's slot keys from −1 down (`datapath/maps.ts`) — held in plain arrays indexed by the id
 * (`pos[k]`, `neg[−k]`). The kernel hashes every key; here a lookup of a million-entry map reads one array
 * element instead of walking a JS Map's bucket chain, which at 100k services costs several cache misses per
 * packet, and the agent's initial sync writes a million ids without growing and probing a million-entry
 * Map (1.5–2 CPU s at 100k services × 10 endpoints when every key was also kept in the Map). Wide integer
 * keys (≥ 2^30: the services map's 51-bit master keys) live in an `IntKeyIndex`, which reads one cell line
 * where a Map chases its boxed keys; other keys (far from the dense range, non-integers) in the Map.
 * Same semantics, errors and counts as the hash map, and the same iteration order (insertion order, kept
 * by a sequence number kept beside every key and sorted on when a dump asks). Values must not be undefined.
 * Invariant: each present key lives in exactly one of pos/neg, wide, table, with its sequence number
 * beside it (posSeq/negSeq, wideSeq, tableSeq); a Map key whose id the dense range grows over moves into it.
 */
export class BpfDenseIdHashMap<K extends BpfKey, V> extends BpfHashMap<K, V> {
  private pos: Array<V | undefined> = []
  private readonly neg: Array<V | undefined> = []
  private posSeq: number[] = []
  private readonly negSeq: number[] = []
  private readonly wide = new IntKeyIndex<V>()
  private readonly wideSeq = new IntKeyIndex<number>()
  private readonly tableSeq = new Map<K, number>()
  private dense = 0
  /** insertion sequence of the last new key (a subclass keeping some keys elsewhere numbers them from it too) */
  protected seq = 0
  /**
   * lower bounds of the magnitudes of the positive and negative integer keys in the Map (lowered on insert,
   * kept on removal): a new id one past the dense range — every insert of the initial sync — is then known
   * absent without hashing it into the Map, which holds e.g. the services map's wildcard NodePort masters
   */
  private farPos = Number.POSITIVE_INFINITY
  private farNeg = Number.POSITIVE_INFINITY

  override get size(): number {
    return this.dense + this.wide.size + this.table.size
  }

  override has(key: K): boolean {
    return this.find(key) !== undefined
  }

  override update(
    key: K,
    value: V,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    this.checkFlags(flags)
    const exists = this.find(key) !== undefined
    this.checkExists(flags, exists, key)
    if (!exists && this.size >= this.spec.maxEntries)
      this.fail('E2BIG', `map full (${this.spec.maxEntries} entries)`)
    const s = exists ? 0 : ++this.seq
    const i = this.denseIndex(key)
    if (i !== 0 || key === 0) {
      const neg = (key as number) < 0
      const arr = neg ? this.neg : this.pos
      arr[i] = value
      if (!exists) {
        ;(neg ? this.negSeq : this.posSeq)[i] = s
        this.dense++
      }
    } else if (isWideKey(key)) {
      this.wide.set(key, value)
      if (!exists) this.wideSeq.set(key, s)
    } else {
      this.table.set(key, value)
      if (!exists) this.tableSeq.set(key, s)
      if (typeof key === 'number' && (key | 0) === key)
        if (key >= 0) this.farPos = Math.min(this.farPos, key)
        else this.farNeg = Math.min(this.farNeg, -key)
    }
    this.counters.updates++
    this.countWrite(counts, origin, false)
  }

  override delete(key: K, counts?: Record<string, number>, origin: BpfUpdateOrigin = 'syscall'): void {
    if (this.find(key) === undefined) this.fail('ENOENT', `key ${String(key)} absent`)
    const i = this.denseIndex(key)
    if (i !== 0 || key === 0) {
      const neg = (key as number) < 0
      ;(neg ? this.neg : this.pos)[i] = undefined
      ;(neg ? this.negSeq : this.posSeq)[i] = 0
      this.dense--
    } else if (isWideKey(key)) {
      this.wide.delete(key)
      this.wideSeq.delete(key)
    } else {
      this.table.delete(key)
      this.tableSeq.delete(key)
    }
    this.counters.deletes++
    this.countWrite(counts, origin, true)
  }

  /** Entries in insertion order: gathered from where they live, ordered by sequence number (dumps only). */
  override entries(): IterableIterator<[K, V]> {
    const items: Array<[number, K, V]> = []
    for (let i = 0; i < this.pos.length; i++) {
      const v = this.pos[i]
      if (v !== undefined) items.push([this.posSeq[i], i as K, v])
    }
    for (let i = 1; i < this.neg.length; i++) {
      const v = this.neg[i]
      if (v !== undefined) items.push([this.negSeq[i], -i as K, v])
    }
    this.wide.forEach((v, k) => {
      items.push([this.wideSeq.get(k) as number, k as K, v])
    })
    for (const [k, v] of this.table) items.push([this.tableSeq.get(k) as number, k, v])
    this.gatherMore(items)
    items.sort((a, b) => a[0] - b[0])
    return items.map(([, k, v]): [K, V] => [k, v])[Symbol.iterator]()
  }

  /** Adds [sequence, key, value] of the entries a subclass keeps elsewhere (`entries`; none here). */
  protected gatherMore(_items: Array<[number, K, V]>): void {}

  override keys(): IterableIterator<K> {
    return [...this.entries()].map(([k]) => k)[Symbol.iterator]()
  }

  override clear(): void {
    super.clear()
    this.wide.clear()
    this.wideSeq.clear()
    this.tableSeq.clear()
    this.pos.length = 0
    this.neg.length = 0
    this.posSeq.length = 0
    this.negSeq.length = 0
    this.dense = 0
    this.farPos = this.farNeg = Number.POSITIVE_INFINITY
  }

  /**
   * Room for the ids below `ids` in the dense range and for `wide` more wide keys, taken at once for a bulk of
   * known size (the initial sync's million backend ids, 200k service masters) instead of an element pushed
   * per new id and the wide index rehashed at every doubling (~350 ms of a profiled 100k × 10 build). Same
   * contents, answers, errors and order: an empty range is allocated in one step; otherwise it is extended as
   * a write past it would extend it (Map keys it grows over move into the arrays).
   */
  reserve(ids: number, wide = 0): void {
    if (ids > this.pos.length) {
      if (this.pos.length === 0 && this.farPos >= ids) {
        // no id below `ids` is anywhere yet: one allocation per array
        this.pos = new Array(ids).fill(undefined)
        this.posSeq = new Array(ids).fill(0)
      } else this.denseIndex((ids - 1) as K, true)
    }
    this.wide.reserve(wide)
    this.wideSeq.reserve(wide)
  }

  /** The wide keys' cells (read-only: `ServicesMap` makes its masters' index from them). */
  get wideCells(): ReadonlyArray<unknown> {
    return this.wide.cellArray
  }

  /** Values of the dense ids ≥ 0 by id (read-only: `ServicesMap` makes its masters' index from them). */
  get denseValues(): ReadonlyArray<V | undefined> {
    return this.pos
  }

  protected override find(key: K): V | undefined {
    if (typeof key === 'number') {
      if (key >= WIDE_MIN && isWideKey(key)) return this.wide.get(key)
      if ((key | 0) === key) {
        // an id past the dense range is in the Map only if no smaller one of its sign is (the bounds)
        if (key >= 0) {
          if (key < this.pos.length) return this.pos[key]
          if (key < this.farPos) return undefined
        } else {
          if (-key < this.neg.length) return this.neg[-key]
          if (-key < this.farNeg) return undefined
        }
      }
    }
    return this.table.size === 0 ? undefined : this.table.get(key)
  }

  /**
   * The array index of an integer key inside the dense range or within SLACK of its end (the range is then
   * extended to it, moving Map keys it grows over into the arrays); 0 for every other key (key 0 itself is
   * index 0 of `pos`, which callers tell apart by the key). `any`: extend to the key however far it is.
   */
  private denseIndex(key: K, any = false): number {
    if (typeof key !== 'number' || (key | 0) !== key) return 0
    const neg = key < 0
    const i = neg ? -key : key
    const arr = neg ? this.neg : this.pos
    if (i < arr.length) return i
    if (i > arr.length + SLACK && !any) return 0
    const seqs = neg ? this.negSeq : this.posSeq
    const sign = neg ? -1 : 1
    while (arr.length <= i) {
      const k = (sign * arr.length) as K
      const v = arr.length < (neg ? this.farNeg : this.farPos) ? undefined : this.table.get(k)
      if (v === undefined) {
        arr.push(undefined)
        seqs.push(0)
      } else {
        arr.push(v)
        seqs.push(this.tableSeq.get(k) as number)
        this.table.delete(k)
        this.tableSeq.delete(k)
        this.dense++
      }
    }
    return i
  }
}
