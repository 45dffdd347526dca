/**
 * Byte strings (chain names, option words) interned by their bytes: the lint fast path looks a word up in
 * place in the read buffer (with the hash its word splitter computed on the way) and gets back one small id;
 * the name is decoded to a JS string only when asked for (an error or a finding names it), so a dump with
 * 600k chains decodes almost none of them. Names are stored as UTF-8 (the fast path gives ASCII only).
 */
export class NameTable {
  /**
   * open addressing, two ints a slot: hash and record offset + 1 (0: empty), up to three quarters full. A
   * slot points at the name's record — its id, length and bytes side by side — so a lookup in a 600k-name
   * table, far bigger than the caches, costs two cache misses (slot, record) rather than one per array
   */
  private slots: Int32Array
  private mask: number
  /** a hash's slot is its top bits after a multiply by 2^32/φ (Fibonacci hashing: every bit counts) */
  private shift: number
  /** records at 4-byte aligned offsets: id (int32), length (int32), the bytes, zero padding to 4 */
  private store: Buffer
  /** the store as int32s (the id and length of the record at byte r are at r/4 and r/4 + 1) */
  private ints: Int32Array
  private used = 0
  /** each id's record offset */
  private starts: Int32Array
  /** 1 when the name is plain word bytes (33-126 but `"` and `\\`): see matchAt */
  private plainName: Uint8Array
  /** each name's last four bytes as a little-endian block (names of four bytes or more) */
  private tails: Int32Array
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
    const bytes = new ArrayBuffer(Math.max(1 << 16, expected * 36))
    this.store = Buffer.from(bytes)
    this.ints = new Int32Array(bytes)
    this.starts = new Int32Array(Math.max(1 << 10, expected))
    this.plainName = new Uint8Array(this.starts.length)
    this.tails = new Int32Array(this.starts.length)
  }

  get size(): number {
    return this.count
  }

  /** Name `id` as a string. */
  name(id: number): string {
    let t = this.texts[id]
    if (t === undefined) {
      const at = this.starts[id]
      t = this.store.toString('utf8', at + 8, at + 8 + this.ints[(at >> 2) + 1])
      this.texts[id] = t
    }
    return t
  }

  /**
   * The id of bytes [s, e) of `buf` whose hash (`hashBytes`) is `h`, or -1 when absent; `dv`, a view of buf,
   * compares a long name four bytes at a time.
   */
  find(buf: Buffer, s: number, e: number, h = hashBytes(buf, s, e), dv?: DataView): number {
    const len = e - s
    const slots = this.slots
    const ints = this.ints
    for (let i = Math.imul(h, FIB) >>> this.shift; ; i = (i + 1) & this.mask) {
      const r = slots[2 * i + 1] - 1
      if (r < 0) return -1
      if (slots[2 * i] !== h || ints[(r >> 2) + 1] !== len) continue
      // a word of one block (up to four bytes) is its hash: hashStep is a bijection of the block
      if (len <= 4 || (dv ? this.sameView(r, dv, buf, s, len) : this.same(r + 8, buf, s, len)))
        return ints[r >> 2]
    }
  }

  /**
   * Reads the slots where names of the first n `hashes` start their probes (what it read, xor-ed, is the
   * answer): a reader that touches the slots of several names it will look up soon has their cache misses
   * overlap rather than wait for each in turn.
   */
  touch(hashes: Int32Array, n: number): number {
    const slots = this.slots
    const shift = this.shift
    let x = 0
    for (let k = 0; k < n; k++) x ^= slots[2 * (Math.imul(hashes[k], FIB) >>> shift)]
    return x
  }

  /** The id of bytes [s, e) of `buf` whose hash is `h`, added when absent. */
  id(buf: Buffer, s: number, e: number, h = hashBytes(buf, s, e), dv?: DataView): number {
    const found = this.find(buf, s, e, h, dv)
    return found >= 0 ? found : this.add(buf, s, e, h)
  }

  /** The id of a string (its UTF-8 bytes), added when absent. */
  idOf(text: string): number {
    const bytes = Buffer.from(text, 'utf8')
    const id = this.id(bytes, 0, bytes.length)
    this.texts[id] ??= text
    return id
  }

  /**
   * Whether the bytes of `buf` from `s` are name `id` followed by a space, a `\n` or `e` (a word as lint's
   * line cursor would find it): where the name ends, or -1. Four bytes compared at a time through `dv` (a
   * view of buf), no hash: the cheap check of a predicted name. Only names of plain word bytes (printable
   * ASCII, no quote or backslash) are ever matched, so a match is a word the cursor would have read alike.
   */
  matchAt(id: number, dv: DataView, buf: Buffer, s: number, e: number): number {
    if (id < 0 || id >= this.count || !this.plainName[id]) return -1
    const at = this.starts[id]
    const r = at >> 2
    const len = this.ints[r + 1]
    const end = s + len
    if (end > e || (end < e && buf[end] !== 32 && buf[end] !== 10)) return -1
    // names told apart by their last bytes (a counter or hash after a common KUBE-SEP- prefix) fail here
    if (len >= 4 && this.tails[id] !== dv.getInt32(end - 4, true)) return -1
    return this.sameView(at, dv, buf, s, len) ? end : -1
  }

  /** Whether the name of the record at byte `at` is buf[s, s + len) (`dv`: a view of buf). */
  private sameView(at: number, dv: DataView, buf: Buffer, s: number, len: number): boolean {
    const ints = this.ints
    const r = (at >> 2) + 2
    let k = 0
    for (; k + 4 <= len; k += 4) if (ints[r + (k >> 2)] !== dv.getInt32(s + k, true)) return false
    for (; k < len; k++) if (this.store[at + 8 + k] !== buf[s + k]) return false
    return true
  }

  /** Whether the store's bytes from `at` are buf[s, s + len). */
  private same(at: number, buf: Buffer, s: number, len: number): boolean {
    const store = this.store
    for (let k = 0; k < len; k++) if (store[at + k] !== buf[s + k]) return false
    return true
  }

  private add(buf: Buffer, s: number, e: number, h: number): number {
    const len = e - s
    const size = 8 + ((len + 3) & ~3)
    if (this.used + size > this.store.length) {
      const bytes = new ArrayBuffer(Math.max(this.store.length * 2, this.used + size))
      const bigger = Buffer.from(bytes)
      bigger.set(this.store.subarray(0, this.used))
      this.store = bigger
      this.ints = new Int32Array(bytes)
    }
    const store = this.store
    const at = this.used
    const id = this.count++
    this.ints[at >> 2] = id
    this.ints[(at >> 2) + 1] = len
    let plain = 1
    for (let k = 0; k < len; k++) {
      const c = buf[s + k]
      store[at + 8 + k] = c
      if (c < 33 || c > 126 || c === 34 || c === 92) plain = 0
    }
    if (id === this.starts.length) {
      this.starts = doubled(this.starts)
      const p = new Uint8Array(this.plainName.length * 2)
      p.set(this.plainName)
      this.plainName = p
      this.tails = doubled(this.tails)
    }
    this.starts[id] = at
    if (len >= 4) this.tails[id] = buf.readInt32LE(e - 4)
    this.plainName[id] = plain
    this.used += size
    if (this.count * 4 > 3 * (this.mask + 1)) this.grow()
    this.place(at, h)
    return id
  }

  /** Puts the record at byte `at`, of hash `h`, in its slot. */
  private place(at: number, h: number): void {
    const slots = this.slots
    for (let i = Math.imul(h, FIB) >>> this.shift; ; i = (i + 1) & this.mask)
      if (slots[2 * i + 1] === 0) {
        slots[2 * i] = h
        slots[2 * i + 1] = at + 1
        return
      }
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Int32Array(old.length * 2)
    this.mask = this.slots.length / 2 - 1
    this.shift--
    // re-place each slot as it is (hash, record): no name is hashed again
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
