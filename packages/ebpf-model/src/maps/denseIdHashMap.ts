import { BpfHashMap } from './hashMap'
import { BPF_ANY, type BpfKey, type BpfUpdateOrigin } from './types'
import { isWideKey, WIDE_MIN, WideKeyIndex } from './wideKeyIndex'

/** How far past the mirrored range a key may land and still extend it (farther keys stay in the Map only). */
const SLACK = 4096

/**
 * A `BpfHashMap` whose keys are mostly dense integer ids — backend ids and rev-NAT ids from 1 up, the
 * services map's slot keys from −1 down (`datapath/maps.ts`) — with the values of those keys mirrored in
 * plain arrays indexed by the id (`pos[k]`, `neg[−k]`). The kernel hashes every key; here a lookup of a
 * million-entry map reads one array element instead of walking a JS Map's bucket chain, which at 100k
 * services costs several cache misses per packet. Same semantics and counts as the hash map (the Map stays
 * the source of truth for order, size and errors); keys far from the mirrored range, and non-integers
 * and non-integers, are answered by the Map alone. Wide integer keys (≥ 2^30: the services map's 51-bit
 * master keys) are mirrored in a `WideKeyIndex`, which reads one cell line where the Map chases its boxed keys.
 * Invariant: for every integer k with 0 ≤ k < pos.length, pos[k] === table.get(k) (likewise neg for −k), and
 * for every wide key k, wide.get(k) === table.get(k).
 */
export class BpfDenseIdHashMap<K extends BpfKey, V> extends BpfHashMap<K, V> {
  private readonly pos: Array<V | undefined> = []
  private readonly neg: Array<V | undefined> = []
  private readonly wide = new WideKeyIndex<V>()

  override update(
    key: K,
    value: V,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    super.update(key, value, flags, counts, origin)
    this.mirror(key)
  }

  override delete(key: K, counts?: Record<string, number>, origin: BpfUpdateOrigin = 'syscall'): void {
    super.delete(key, counts, origin)
    this.mirror(key)
  }

  override clear(): void {
    super.clear()
    this.wide.clear()
    this.pos.length = 0
    this.neg.length = 0
  }

  protected override find(key: K): V | undefined {
    if (typeof key === 'number') {
      if (key >= 0) {
        if (key < this.pos.length && (key | 0) === key) return this.pos[key]
        if (key >= WIDE_MIN && isWideKey(key)) return this.wide.get(key)
      } else if ((key | 0) === key && -key < this.neg.length) return this.neg[-key]
    }
    return this.table.get(key)
  }

  /** Copies the Map's value of `key` into its array slot, extending the array when the key is near its end. */
  private mirror(key: K): void {
    if (isWideKey(key)) {
      const v = this.table.get(key)
      if (v === undefined) this.wide.delete(key)
      else this.wide.set(key, v)
      return
    }
    if (typeof key !== 'number' || (key | 0) !== key) return
    const arr = key >= 0 ? this.pos : this.neg
    const i = key >= 0 ? key : -key
    if (i < arr.length) {
      arr[i] = this.table.get(key)
      return
    }
    if (i > arr.length + SLACK) return
    // grown by push, from the Map, so keys stored earlier beyond the end are picked up (the invariant)
    const sign = key >= 0 ? 1 : -1
    while (arr.length <= i) arr.push(this.table.get((sign * arr.length) as K))
  }
}
