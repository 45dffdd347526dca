import { MapBase } from './_base'
import type { OpCounts } from './opCounts'
import { TupleIndex } from './tupleIndex'
import { BPF_ANY, BPF_NOEXIST, type BpfMapSpec, type BpfUpdateOrigin } from './types'

/** Slots allocated up front; a map with a larger max_entries grows by doubling past it. */
const PREALLOC_MAX = 1 << 20

/** Index + LRU list + numeric value columns; `BpfLruTupleMap` wraps it with the map semantics. */
class Store extends TupleIndex {
  /** value words of each slot, `stride` per slot */
  vals: Float64Array
  /**
   * Per slot, one 16-byte record: [older, younger, ref, unused] — list links (`older` towards the eviction
   * end, −1 = none) and the `ref` bit of struct bpf_lru_node, together so an insert touches one line.
   */
  links: Int32Array

  constructor(
    readonly stride: number,
    initial: number,
  ) {
    super(initial)
    this.vals = new Float64Array(this.capacity * stride)
    this.links = new Int32Array(this.capacity * 4)
  }

  protected override resize(capacity: number): void {
    super.resize(capacity)
    const vals = new Float64Array(capacity * this.stride)
    vals.set(this.vals)
    this.vals = vals
    const links = new Int32Array(capacity * 4)
    links.set(this.links)
    this.links = links
  }
}

/**
 * BPF_MAP_TYPE_LRU_HASH keyed by a four-word tuple with numeric values, on typed arrays: the same kernel
 * semantics as `BpfLruHashMap` (reference-bit second chance from the oldest end, an update on a full map
 * evicts before it looks at the key — see there for the kernel functions mirrored) without an object per
 * entry. Entries are addressed by slot: `lookupInto` returns the slot (or −1), and the caller reads and
 * writes the slot's `stride` value words in `vals` in place, as a program writes through the pointer
 * `bpf_map_lookup_elem` returns. Slots are stable while the entry lives. For the datapath's conntrack and
 * its other per-flow maps, where keys are 5-tuples and a million entries must not slow a lookup down.
 */
export class BpfLruTupleMap extends MapBase {
  private readonly s: Store
  private oldest = -1
  private youngest = -1
  /** the key evicted by the last update, as [a, b, c, d]; empty when it evicted nothing */
  readonly lastEvicted: number[] = []

  /**
   * `initialSlots`: slots allocated up front (default: max_entries up to PREALLOC_MAX); a map that holds few
   * entries in the common case (session affinity) starts small and doubles, as a kernel map's memory would not,
   * rather than hold tens of MB of V8 external memory per node that make every full collection come sooner.
   */
  constructor(
    spec: Omit<BpfMapSpec, 'type'> & { type?: 'lru_hash' },
    stride: number,
    initialSlots = PREALLOC_MAX,
  ) {
    super({ ...spec, type: 'lru_hash' })
    // LRU maps are always preallocated (htab_map_alloc → prealloc_init): so is the model, up to PREALLOC_MAX
    // slots. Growing by doubling while packets flow copied the columns and, worse, each doubled buffer grew
    // V8's external memory past its limit and set off a full mark-compact of the whole heap (~0.3 s at 100k
    // services) inside a run of first packets. The arrays come zeroed from calloc: pages nothing has
    // touched cost no memory.
    this.s = new Store(stride, Math.min(spec.maxEntries, PREALLOC_MAX, initialSlots))
  }

  get size(): number {
    return this.s.size
  }

  /** The value words: slot `e`'s word `w` is `vals[e * stride + w]` (re-read after an update: it may grow). */
  get vals(): Float64Array {
    return this.s.vals
  }

  get stride(): number {
    return this.s.stride
  }

  /** Datapath lookup: counted, sets the reference bit; the slot or −1. */
  lookupInto(a: number, b: number, c: number, d: number, ops: OpCounts): number {
    const e = this.s.find(a, b, c, d)
    this.countReadInto(ops, e >= 0)
    if (e >= 0) this.s.links[e * 4 + 2] = 1
    return e
  }

  /**
   * Two datapath lookups whose memory reads overlap (`TupleIndex.find2`): the first is counted here (slot or
   * −1); the second only if the caller goes on to it, with `lookupSecondInto`, as a program that looks up
   * a tuple's reverse only when the tuple itself missed.
   */
  lookupPairInto(
    a: number,
    b: number,
    c: number,
    d: number,
    a2: number,
    b2: number,
    c2: number,
    d2: number,
    ops: OpCounts,
  ): number {
    const e = this.s.find2(a, b, c, d, a2, b2, c2, d2)
    this.countReadInto(ops, e >= 0)
    if (e >= 0) this.s.links[e * 4 + 2] = 1
    return e
  }

  /** The second lookup of the last `lookupPairInto`, counted now (no table change may come between). */
  lookupSecondInto(ops: OpCounts): number {
    const e = this.s.secondFound
    this.countReadInto(ops, e >= 0)
    if (e >= 0) this.s.links[e * 4 + 2] = 1
    return e
  }

  /** Datapath lookup counted into a record. */
  lookup(a: number, b: number, c: number, d: number, counts?: Record<string, number>): number {
    const e = this.s.find(a, b, c, d)
    this.countRead(counts, e >= 0)
    if (e >= 0) this.s.links[e * 4 + 2] = 1
    return e
  }

