/**
 * A hash index over four-word keys (an IPv4 5-tuple packs into saddr, daddr, sport·dport, proto·flags) on
 * typed arrays: entries live in stable slots (a deleted slot goes to a free list and is reused), the buckets
 * are open addressing with linear probing and backward-shift deletion (no tombstones). No objects per entry,
 * so a million-entry conntrack table is a few dense arrays the garbage collector never walks, and a lookup
 * touches one bucket run and one key line whatever the table's size. The slot columns are allocated for
 * `initialCapacity` entries up front (and double past it; subclasses grow their per-entry columns in
 * `resize`); the buckets are sized for the entries present (load ≤ 1/2, doubled and rehashed as entries come),
 * so a preallocated million-slot table holding 200k entries probes 4 MB of buckets, not 16.
 */
export class TupleIndex {
  /** 4 words per entry slot */
  protected keys: Int32Array
  /** per bucket: [hash of the key, entry slot + 1] (0 = empty); the hash spares a key read where a tag matched by chance */
  private buckets: Int32Array
  /**
   * One bit per bucket, set while it holds an entry: a lookup whose home bucket is empty misses without
   * reading the buckets (conntrack's and the connected sockets' buckets are tens of MB at a few hundred
   * thousand flows, a cache miss per read; this is 1/64 of that and stays cached). A first packet's lookups
   * all miss, and at load ≤ 1/2 most of their home buckets are empty. Linear probing: a key is absent when
   * its home bucket is empty, so the answer is the same.
   */
  private occupied: Int32Array
  /**
   * One byte per bucket: 0 while it is empty, else a tag of the hash of the key it holds (`tagOf`: 7 bits of
   * it, never 0). A lookup walks the run from its home bucket on these bytes (64 buckets a cache line) and only
   * reads a bucket, then the key, where the tag matches: a first packet's lookup whose home bucket another key
   * holds (a third of them at the tables' load) then misses without reading the buckets and keys, two cache
   * misses each at a few hundred thousand flows. (The occupancy bits say the same of emptiness; they stay, as
   * the first read: an eighth of the tags' size, they answer the commonest case, an empty home bucket, from
   * the caches.)
   */
  private tags: Uint8Array
  private mask: number
  /** slots allocated so far (the high-water mark); slots below it not in use are on the free list */
  private top = 0
  private freeList: number[] = []
  protected capacity: number
  private count = 0

  /** `initialCapacity` is rounded up to a power of two (the bucket mask needs one). */
  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity < initialCapacity) capacity *= 2
    this.capacity = capacity
    this.keys = new Int32Array(this.capacity * 4)
    const buckets = Math.min(capacity * 2, MIN_BUCKETS)
    this.buckets = new Int32Array(buckets * 2)
    this.occupied = new Int32Array(buckets >>> 5)
    this.tags = new Uint8Array(buckets)
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
   * `find` of two keys at once, the first's slot returned and the second's left in `secondFound`: both first
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
    // both home buckets' bits first (a cached bitmap), then the tags of the occupied ones, before either
    // probe goes on
    const o1 = (occupied[i1 >>> 5] >>> (i1 & 31)) & 1
    const o2 = (occupied[i2 >>> 5] >>> (i2 & 31)) & 1
    const tags = this.tags
    const g1 = o1 ? tags[i1] : 0
    const g2 = o2 ? tags[i2] : 0
    this.secondFound = g2 === 0 ? -1 : this.probe(h2, i2, a2, b2, c2, d2)
    return g1 === 0 ? -1 : this.probe(h1, i1, a, b, c, d)
  }

  /** The second key's slot of the last `find2`, or −1. */
  secondFound = -1

  /** The buckets, [hash, slot + 1] each (read-only: for `prefault`; replaced when the table grows). */
  get bucketWords(): Int32Array {
    return this.buckets
  }

  /** The occupancy bits, one per bucket (read-only; replaced when the table grows). */
  get occupancyWords(): Int32Array {
    return this.occupied
  }

  /** The tag bytes, one per bucket (read-only; replaced when the table grows). */
  get tagBytes(): Uint8Array {
    return this.tags
  }

  /** The key words, 4 per slot (read-only: for a batch's prefetch of an entry's key line). */
  get keyWords(): Int32Array {
    return this.keys
  }

  private probe(h: number, start: number, a: number, b: number, c: number, d: number): number {
    const keys = this.keys
    const buckets = this.buckets
    const tags = this.tags
    const tag = tagOf(h)
    const mask = this.mask
    for (let i = start; ; i = (i + 1) & mask) {
      const g = tags[i]
      if (g === 0) return -1
      if (g !== tag || buckets[2 * i] !== h) continue
      const e = buckets[2 * i + 1] - 1
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
      if (this.top === this.capacity) this.resize(this.capacity * 2)
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
    const buckets = this.buckets
    const mask = this.mask
    const k = slot * 4
    let i = hash4(this.keys[k], this.keys[k + 1], this.keys[k + 2], this.keys[k + 3]) & mask
    while (buckets[2 * i + 1] !== slot + 1) i = (i + 1) & mask
    // backward shift: pull later members of the probe run into the hole when their home allows it
    for (let j = (i + 1) & mask; buckets[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = buckets[2 * j] & mask
      const movable = i <= j ? home <= i || home > j : home <= i && home > j
      if (movable) {
        buckets[2 * i] = buckets[2 * j]
        buckets[2 * i + 1] = buckets[2 * j + 1]
        this.tags[i] = this.tags[j]
        i = j
      }
    }
    buckets[2 * i] = 0
    buckets[2 * i + 1] = 0
    this.tags[i] = 0
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
    this.tags.fill(0)
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

  /** Rebuilds the buckets, `n` of them (a power of two). */
  private rehash(n: number): void {
    const old = this.buckets
    this.buckets = new Int32Array(n * 2)
    this.occupied = new Int32Array(n >>> 5)
    this.tags = new Uint8Array(n)
    this.mask = n - 1
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.place(old[i], old[i + 1] - 1)
  }

  private place(h: number, slot: number): void {
    const occupied = this.occupied
    const mask = this.mask
    // the first empty bucket from home found in the bitmap: the buckets themselves are only written (a
    // store that misses the caches does not hold up what follows, a load does)
    let i = h & mask
    while ((occupied[i >>> 5] >>> (i & 31)) & 1) i = (i + 1) & mask
    occupied[i >>> 5] |= 1 << (i & 31)
    this.tags[i] = tagOf(h)
    this.buckets[2 * i] = h
    this.buckets[2 * i + 1] = slot + 1
  }
}

/** A bucket's tag byte for a key of hash `h` (31 bits): its top 7 bits, plus 1 (0 is an empty bucket). */
function tagOf(h: number): number {
  return (h >>> 24) + 1
}

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
