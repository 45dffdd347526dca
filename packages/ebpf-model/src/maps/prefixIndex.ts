import { hash4 } from './tupleIndex'

/** Int32s per record of `addMany`'s sort */
const R = 4

/**
 * The prefixes of an LPM trie indexed by (prefix length, masked key) in one open-addressing table on an
 * Int32Array, for keys of one or two 32-bit words, plus the prefix lengths present, longest first. A
 * longest-prefix match is then one probe per distinct prefix length (ipcache: /32 pods first, then the few
 * CIDR lengths of ipBlocks and the world /0) instead of a walk of one node per bit of branching — the same
 * answer, since a longest-prefix match is a function of the stored prefixes alone. Buckets hold
 * [length + 1, node, word 0, num] for one-word keys (16 bytes: the ipcache's 200k pods probe 8 MB, not 16)
 * and [length + 1, node, word 0, word 1, num, -, -, -] for two (32 bytes); either way one line per probe.
 * `num` is a number the trie keeps beside the entry's value (the ipcache's identity, a policy entry's
 * verdict), so a lookup that needs only it reads no value object. Deletion shifts back, no tombstones.
 */
export class PrefixIndex {
  private buckets: Int32Array
  private mask: number
  private count = 0
  /** entries per prefix length */
  private readonly perLength: Int32Array
  /** prefix lengths present, longest first */
  readonly lengths: number[] = []
  /** `num` of the entry the last successful `find` returned */
  lastNum = 0
  /** keys of one word: word 1 is always 0 and not stored */
  private readonly oneWord: boolean
  /** Int32s per bucket */
  private readonly S: number
  /** where `num` sits in a bucket */
  private readonly numAt: number

  constructor(maxPrefixLen: number) {
    this.perLength = new Int32Array(maxPrefixLen + 1)
    this.oneWord = maxPrefixLen <= 32
    this.S = this.oneWord ? 4 : 8
    this.numAt = this.oneWord ? 3 : 4
    this.buckets = new Int32Array(64 * this.S)
    this.mask = 63
  }

  /** The node stored for (len, w0, w1) (words already masked to `len`), or −1. */
  find(len: number, w0: number, w1: number): number {
    const b = this.buckets
    const mask = this.mask
    const tag = len + 1
    const S = this.S
    const one = this.oneWord
    for (let i = hash4(len, w0, w1, 0) & mask; ; i = (i + 1) & mask) {
      const o = i * S
      const t = b[o]
      if (t === 0) return -1
      if (t === tag && b[o + 2] === (w0 | 0) && (one || b[o + 3] === (w1 | 0))) {
        this.lastNum = b[o + this.numAt]
        return b[o + 1]
      }
    }
  }

  /** Sets the `num` of an entry present. */
  setNum(len: number, w0: number, w1: number, num: number): void {
    const o = this.offsetOf(len, w0, w1)
    if (o >= 0) this.buckets[o + this.numAt] = num
  }

