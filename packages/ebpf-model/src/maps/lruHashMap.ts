import { MapBase } from './_base'
import { BPF_ANY, type BpfKey, type BpfKeyedMap, type BpfMapSpec, type BpfUpdateOrigin } from './types'

interface Slot<V> {
  value: V
  /** the `ref` bit of struct bpf_lru_node */
  ref: boolean
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
  private readonly table = new Map<K, Slot<V>>()

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
    // the replacing element is a new node, young, with the ref bit set when it replaced one
    if (old) this.table.delete(key)
    this.table.set(key, { value, ref: old !== undefined })
    this.counters.updates++
    this.countWrite(counts, origin, false)
    return evicted
  }

  delete(key: K, counts?: Record<string, number>, origin: BpfUpdateOrigin = 'syscall'): void {
    if (!this.table.delete(key)) this.fail('ENOENT', `key ${String(key)} absent`)
    this.counters.deletes++
    this.countWrite(counts, origin, true)
  }

  /** Entries from the oldest to the youngest. */
  *entries(): IterableIterator<[K, V]> {
    for (const [k, s] of this.table) yield [k, s.value]
  }

  keys(): IterableIterator<K> {
    return this.table.keys()
  }

  clear(): void {
    this.table.clear()
  }

  private evictOne(): K | undefined {
    const t = this.table
    // at most one full rotation: after it every bit is clear
    for (let scanned = 0, n = t.size; scanned <= n; scanned++) {
      const first = t.keys().next()
      if (first.done) return undefined
      const k = first.value
      const slot = t.get(k)!
      t.delete(k)
      if (slot.ref) {
        slot.ref = false
        t.set(k, slot)
        continue
      }
      this.counters.evictions++
      return k
    }
    return undefined
  }
}
