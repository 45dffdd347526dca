/**
 * IPv4 address → value, for the agent's per-address state of a million pods (`IpcacheClaims`): open
 * addressing over an Int32Array of addresses with the values in a parallel array — linear probing, deletion
 * by backward shift, doubling at half full. A JS Map of a million number keys walks a bucket chain of boxed
 * entries per lookup; here a lookup reads one address cell and one value slot.
 */
export class AddrTable<V> {
  private addrs: Int32Array
  /** undefined marks an empty slot */
  private vals: Array<V | undefined>
  private mask: number
  private count = 0

  constructor(capacity = 1024) {
    let n = 16
    while (n < capacity * 2) n *= 2
    this.addrs = new Int32Array(n)
    this.vals = new Array<V | undefined>(n).fill(undefined)
    this.mask = n - 1
  }

  get size(): number {
    return this.count
  }

  get(addr: number): V | undefined {
    const a = addr | 0
    const m = this.mask
    for (let i = slotOf(a, m); ; i = (i + 1) & m) {
      const v = this.vals[i]
      if (v === undefined) return undefined
      if (this.addrs[i] === a) return v
    }
  }

  /** Sets the value of `addr` (`value` must not be undefined). */
  set(addr: number, value: V): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow()
    const a = addr | 0
    const m = this.mask
    let i = slotOf(a, m)
    for (; this.vals[i] !== undefined; i = (i + 1) & m)
      if (this.addrs[i] === a) {
        this.vals[i] = value
        return
      }
    this.addrs[i] = a
    this.vals[i] = value
    this.count++
  }

  delete(addr: number): boolean {
    const a = addr | 0
    const m = this.mask
    let i = slotOf(a, m)
    for (; ; i = (i + 1) & m) {
      if (this.vals[i] === undefined) return false
      if (this.addrs[i] === a) break
    }
    // backward shift: move later entries of the probe run into the hole when their home allows it
    let hole = i
    for (let j = (i + 1) & m; this.vals[j] !== undefined; j = (j + 1) & m) {
      const home = slotOf(this.addrs[j], m)
      if (((j - home) & m) >= ((j - hole) & m)) {
        this.addrs[hole] = this.addrs[j]
        this.vals[hole] = this.vals[j]
        hole = j
      }
    }
    this.vals[hole] = undefined
    this.count--
    return true
  }

  private grow(): void {
    const { addrs, vals } = this
    const n = (this.mask + 1) * 2
    const m = n - 1
    this.addrs = new Int32Array(n)
    this.vals = new Array<V | undefined>(n).fill(undefined)
    this.mask = m
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i]
      if (v === undefined) continue
      let j = slotOf(addrs[i], m)
      while (this.vals[j] !== undefined) j = (j + 1) & m
      this.addrs[j] = addrs[i]
      this.vals[j] = v
    }
  }
}

function slotOf(addr: number, mask: number): number {
  const h = Math.imul(addr, 0x9e3779b1)
  return (h ^ (h >>> 16)) & mask
}