  add(len: number, w0: number, w1: number, node: number, num = 0): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow()
    this.place(len, w0, w1, node, num)
    this.added(len, 1)
  }

  /** `n` entries of length `len` placed: the counts, and `len` among the lengths present (longest first). */
  private added(len: number, n: number): void {
    this.count += n
    if (this.perLength[len] === 0) {
      let i = 0
      while (i < this.lengths.length && this.lengths[i] > len) i++
      this.lengths.splice(i, 0, len)
    }
    this.perLength[len] += n
  }

  /**
   * `add` of `n` entries of prefix length `len` given as columns (word 0, word 1, node, num), placed grouped
   * by the region of the table their home bucket is in rather than as given: a bulk insert of entries in key
   * order (the initial sync's 512k ipcache /32s) then writes one cached region after another instead of one
   * random 16-byte bucket of a 16 MB table per entry, each a cache and TLB miss (~200 ms at 100k services).
   * Linear probing accepts any order of insertion: the table holds the same entries and answers every
   * `find` alike (its probe runs may differ).
   */
  addMany(
    len: number,
    n: number,
    w0s: ArrayLike<number>,
    w1s: ArrayLike<number>,
    nodes: ArrayLike<number>,
    nums: ArrayLike<number>,
  ): void {
    if (n === 0) return
    this.reserve(this.count + n)
    const mask = this.mask
    // records [word 0, word 1, node, num] grouped by the top 8 bits of their home (a counting sort: homes,
    // then each record written once into its group): each group's placements then fall in 1/256 of the
    // table, which stays in the caches (a full sort by home, 11 bits a pass, cost more in its scattered
    // writes)
    const homes = new Int32Array(n)
    const shift = Math.max(0, 32 - Math.clz32(mask) - 8)
    const counts = new Int32Array(257)
    for (let j = 0; j < n; j++) {
      const home = hash4(len, w0s[j], this.oneWord ? 0 : w1s[j], 0) & mask
      homes[j] = home
      counts[(home >>> shift) + 1]++
    }
    for (let d = 1; d <= 256; d++) counts[d] += counts[d - 1]
    const b = new Int32Array(n * R)
    for (let j = 0; j < n; j++) {
      const o = counts[homes[j] >>> shift]++ * R
      b[o] = w0s[j]
      b[o + 1] = this.oneWord ? 0 : w1s[j]
      b[o + 2] = nodes[j]
      b[o + 3] = nums[j]
    }
    for (let o = 0; o < b.length; o += R) this.place(len, b[o], b[o + 1], b[o + 2], b[o + 3])
    this.added(len, n)
  }

  remove(len: number, w0: number, w1: number): void {
    const b = this.buckets
    const mask = this.mask
    const found = this.offsetOf(len, w0, w1)
    if (found < 0) return
    const S = this.S
    let i = found / S
    for (let j = (i + 1) & mask; b[j * S] !== 0; j = (j + 1) & mask) {
      const o = j * S
      const home = hash4(b[o] - 1, b[o + 2], this.oneWord ? 0 : b[o + 3], 0) & mask
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        b.copyWithin(i * S, o, o + S)
        i = j
      }
    }
    b.fill(0, i * S, i * S + S)
    this.count--
    if (--this.perLength[len] === 0) this.lengths.splice(this.lengths.indexOf(len), 1)
  }

  clear(): void {
    this.buckets.fill(0)
    this.count = 0
    this.perLength.fill(0)
    this.lengths.length = 0
  }

  /** Offset of the bucket holding (len, w0, w1), or −1. */
  private offsetOf(len: number, w0: number, w1: number): number {
    const b = this.buckets
    const mask = this.mask
    const tag = len + 1
    const S = this.S
    for (let i = hash4(len, w0, w1, 0) & mask; ; i = (i + 1) & mask) {
      const o = i * S
      if (b[o] === 0) return -1
      if (b[o] === tag && b[o + 2] === (w0 | 0) && (this.oneWord || b[o + 3] === (w1 | 0))) return o
    }
  }

  private place(len: number, w0: number, w1: number, node: number, num: number): void {
    const b = this.buckets
    const mask = this.mask
    const S = this.S
    let i = hash4(len, w0, w1, 0) & mask
    while (b[i * S] !== 0) i = (i + 1) & mask
    const o = i * S
    b[o] = len + 1
    b[o + 1] = node
    b[o + 2] = w0
    if (!this.oneWord) b[o + 3] = w1
    b[o + this.numAt] = num
  }

  /** Sizes the table for `entries` entries at once (a bulk insert of a known count): one rehash, not one per doubling. */
  reserve(entries: number): void {
    let size = this.mask + 1
    while (entries * 2 > size) size *= 2
    if (size > this.mask + 1) this.resize(size)
  }

  private grow(): void {
    this.resize((this.mask + 1) * 2)
  }

  private resize(size: number): void {
    const old = this.buckets
    const S = this.S
    this.buckets = new Int32Array(size * S)
    this.mask = size - 1
    for (let o = 0; o < old.length; o += S)
      if (old[o] !== 0)
        this.place(old[o] - 1, old[o + 2], this.oneWord ? 0 : old[o + 3], old[o + 1], old[o + this.numAt])
  }
}
