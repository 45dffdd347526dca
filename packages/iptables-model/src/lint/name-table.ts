/**
 * Byte strings (chain names, option words) interned by their bytes: the lint fast path looks a word up in
 * place in the read buffer (with the hash its word splitter computed on the way) and gets back one small id;
 * the name is decoded to a JS string only when asked for (an error or a finding names it), so a dump with
 * 600k chains decodes almost none of them. Names are stored as UTF-8 (the fast path gives ASCII only).
 */
export class NameTable {
  /**
   * open addressing, two ints a slot: hash and id + 1 (0: empty), up to three quarters full; small, since a
   * 600k-name table is far bigger than the caches and a name not there yet (each `:CHAIN` line) costs a miss
   */
  private slots: Int32Array
  private mask: number
  /** a hash's slot is its top bits after a multiply by 2^32/φ (Fibonacci hashing: every bit counts) */
  private shift: number
  private store: Buffer
  private used = 0
  private starts: Int32Array
  private lengths: Int32Array
  private hashes: Int32Array
  /** decoded names, filled on demand */
  private readonly texts: Array<string | undefined> = []
  private count = 0

  /** `expected`: how many names to make room for up front (growing a big table re-places every slot) */
  constructor(expected = 1 << 11) {
    let capacityLog2 = 4
    while (3 << capacityLog2 < 4 * expected) capacityLog2++
    this.slots = new Int32Array(2 << capacityLog2)
    this.mask = (1 << capacityLog2) - 1
    this.shift = 32 - capacityLog2
    this.store = Buffer.alloc(Math.max(1 << 16, expected * 24))
    this.starts = new Int32Array(Math.max(1 << 10, expected))
    this.lengths = new Int32Array(this.starts.length)
    this.hashes = new Int32Array(this.starts.length)
  }

  get size(): number {
    return this.count
  }

  /** Name `id` as a string. */
  name(id: number): string {
    let t = this.texts[id]
    if (t === undefined) {
      const at = this.starts[id]
      t = this.store.toString('utf8', at, at + this.lengths[id])
      this.texts[id] = t
    }
    return t
  }

  /** The id of bytes [s, e) of `buf` whose hash (`hashBytes`) is `h`, or -1 when absent. */
  find(buf: Buffer, s: number, e: number, h = hashBytes(buf, s, e)): number {
    const len = e - s
    const slots = this.slots
    const store = this.store
    for (let i = Math.imul(h, FIB) >>> this.shift; ; i = (i + 1) & this.mask) {
      const id = slots[2 * i + 1] - 1
      if (id < 0) return -1
      if (slots[2 * i] !== h || this.lengths[id] !== len) continue
      // a word of one block (up to four bytes) is its hash: hashStep is a bijection of the block
      if (len <= 4) return id
      const from = this.starts[id]
      let k = 0
      while (k < len && store[from + k] === buf[s + k]) k++
      if (k === len) return id
    }
  }

  /** The id of bytes [s, e) of `buf` whose hash is `h`, added when absent. */
  id(buf: Buffer, s: number, e: number, h = hashBytes(buf, s, e)): number {
    const found = this.find(buf, s, e, h)
    return found >= 0 ? found : this.add(buf, s, e, h)
  }

  /** The id of a string (its UTF-8 bytes), added when absent. */
  idOf(text: string): number {
    const bytes = Buffer.from(text, 'utf8')
    const id = this.id(bytes, 0, bytes.length)
    this.texts[id] ??= text
    return id
  }

  /** Whether name `id` is the bytes [s, e) of `buf` with hash `h` (cheaper than `find` when a name repeats). */
  is(id: number, buf: Buffer, s: number, e: number, h: number): boolean {
    const len = e - s
    if (id < 0 || id >= this.count || this.hashes[id] !== h || this.lengths[id] !== len) return false
    const at = this.starts[id]
    const store = this.store
    for (let k = 0; k < len; k++) if (store[at + k] !== buf[s + k]) return false
    return true
  }

  private add(buf: Buffer, s: number, e: number, h: number): number {
    const len = e - s
    if (this.used + len > this.store.length) {
      const bigger = Buffer.alloc(Math.max(this.store.length * 2, this.used + len))
      bigger.set(this.store.subarray(0, this.used))
      this.store = bigger
    }
    const store = this.store
    for (let k = 0, at = this.used; k < len; k++) store[at + k] = buf[s + k]
    const id = this.count++
    if (id === this.starts.length) {
      this.starts = doubled(this.starts)
      this.lengths = doubled(this.lengths)
      this.hashes = doubled(this.hashes)
    }
    this.starts[id] = this.used
    this.lengths[id] = len
    this.hashes[id] = h
    this.used += len
    if (this.count * 4 > 3 * (this.mask + 1)) this.grow()
    this.place(id, h)
    return id
  }

  private place(id: number, h: number): void {
    const slots = this.slots
    for (let i = Math.imul(h, FIB) >>> this.shift; ; i = (i + 1) & this.mask)
      if (slots[2 * i + 1] === 0) {
        slots[2 * i] = h
        slots[2 * i + 1] = id + 1
        return
      }
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Int32Array(old.length * 2)
    this.mask = this.slots.length / 2 - 1
    this.shift--
    // re-place each slot as it is (hash, id): no name is hashed again
    for (let at = 0; at < old.length; at += 2) if (old[at + 1] !== 0) this.place(old[at + 1] - 1, old[at])
  }
}

function doubled(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}

/**
 * The hash of a word: FNV-1a's multiply over 32-bit little-endian blocks (the last one zero-padded), each
 * followed by a shift that brings the high bits down, so that the word splitter can hash four bytes at a
 * time as it looks for the word's end (lint/line-words.ts) and get the same value as `hashBytes`.
 */
const FIB = 0x9e3779b1 | 0

export const HASH_START = 0x811c9dc5 | 0

export function hashStep(h: number, block: number): number {
  const x = Math.imul(h ^ block, 0x01000193)
  return x ^ (x >>> 15)
}

/** The hash of bytes [s, e). */
export function hashBytes(buf: Buffer, s: number, e: number): number {
  let h = HASH_START
  let i = s
  for (; i + 4 <= e; i += 4)
    h = hashStep(h, buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))
  if (i < e) {
    let v = 0
    for (let k = 0; i < e; i++, k += 8) v |= buf[i] << k
    h = hashStep(h, v)
  }
  return h
}