  /** `TupleIndex.bucketWords` (read-only). */
  get bucketWords(): Int32Array {
    return this.s.bucketWords
  }

  /** `TupleIndex.keyWords` (read-only). */
  get keyWords(): Int32Array {
    return this.s.keyWords
  }

  /**
   * The LRU list column (read-only): per slot [older, younger, ref, unused]. For `CtTable.prefault`, which
   * maps its pages as the kernel's preallocated elements are, rewriting each page's first word with itself.
   */
  get linkWords(): Int32Array {
    return this.s.links
  }

  /** `TupleIndex.reserveBuckets`: buckets for `entries` entries now (no rehash while they come; same contents). */
  reserveBuckets(entries: number): void {
    this.s.reserveBuckets(Math.min(entries, this.spec.maxEntries))
  }

  /** Syscall-side lookup: no count, no reference bit. */
  peek(a: number, b: number, c: number, d: number): number {
    return this.s.find(a, b, c, d)
  }

  /**
   * `bpf_map_update_elem`; returns the slot whose value words the caller then writes (zeroed for a new
   * key). On a full map one entry is evicted first (see `lastEvicted`), even when the key exists or the
   * flags then fail. `absent`: the caller knows the key is not in the map (its lookup just missed and
   * nothing wrote the map since), so it is not looked for again; evicting cannot make it present.
   */
  update(
    a: number,
    b: number,
    c: number,
    d: number,
    flags: number = BPF_ANY,
    ops?: OpCounts,
    origin: BpfUpdateOrigin = 'syscall',
    absent = false,
  ): number {
    this.checkFlags(flags)
    // (setting an array's length is a runtime call: skipped when there is nothing to clear)
    if (this.lastEvicted.length !== 0) this.lastEvicted.length = 0
    if (this.s.size >= this.spec.maxEntries) this.evictOne()
    let e = absent ? -1 : this.s.find(a, b, c, d)
    if (flags !== BPF_ANY && (flags === BPF_NOEXIST) === e >= 0)
      this.checkExists(flags, e >= 0, `${a >>> 0}|${b >>> 0}|${c >>> 0}|${d >>> 0}`)
    if (e >= 0) {
      // the replacing element is a new node: young, with the ref bit set
      this.unlink(e)
      this.s.links[e * 4 + 2] = 1
    } else {
      e = this.s.insert(a, b, c, d)
      this.s.links[e * 4 + 2] = 0
    }
    const vals = this.s.vals
    for (let o = e * this.s.stride, end = o + this.s.stride; o < end; o++) vals[o] = 0
    this.pushYoung(e)
    this.counters.updates++
    if (ops) ops.add(origin === 'prog' ? this.costIds.progUpdate : this.costIds.update)
    return e
  }

  /** `bpf_map_delete_elem` of the entry in slot `e`. */
  deleteSlot(e: number, ops?: OpCounts, origin: BpfUpdateOrigin = 'syscall'): void {
    this.unlink(e)
    this.s.remove(e)
    this.counters.deletes++
    if (ops) ops.add(origin === 'prog' ? this.costIds.progUpdate : this.costIds.delete)
  }

  /** `bpf_map_delete_elem` by key: ENOENT when absent. */
  delete(
    a: number,
    b: number,
    c: number,
    d: number,
    ops?: OpCounts,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    const e = this.s.find(a, b, c, d)
    if (e < 0) this.fail('ENOENT', `key ${a >>> 0}|${b >>> 0}|${c >>> 0}|${d >>> 0} absent`)
    this.deleteSlot(e, ops, origin)
  }

  /** Word `w` (0..3) of the key in slot `e`, as an unsigned 32-bit number. */
  keyWord(e: number, w: number): number {
    return this.s.keyWord(e, w) >>> 0
  }

  /** Slots from the oldest to the youngest entry. */
  *slots(): IterableIterator<number> {
    for (let e = this.oldest; e >= 0; e = this.s.links[e * 4 + 1]) yield e
  }

  clear(): void {
    this.s.clearIndex()
    this.oldest = this.youngest = -1
  }

  private pushYoung(e: number): void {
    const s = this.s
    s.links[e * 4] = this.youngest
    s.links[e * 4 + 1] = -1
    if (this.youngest >= 0) s.links[this.youngest * 4 + 1] = e
    else this.oldest = e
    this.youngest = e
  }

  private unlink(e: number): void {
    const s = this.s
    const o = s.links[e * 4]
    const y = s.links[e * 4 + 1]
    if (o >= 0) s.links[o * 4 + 1] = y
    else this.oldest = y
    if (y >= 0) s.links[y * 4] = o
    else this.youngest = o
    s.links[e * 4] = s.links[e * 4 + 1] = -1
  }

  private evictOne(): void {
    // at most one full rotation: after it every bit is clear
    for (let scanned = 0, n = this.s.size; scanned <= n; scanned++) {
      const e = this.oldest
      if (e < 0) return
      this.unlink(e)
      if (this.s.links[e * 4 + 2]) {
        this.s.links[e * 4 + 2] = 0
        this.pushYoung(e)
        continue
      }
      for (let w = 0; w < 4; w++) this.lastEvicted.push(this.keyWord(e, w))
      this.s.remove(e)
      this.counters.evictions++
      return
    }
  }
}
