/**
 * A hash index over four-word keys (an IPv4 5-tuple packs into saddr, daddr, sport·dport, proto·flags) on
 * typed arrays: entries live in stable slots (a deleted slot goes to a free list and is reused), the buckets
 * are open addressing with linear probing and backward-shift deletion (no tombstones). No objects per entry,
 * so a million-entry conntrack table is a few dense arrays the garbage collector never walks, and a lookup
 * touches one bucket run and one key line whatever the table's size. The slot columns are allocated for
 * `initialCapacity` entries up front (and double past it; subclasses grow their per-entry columns in
 * `resize`); the buckets are sized for the entries present (load ≤ 1/2, doubled and rehashed as entries come),
 * so a preallocated million-slot table holding 200k entries probes 2 MB of buckets, not 8.
 */
export class TupleIndex {
  /** 4 words per entry slot */
  protected keys: Int32Array
  /**
   * One word per bucket: 0 while it is empty, else the slot of the entry it holds (low `SLOT_BITS` bits) under a
   * tag of the key's hash (the 7 bits above them, never 0: `tagOf`). A lookup walks the run from its home
   * bucket on these words (16 a cache line) and reads a key only where the tag matches (a first packet's lookup
   * whose home bucket another key holds, a third of them at the tables' load, misses without reading a key);
   * an insert writes one word (deferred: `pendingAt`). One array of 4 bytes a bucket: conntrack's and the
   * connected sockets' buckets at a few hundred thousand flows are then a few MB each, not the 18 MB that
   * separate hash words, slot words and tag bytes took (two random writes per insert, one of them a cache miss
   * on tens of MB). The hash is not kept: a removal's backward shift and a rehash recompute it from the key.
   */
  private buckets: Int32Array
  /**
   * One bit per bucket, set while it holds an entry: a lookup whose home bucket is empty misses without
   * reading the buckets (1/32 of their size, it stays cached). A first packet's lookups all miss, and at
   * load ≤ 1/2 most of their home buckets are empty. Linear probing: a key is absent when its home bucket is
   * empty, so the answer is the same. (Derivable from the buckets; kept for its size.)
   */
  private occupied: Int32Array
  private mask: number
  /**
   * Bucket writes not made yet (`place`): bucket index and word, `pendingCount` of them, made together by
   * `flush` once `PENDING` have gathered, or sooner when something reads the buckets' words (a probe that
   * meets a bucket whose occupancy bit is set but whose word is not written yet, a removal, a rehash,
   * `bucketWords`). An insert's bucket is a random word in megabytes of them: written at once, its cache miss
   * sat in the store buffer while the packet's own stores queued behind it until the CPU stalled (~250 ns a
   * first packet at 100k services, both tables, measured by writing them to a small dummy array instead);
   * written in a tight loop of nothing else, their misses overlap (a few ns each). Storage only: every answer
   * is the same.
   */
  private readonly pendingAt = new Int32Array(PENDING)
  private readonly pendingWord = new Int32Array(PENDING)
  private pendingCount = 0
  /** slots allocated so far (the high-water mark); slots below it not in use are on the free list */
  private top = 0
  private freeList: number[] = []
  protected capacity: number
  private count = 0

