import type { IpcacheValue } from '../agent/sink'

/**
 * /32 ipcache writes of the initial sync, held until they are written in address order
 * (`MapProgrammer.beginInitialSync`): addresses and values by position, in arrival order. A fresh prefix
 * (one the agent never claimed) is appended without a lookup; the address → position index is built only
 * if a write names a prefix again (a winner change or a delete, which the initial sync of a well-formed
 * cluster never does). A removed prefix leaves its position empty (value undefined).
 */
export class StagedPrefixes {
  readonly bases: number[] = []
  readonly values: Array<IpcacheValue | undefined> = []
  size = 0
  private index: Map<number, number> | null = null

  /** The position of `base`, or −1. */
  find(base: number): number {
    if (!this.index) {
      this.index = new Map()
      for (let i = 0; i < this.bases.length; i++)
        if (this.values[i] !== undefined) this.index.set(this.bases[i], i)
    }
    return this.index.get(base) ?? -1
  }

  /** Appends a prefix not staged yet. */
  add(base: number, value: IpcacheValue): void {
    this.index?.set(base, this.bases.length)
    this.bases.push(base)
    this.values.push(value)
    this.size++
  }

  remove(base: number, at: number): void {
    this.index?.delete(base)
    this.values[at] = undefined
    this.size--
  }

  /** Positions still holding a value, by unsigned address. */
  inAddressOrder(): number[] {
    const n = this.bases.length
    const out: number[] = []
    if (n < 2 ** 21) {
      // address · 2^21 + position is exact in a float64: one native numeric sort, no comparator calls
      const keys = new Float64Array(this.size)
      let k = 0
      for (let i = 0; i < n; i++)
        if (this.values[i] !== undefined) keys[k++] = (this.bases[i] >>> 0) * 2 ** 21 + i
      keys.sort()
      for (let i = 0; i < k; i++) out.push(keys[i] % 2 ** 21)
      return out
    }
    for (let i = 0; i < n; i++) if (this.values[i] !== undefined) out.push(i)
    return out.sort((a, b) => (this.bases[a] >>> 0) - (this.bases[b] >>> 0))
  }
}
