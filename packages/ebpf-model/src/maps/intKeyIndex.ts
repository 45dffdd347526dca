import { hash4 } from './tupleIndex'

/** 2^30: keys at or above it are not small integers (Smis) in V8 and are boxed as heap numbers. */
export const WIDE_MIN = 0x40000000
const WIDE_MAX = 2 ** 53

/** Whether `key` is a wide key: an integer in [2^30, 2^53). */
export function isWideKey(key: unknown): key is number {
  return typeof key === 'number' && key >= WIDE_MIN && key < WIDE_MAX && Number.isInteger(key)
}

/**
 * Values of integer keys up to ±2^53 in one open-addressing table on a plain array of [low 30 bits, high bits,
 * value] cells, linear probing, backward-shift deletion, doubling at half full. A key splits as
 * hi = ⌊key / 2^30⌋, lo = key − hi·2^30 (a floating-point remainder is a library call in V8; this is not). Used for the services map's
 * 51-bit lb4_key (address·port·protocol·scope) and the agent's per-address ipcache claims: a JS Map keyed by
 * such numbers reads its bucket, then the entry, then the boxed key to compare, then the value — at 100k
 * services four cache misses per lookup where this reads one cell line (both key words are small integers
 * stored in place) before the value.
 */
export class IntKeyIndex<V> {
  private cells: Array<number | V | undefined>
  private mask: number
  private count = 0

  constructor(capacity = 16) {
    let n = 16
    while (n < capacity * 2) n *= 2
    this.cells = new Array(n * 3).fill(undefined)
    this.mask = n - 1
  }

  get size(): number {
    return this.count
  }

  get(key: number): V | undefined {
    const hi = Math.floor(key / WIDE_MIN)
    const lo = key - hi * WIDE_MIN
    const cells = this.cells
    const mask = this.mask
    for (let i = hash4(lo, hi, 0, 0) & mask; ; i = (i + 1) & mask) {
      const o = i * 3
      const v = cells[o + 2]
      if (v === undefined) return undefined
      if (cells[o] === lo && cells[o + 1] === hi) return v as V
    }
  }

  /**
   * The index in `cellArray` of the value `get(key)` reads first (its home cell's): an empty home cell means
   * the key is absent (`IpcacheClaims` asks so). Changes nothing.
   */
  homeCell(key: number): number {
    const hi = Math.floor(key / WIDE_MIN)
    return (hash4(key - hi * WIDE_MIN, hi, 0, 0) & this.mask) * 3 + 2
  }

  /** The cells, [low bits, high bits, value] each (read-only: for `homeCell`; replaced when the table grows). */
  get cellArray(): ReadonlyArray<number | V | undefined> {
    return this.cells
  }

  /** Sets `key` to `value` (which must not be undefined). */
  set(key: number, value: V): void {
    const hi = Math.floor(key / WIDE_MIN)
    const lo = key - hi * WIDE_MIN
    const o = this.slotOf(lo, hi)
    if (o >= 0) {
      this.cells[o + 2] = value
      return
    }
    if ((this.count + 1) * 2 > this.mask + 1) this.grow()
    this.place(lo, hi, value)
    this.count++
  }

  /** Removes `key`; false when it was not there. */
  delete(key: number): boolean {
    const hi = Math.floor(key / WIDE_MIN)
    const lo = key - hi * WIDE_MIN
    const found = this.slotOf(lo, hi)
    if (found < 0) return false
    const cells = this.cells
    const mask = this.mask
    let i = found / 3
    for (let j = (i + 1) & mask; cells[j * 3 + 2] !== undefined; j = (j + 1) & mask) {
      const o = j * 3
      const home = hash4(cells[o] as number, cells[o + 1] as number, 0, 0) & mask
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        cells[i * 3] = cells[o]
        cells[i * 3 + 1] = cells[o + 1]
        cells[i * 3 + 2] = cells[o + 2]
        i = j
      }
    }
    cells[i * 3] = cells[i * 3 + 1] = cells[i * 3 + 2] = undefined
    this.count--
    return true
  }

  clear(): void {
    this.cells.fill(undefined)
    this.count = 0
  }

  /** Calls `f` with every key and its value, in table order. */
  forEach(f: (value: V, key: number) => void): void {
    const cells = this.cells
    for (let o = 0; o < cells.length; o += 3)
      if (cells[o + 2] !== undefined)
        f(cells[o + 2] as V, (cells[o + 1] as number) * WIDE_MIN + (cells[o] as number))
  }

  /** Offset of the cell holding (lo, hi), or −1. */
  private slotOf(lo: number, hi: number): number {
    const cells = this.cells
    const mask = this.mask
    for (let i = hash4(lo, hi, 0, 0) & mask; ; i = (i + 1) & mask) {
      const o = i * 3
      if (cells[o + 2] === undefined) return -1
      if (cells[o] === lo && cells[o + 1] === hi) return o
    }
  }

  private place(lo: number, hi: number, value: V | undefined): void {
    const cells = this.cells
    const mask = this.mask
    let i = hash4(lo, hi, 0, 0) & mask
    while (cells[i * 3 + 2] !== undefined) i = (i + 1) & mask
    cells[i * 3] = lo
    cells[i * 3 + 1] = hi
    cells[i * 3 + 2] = value
  }

  /**
   * Room for `n` more keys without growing: the table sized for them in one step (a bulk of known size, as
   * the initial sync's 200k service masters, rehashed once instead of at every doubling). Same contents.
   */
  reserve(n: number): void {
    let size = this.mask + 1
    while ((this.count + n) * 2 > size) size *= 2
    if (size > this.mask + 1) this.rehash(size)
  }

  private grow(): void {
    this.rehash((this.mask + 1) * 2)
  }

  private rehash(n: number): void {
    const old = this.cells
    this.cells = new Array(n * 3).fill(undefined)
    this.mask = n - 1
    for (let o = 0; o < old.length; o += 3)
      if (old[o + 2] !== undefined) this.place(old[o] as number, old[o + 1] as number, old[o + 2] as V)
  }
}
