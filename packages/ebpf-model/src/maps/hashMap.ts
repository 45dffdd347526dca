import { MapBase } from './_base'
import type { OpCounts } from './opCounts'
import { BPF_ANY, type BpfKey, type BpfKeyedMap, type BpfMapSpec, type BpfUpdateOrigin } from './types'

/**
 * BPF_MAP_TYPE_HASH (kernel/bpf/hashtab.c). A full map refuses a new key with E2BIG (`alloc_htab_elem`:
 * count > max_entries, or an empty freelist when preallocated); replacing an existing key always succeeds.
 * Values are stored by reference, as a BPF program's `map_lookup_elem` pointer aliases the element: mutate
 * the returned value to model an in-place write, and treat values as owned by the map once stored.
 */
export class BpfHashMap<K extends BpfKey, V> extends MapBase implements BpfKeyedMap<K, V> {
  protected readonly table = new Map<K, V>()

  constructor(spec: Omit<BpfMapSpec, 'type'> & { type?: 'hash' | 'hash_of_maps' }) {
    super({ ...spec, type: spec.type ?? 'hash' })
  }

  get size(): number {
    return this.table.size
  }

  /** Datapath lookup (`bpf_map_lookup_elem` from a program): counted; adds 1 to `counts[costKeys.lookup]`. */
  lookup(key: K, counts?: Record<string, number>): V | undefined {
    const v = this.find(key)
    this.countRead(counts, v !== undefined)
    return v
  }

  /** `lookup` counted into the datapath's `OpCounts` instead of a record. */
  lookupInto(key: K, ops: OpCounts): V | undefined {
    const v = this.find(key)
    this.countReadInto(ops, v !== undefined)
    return v
  }

  /** Control-plane read (a dump or the agent's own lookup): not counted. */
  peek(key: K): V | undefined {
    return this.find(key)
  }

  /** The stored value of `key`: every read goes through here (a subclass may answer some keys faster). */
  protected find(key: K): V | undefined {
    return this.table.get(key)
  }

  has(key: K): boolean {
    return this.table.has(key)
  }

  /** `bpf_map_update_elem` with the kernel's flag semantics; throws BpfMapError and changes nothing on error. */
  update(
    key: K,
    value: V,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    this.checkFlags(flags)
    const exists = this.table.has(key)
    this.checkExists(flags, exists, key)
    if (!exists && this.table.size >= this.spec.maxEntries)
      this.fail('E2BIG', `map full (${this.spec.maxEntries} entries)`)
    this.table.set(key, value)
    this.written(key, exists ? 0 : 1)
    this.counters.updates++
    this.countWrite(counts, origin, false)
  }

  /** `bpf_map_delete_elem`: ENOENT when absent. */
  delete(key: K, counts?: Record<string, number>, origin: BpfUpdateOrigin = 'syscall'): void {
    if (!this.table.delete(key)) this.fail('ENOENT', `key ${String(key)} absent`)
    this.written(key, -1)
    this.counters.deletes++
    this.countWrite(counts, origin, true)
  }

  /** Entries in insertion order (the kernel iterates buckets; a dump's order is not meaningful). */
  entries(): IterableIterator<[K, V]> {
    return this.table.entries()
  }

  keys(): IterableIterator<K> {
    return this.table.keys()
  }

  clear(): void {
    this.table.clear()
    this.written(undefined, 0)
  }

  /**
   * After this class's own write to `key` (undefined: to every key, the table now empty) changed the table:
   * copies of it dropped. `added`: 1 when the key is new, −1 when it was deleted, 0 when its value was replaced.
   */
  protected written(_key: K | undefined, _added: number): void {}
}

/**
 * A `BpfHashMap` keyed by uint32 numbers (`cilium_lxc`'s addresses) whose reads go through a small
 * direct-mapped record of recent answers first (`RECENT` of them: the key and its value, or absent): a
 * record is the answer the Map would give until a write to its key, which renews it (update) or clears it
 * (delete, clear). Then a count of the keys present per `FILTER` group of keys (`groupOf`): a
 * group with none answers absent without the Map (a lean first packet's destination is mostly a backend
 * on another node, absent here, and too many for the records). The datapath reads this map for a packet's
 * source and again for its destination, and a node's endpoints are few. Simulator speed only: lookups are
 * counted as before and answer the same.
 */
export class BpfU32HashMap<V> extends BpfHashMap<number, V> {
  /** per record: its key (NaN: none) and the value (undefined: absent) */
  private readonly recentKey = new Float64Array(RECENT).fill(Number.NaN)
  private readonly recentValue: Array<V | undefined> = new Array(RECENT).fill(undefined)
  /** keys present per group (`groupOf`) */
  private readonly present = new Int32Array(FILTER)

  protected override find(key: number): V | undefined {
    const i = recentOf(key)
    if (this.recentKey[i] === key) return this.recentValue[i]
    const v = this.present[groupOf(key)] === 0 ? undefined : this.table.get(key)
    this.recentKey[i] = key
    this.recentValue[i] = v
    return v
  }

  protected override written(key: number | undefined, added: number): void {
    if (key === undefined) {
      this.recentKey.fill(Number.NaN)
      this.present.fill(0)
      return
    }
    this.recentKey[recentOf(key)] = Number.NaN
    if (added !== 0) this.present[groupOf(key)] += added
  }
}

/** Groups of `BpfU32HashMap`'s count of keys present. */
const FILTER = 4096

/** The group of `BpfU32HashMap`'s count of keys present that `key` is in. */
function groupOf(key: number): number {
  return (key ^ (key >>> 12) ^ (key >>> 24)) & (FILTER - 1)
}

/** Records of `BpfU32HashMap`'s recent answers. */
const RECENT = 256

/** The record of `BpfU32HashMap`'s recent answers that `key` goes to. */
function recentOf(key: number): number {
  return (key ^ (key >>> 8)) & (RECENT - 1)
}