  /** `initialCapacity` is rounded up to a power of two (the bucket mask needs one). */
  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity < initialCapacity) capacity *= 2
    if (capacity > MAX_SLOTS)
      throw new RangeError(`TupleIndex: ${initialCapacity} slots asked, at most ${MAX_SLOTS}`)
    this.capacity = capacity
    this.keys = new Int32Array(this.capacity * 4)
    const buckets = Math.min(capacity * 2, MIN_BUCKETS)
    this.buckets = new Int32Array(buckets)
    this.occupied = new Int32Array(Math.max(1, buckets >>> 5))
    this.mask = buckets - 1
  }

  get size(): number {
    return this.count
  }

  /** The slot holding key (a, b, c, d), or −1. */
  find(a: number, b: number, c: number, d: number): number {
    const h = hash4(a, b, c, d)
    const i = h & this.mask
    return (this.occupied[i >>> 5] >>> (i & 31)) & 1 ? this.probe(h, i, a, b, c, d) : -1
  }

  /**
   * `find` of two keys at once, the first's slot returned and the second's left in `secondFound`: both home
   * buckets are read before either probe goes on, so when both miss the caches (conntrack's lookup of a
   * tuple and of its reverse) the two memory reads overlap instead of following one another.
   */
  find2(a: number, b: number, c: number, d: number, a2: number, b2: number, c2: number, d2: number): number {
    const occupied = this.occupied
    const mask = this.mask
    const h1 = hash4(a, b, c, d)
    const h2 = hash4(a2, b2, c2, d2)
    const i1 = h1 & mask
    const i2 = h2 & mask
    // both home buckets' bits first (a cached bitmap), then the buckets of the occupied ones, before either
    // probe goes on
    const o1 = (occupied[i1 >>> 5] >>> (i1 & 31)) & 1
    const o2 = (occupied[i2 >>> 5] >>> (i2 & 31)) & 1
    const buckets = this.buckets
    const w1 = o1 ? buckets[i1] : 0
    const w2 = o2 ? buckets[i2] : 0
    // (an occupied home whose word is 0 is a write not made yet: `probe` makes it)
    this.secondFound = w2 === 0 && o2 === 0 ? -1 : this.probe(h2, i2, a2, b2, c2, d2)
    return w1 === 0 && o1 === 0 ? -1 : this.probe(h1, i1, a, b, c, d)
  }

  /** The second key's slot of the last `find2`, or −1. */
  secondFound = -1

  /** The buckets, one word each: tag and slot (read-only: for `prefault`; replaced when the table grows). */
  get bucketWords(): Int32Array {
    if (this.pendingCount > 0) this.flush()
    return this.buckets
  }

  /** The occupancy bits, one per bucket (read-only; replaced when the table grows). */
  get occupancyWords(): Int32Array {
    return this.occupied
  }

  /** The key words, 4 per slot (read-only: for a batch's prefetch of an entry's key line). */
  get keyWords(): Int32Array {
    return this.keys
  }

  private probe(h: number, start: number, a: number, b: number, c: number, d: number): number {
    const keys = this.keys
    const buckets = this.buckets
    const tag = tagOf(h)
    const mask = this.mask
    for (let i = start; ; i = (i + 1) & mask) {
      let w = buckets[i]
      if (w === 0) {
        // empty, or occupied with its write pending: made now (with the others), then read
        if (this.pendingCount === 0 || ((this.occupied[i >>> 5] >>> (i & 31)) & 1) === 0) return -1
        this.flush()
        w = buckets[i]
      }
      if (w >>> SLOT_BITS !== tag) continue
      const e = w & SLOT_MASK
      const k = e * 4
      if (
        keys[k] === (a | 0) &&
        keys[k + 1] === (b | 0) &&
        keys[k + 2] === (c | 0) &&
        keys[k + 3] === (d | 0)
      )
        return e
    }
  }

  /** Adds key (a, b, c, d), which must be absent; returns its slot. */
  insert(a: number, b: number, c: number, d: number): number {
    let e: number
    if (this.freeList.length > 0) e = this.freeList.pop() as number
    else {
      if (this.top === this.capacity) this.grow()
      e = this.top++
    }
    const k = e * 4
    this.keys[k] = a
    this.keys[k + 1] = b
    this.keys[k + 2] = c
    this.keys[k + 3] = d
    if ((this.count + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2)
    this.place(hash4(a, b, c, d), e)
    this.count++
    return e
  }

  /** Removes the entry in `slot` (which must be in use). */
  remove(slot: number): void {
    if (this.pendingCount > 0) this.flush()
    const buckets = this.buckets
    const mask = this.mask
    let i = this.homeOf(slot)
    while ((buckets[i] & SLOT_MASK) !== slot || buckets[i] === 0) i = (i + 1) & mask
    // backward shift: pull later members of the probe run into the hole when their home allows it
    for (let j = (i + 1) & mask; buckets[j] !== 0; j = (j + 1) & mask) {
      const home = this.homeOf(buckets[j] & SLOT_MASK)
      const movable = i <= j ? home <= i || home > j : home <= i && home > j
      if (movable) {
        buckets[i] = buckets[j]
        i = j
      }
    }
    buckets[i] = 0
    this.occupied[i >>> 5] &= ~(1 << (i & 31))
    this.freeList.push(slot)
    this.count--
  }

  /** Word `w` (0..3) of the key in `slot`. */
  keyWord(slot: number, w: number): number {
    return this.keys[slot * 4 + w]
  }

  clearIndex(): void {
    this.buckets.fill(0)
    this.occupied.fill(0)
    this.pendingCount = 0
    this.top = 0
    this.freeList = []
    this.count = 0
  }

  /**
   * Sizes the buckets for `entries` entries at once (load ≤ 1/2), as a kernel hash table's buckets are
   * allocated up front: a run that will add that many keys then never rehashes midway. Same contents.
   */
  reserveBuckets(entries: number): void {
    let n = this.mask + 1
    while (entries * 2 > n) n *= 2
    if (n > this.mask + 1) this.rehash(n)
  }

  /** Grows every per-slot array to `capacity` slots; subclasses extend it for their columns. */
  protected resize(capacity: number): void {
    const keys = new Int32Array(capacity * 4)
    keys.set(this.keys)
    this.keys = keys
    this.capacity = capacity
  }

  private grow(): void {
    if (this.capacity * 2 > MAX_SLOTS)
      throw new RangeError(
        `TupleIndex: more than ${MAX_SLOTS} entries (a bucket word holds a slot in ${SLOT_BITS} bits)`,
      )
    this.resize(this.capacity * 2)
  }

  /** The hash of the key in `slot` (`hash4`). */
  private hashOf(slot: number): number {
    const k = slot * 4
    const keys = this.keys
    return hash4(keys[k], keys[k + 1], keys[k + 2], keys[k + 3])
  }

  /** The home bucket of the key in `slot`. */
  private homeOf(slot: number): number {
    return this.hashOf(slot) & this.mask
  }

  /** Rebuilds the buckets, `n` of them (a power of two); the hashes from the keys. */
  private rehash(n: number): void {
    if (this.pendingCount > 0) this.flush()
    const old = this.buckets
    this.buckets = new Int32Array(n)
    this.occupied = new Int32Array(Math.max(1, n >>> 5))
    this.mask = n - 1
    for (let i = 0; i < old.length; i++) {
      const w = old[i]
      if (w !== 0) this.place(this.hashOf(w & SLOT_MASK), w & SLOT_MASK)
    }
  }

  private place(h: number, slot: number): void {
    const occupied = this.occupied
    const mask = this.mask
    // the first empty bucket from home found in the bitmap, its bit set now; its word written later, with
    // the other pending ones (`pendingAt`): the buckets themselves are never read here
    let i = h & mask
    while ((occupied[i >>> 5] >>> (i & 31)) & 1) i = (i + 1) & mask
    occupied[i >>> 5] |= 1 << (i & 31)
    const n = this.pendingCount
    this.pendingAt[n] = i
    this.pendingWord[n] = (tagOf(h) << SLOT_BITS) | slot
    this.pendingCount = n + 1
    if (n + 1 === PENDING) this.flush()
  }

  /** Makes the pending bucket writes (`pendingAt`). */
  private flush(): void {
    const buckets = this.buckets
    const at = this.pendingAt
    const word = this.pendingWord
    for (let k = 0, n = this.pendingCount; k < n; k++) buckets[at[k]] = word[k]
    this.pendingCount = 0
  }
}

/** Bits of a bucket word holding the slot; the tag is above them. */
const SLOT_BITS = 25
const SLOT_MASK = (1 << SLOT_BITS) - 1
/**
 * Slots a table may hold: 2^25, twice Cilium's largest conntrack or NAT table (`LimitTableMax`, 2^24 in
 * `pkg/option/config.go`; `sizing/limits.ts` LIMIT_TABLE_MAX).
 */
export const MAX_SLOTS = 1 << SLOT_BITS

/** A bucket's tag for a key of hash `h` (31 bits): its top 7 bits, 0 made 1 (0 is an empty bucket). */
function tagOf(h: number): number {
  return h >>> 24 || 1
}

/** Bucket writes gathered before `TupleIndex.flush` makes them together. */
const PENDING = 256

/** Buckets a table starts with (or twice its capacity, when smaller). */
const MIN_BUCKETS = 1024

/** murmur3-style finaliser over four words. */
export function hash4(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0xcc9e2d51)
  h = Math.imul((h << 15) | (h >>> 17), 0x1b873593) ^ b
  h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64
  h = Math.imul(h ^ c, 0xcc9e2d51)
  h = Math.imul((h << 15) | (h >>> 17), 0x1b873593) ^ d
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h & 0x7fffffff
}
