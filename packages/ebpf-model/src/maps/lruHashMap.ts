import { MapBase } from './_base'
import type { OpCounts } from './opCounts'
import { BPF_ANY, type BpfKey, type BpfKeyedMap, type BpfMapSpec, type BpfUpdateOrigin } from './types'

interface Slot<K, V> {
  key: K
  value: V
  /** the `ref` bit of struct bpf_lru_node */
  ref: boolean
  /** list links: `older` towards the eviction end, `younger` towards the insertion end */
  older: Slot<K, V> | null
  younger: Slot<K, V> | null
}

/**
 * BPF_MAP_TYPE_LRU_HASH (kernel/bpf/hashtab.c + bpf_lru_list.c), always preallocated, never E2BIG.
 *
 * Eviction models the kernel's reference-bit scheme rather than a strict LRU: a program's lookup only sets
 * the element's `ref` bit (`bpf_lru_node_set_ref`), and when a new element is needed and the map is full the
 * list is scanned from its oldest end: referenced elements get a second chance (bit cleared, moved to the
 * young end, as `__bpf_lru_list_shrink_inactive` rotates them), the first unreferenced one is evicted.
 * Simplified away: the kernel's per-CPU local free lists and its active/inactive split, and its batch
 * shrink (up to LOCAL_FREE_TARGET = 128 elements at once); this model evicts one element at a time, so it
 * evicts no earlier than the kernel does and in the same oldest-unreferenced-first order.
 *
 * Kernel quirk kept: `htab_lru_map_update_elem` takes a free element *before* looking at the key, so an
 * update on a full map evicts one element even when it replaces an existing key (leaving max_entries − 1)
 * or then fails with EEXIST / ENOENT. Cilium refreshes conntrack entries by writing through the lookup
 * pointer, not by update: mutate the value returned by `lookup` to do the same.
 */
export class BpfLruHashMap<K extends BpfKey, V> extends MapBase implements BpfKeyedMap<K, V> {
  private readonly table = new Map<K, Slot<K, V>>()
  /** eviction end of the list (the kernel's inactive-list tail) */
  private oldest: Slot<K, V> | null = null
  private youngest: Slot<K, V> | null = null

  constructor(spec: Omit<BpfMapSpec, 'type'> & { type?: 'lru_hash' }) {
    super({ ...spec, type: 'lru_hash' })
  }

  get size(): number {
    return this.table.size
  }

  lookup(key: K, counts?: Record<string, number>): V | undefined {
    const slot = this.table.get(key)
    this.countRead(counts, slot !== undefined)
    if (slot === undefined) return undefined
    slot.ref = true
    return slot.value
  }

  /** `lookup` counted into the datapath's `OpCounts`. */
  lookupInto(key: K, ops: OpCounts): V | undefined {
    const slot = this.table.get(key)
    this.countReadInto(ops, slot !== undefined)
    if (slot === undefined) return undefined
    slot.ref = true
    return slot.value
  }

  /** `htab_lru_map_lookup_elem_sys`: a syscall lookup does not set the reference bit. */
  peek(key: K): V | undefined {
    return this.table.get(key)?.value
  }

  has(key: K): boolean {
    return this.table.has(key)
  }

  /**
   * Returns the key evicted to make room, if any (also counted in `counters.evictions`); throws BpfMapError
   * for EEXIST / ENOENT / EINVAL after any such eviction, as the kernel does.
   */
  update(
    key: K,
    value: V,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): K | undefined {
    this.checkFlags(flags)
    const evicted = this.table.size >= this.spec.maxEntries ? this.evictOne() : undefined
    const old = this.table.get(key)
    this.checkExists(flags, old !== undefined, key)
    if (old) {
      // the replacing element is a new node: young, with the ref bit set
      this.unlink(old)
      old.value = value
      old.ref = true
      this.pushYoung(old)
    } else {
      const slot: Slot<K, V> = { key, value, ref: false, older: null, younger: null }
      this.table.set(key, slot)
      this.pushYoung(slot)
    }
    this.counters.updates++
    this.countWrite(counts, origin, false)
    return evicted
  }

  delete(key: K, counts?: Record<string, number>, origin: BpfUpdateOrigin = 'syscall'): void {
    const slot = this.table.get(key)
    if (!slot) this.fail('ENOENT', `key ${String(key)} absent`)
    this.table.delete(key)
    this.unlink(slot)
    this.counters.deletes++
    this.countWrite(counts, origin, true)
  }

  /** Entries from the oldest to the youngest. */
  *entries(): IterableIterator<[K, V]> {
    for (let s = this.oldest; s; s = s.younger) yield [s.key, s.value]
  }

  *keys(): IterableIterator<K> {
    for (let s = this.oldest; s; s = s.younger) yield s.key
  }

  clear(): void {
    this.table.clear()
    this.oldest = this.youngest = null
  }

  private pushYoung(s: Slot<K, V>): void {
    s.older = this.youngest
    s.younger = null
    if (this.youngest) this.youngest.younger = s
    else this.oldest = s
    this.youngest = s
  }

  private unlink(s: Slot<K, V>): void {
    if (s.older) s.older.younger = s.younger
    else this.oldest = s.younger
    if (s.younger) s.younger.older = s.older
    else this.youngest = s.older
    s.older = s.younger = null
  }

  private evictOne(): K | undefined {
    // at most one full rotation: after it every bit is clear
    for (let scanned = 0, n = this.table.size; scanned <= n; scanned++) {
      const s = this.oldest
      if (!s) return undefined
      this.unlink(s)
      if (s.ref) {
        s.ref = false
        this.pushYoung(s)
        continue
      }
      this.table.delete(s.key)
      this.counters.evictions++
      return s.key
    }
    return undefined
  }
}
