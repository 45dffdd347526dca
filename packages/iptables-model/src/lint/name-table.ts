/**
 * Byte strings (chain names, option words) interned by their bytes: the lint fast path looks a word up in
 * place in the read buffer and gets back one small id and the same JS string every time, so a dump with 600k
 * chains decodes each name once instead of once per rule that mentions it. ASCII only (callers check).
 */
export class NameTable {
  /**
   * open addressing, four ints a slot: hash, id + 1 (0: empty), start in `store` and length, so a probe
   * touches one cache line before the bytes are compared (a 600k-name table is far bigger than the caches)
   */
  private slots: Int32Array
  private mask: number
  private store = Buffer.alloc(1 << 16)
  private used = 0
  private starts = new Int32Array(1 << 10)
  private lengths = new Int32Array(1 << 10)
  readonly names: string[] = []

  constructor(capacityLog2 = 12) {
    this.slots = new Int32Array(4 << capacityLog2)
    this.mask = (1 << capacityLog2) - 1
  }

  get size(): number {
    return this.names.length
  }

  /** The id of bytes [s, e) of `buf`, or -1 when absent. */
  find(buf: Buffer, s: number, e: number): number {
    const h = hashBytes(buf, s, e)
    const len = e - s
    const slots = this.slots
    const store = this.store
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const at = 4 * i
      const id = slots[at + 1] - 1
      if (id < 0) return -1
      if (slots[at] !== h || slots[at + 3] !== len) continue
      const from = slots[at + 2]
      let k = 0
      while (k < len && store[from + k] === buf[s + k]) k++
      if (k === len) return id
    }
  }

  /** The id of bytes [s, e) of `buf`, added when absent (as `text`, default: the bytes as latin1). */
  id(buf: Buffer, s: number, e: number, text?: string): number {
    const found = this.find(buf, s, e)
    if (found >= 0) return found
    return this.add(buf, s, e, text ?? buf.toString('latin1', s, e))
  }

  /** Adds a literal (an option or module name) and returns its id. */
  literal(text: string): number {
    const bytes = Buffer.from(text, 'latin1')
    const found = this.find(bytes, 0, bytes.length)
    return found >= 0 ? found : this.add(bytes, 0, bytes.length, text)
  }

  /** Whether name `id` is the bytes [s, e) of `buf` (a check cheaper than `find` when a name repeats). */
  is(id: number, buf: Buffer, s: number, e: number): boolean {
    const len = e - s
    if (this.lengths[id] !== len) return false
    const at = this.starts[id]
    const store = this.store
    for (let k = 0; k < len; k++) if (store[at + k] !== buf[s + k]) return false
    return true
  }

  private add(buf: Buffer, s: number, e: number, text: string): number {
    const len = e - s
    if (this.used + len > this.store.length) {
      const bigger = Buffer.alloc(Math.max(this.store.length * 2, this.used + len))
      bigger.set(this.store.subarray(0, this.used))
      this.store = bigger
    }
    this.store.set(buf.subarray(s, e), this.used)
    const id = this.names.length
    if (id === this.starts.length) {
      const starts = new Int32Array(id * 2)
      starts.set(this.starts)
      this.starts = starts
      const lengths = new Int32Array(id * 2)
      lengths.set(this.lengths)
      this.lengths = lengths
    }
    this.starts[id] = this.used
    this.lengths[id] = len
    this.names.push(text)
    this.used += len
    if (this.names.length * 2 > this.mask + 1) this.grow()
    else this.place(id, hashBytes(buf, s, e))
    return id
  }

  private place(id: number, h: number): void {
    const slots = this.slots
    for (let i = h & this.mask; ; i = (i + 1) & this.mask)
      if (slots[4 * i + 1] === 0) {
        slots[4 * i] = h
        slots[4 * i + 1] = id + 1
        slots[4 * i + 2] = this.starts[id]
        slots[4 * i + 3] = this.lengths[id]
        return
      }
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Int32Array(old.length * 2)
    this.mask = this.slots.length / 4 - 1
    // re-place each slot as it is (hash, id, start, length): no name is hashed again
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 1] === 0) continue
      for (let i = old[at] & this.mask; ; i = (i + 1) & this.mask)
        if (this.slots[4 * i + 1] === 0) {
          this.slots.set(old.subarray(at, at + 4), 4 * i)
          break
        }
    }
  }
}

/** FNV-1a over the bytes. */
function hashBytes(buf: Buffer, s: number, e: number): number {
  let h = 0x811c9dc5 | 0
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193)
  return h
}
