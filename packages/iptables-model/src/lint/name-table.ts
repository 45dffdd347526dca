/**
 * Byte strings (chain names, option words) interned by their bytes: the lint fast path looks a word up in
 * place in the read buffer and gets back one small id and the same JS string every time, so a dump with 600k
 * chains decodes each name once instead of once per rule that mentions it. ASCII only (callers check).
 */
export class NameTable {
  private slots: Int32Array
  private mask: number
  private store = new Uint8Array(1 << 16)
  private used = 0
  private starts: number[] = []
  private lengths: number[] = []
  private hashes: number[] = []
  readonly names: string[] = []

  constructor(capacityLog2 = 12) {
    this.slots = new Int32Array(1 << capacityLog2).fill(-1)
    this.mask = (1 << capacityLog2) - 1
  }

  get size(): number {
    return this.names.length
  }

  /** The id of bytes [s, e) of `buf`, or -1 when absent. */
  find(buf: Uint8Array, s: number, e: number): number {
    const h = hashBytes(buf, s, e)
    const len = e - s
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const id = this.slots[i]
      if (id < 0) return -1
      if (this.hashes[id] === h && this.lengths[id] === len && this.same(id, buf, s, len)) return id
    }
  }

  /** The id of bytes [s, e) of `buf`, added when absent. */
  id(buf: Uint8Array, s: number, e: number): number {
    const found = this.find(buf, s, e)
    return found >= 0
      ? found
      : this.add(buf, s, e, Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1'))
  }

  /** Adds a literal (an option or module name) and returns its id. */
  literal(text: string): number {
    const bytes = Buffer.from(text, 'latin1')
    const found = this.find(bytes, 0, bytes.length)
    return found >= 0 ? found : this.add(bytes, 0, bytes.length, text)
  }

  private same(id: number, buf: Uint8Array, s: number, len: number): boolean {
    const at = this.starts[id]
    const store = this.store
    for (let k = 0; k < len; k++) if (store[at + k] !== buf[s + k]) return false
    return true
  }

  private add(buf: Uint8Array, s: number, e: number, text: string): number {
    const len = e - s
    if (this.used + len > this.store.length) {
      const bigger = new Uint8Array(Math.max(this.store.length * 2, this.used + len))
      bigger.set(this.store.subarray(0, this.used))
      this.store = bigger
    }
    this.store.set(buf.subarray(s, e), this.used)
    const id = this.names.length
    this.starts.push(this.used)
    this.lengths.push(len)
    this.hashes.push(hashBytes(buf, s, e))
    this.names.push(text)
    this.used += len
    if (this.names.length * 2 > this.slots.length) this.grow()
    else this.place(id)
    return id
  }

  private place(id: number): void {
    for (let i = this.hashes[id] & this.mask; ; i = (i + 1) & this.mask)
      if (this.slots[i] < 0) {
        this.slots[i] = id
        return
      }
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1)
    this.mask = this.slots.length - 1
    for (let id = 0; id < this.names.length; id++) this.place(id)
  }
}

/** FNV-1a over the bytes. */
function hashBytes(buf: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193)
  return h >>> 0
}
