/**
 * (address, port, protocol) → ID, the agent's lookup of an L3n4 address it already programmed
 * (`pkg/service` backendByHash for backends, `pkg/service/id.go` for frontends' rev-NAT IDs): an
 * open-addressing table over one Int32Array — linear probing, deletion by backward shift, doubling at three
 * quarters full — so indexing a million backends allocates nothing per backend and hashes no boxed numbers
 * or strings. A slot is [tag, address, ID]: one probe reads one 12-byte cell, not three arrays (at a million
 * backends each probe is a cache miss, and a 24 MB table misses the TLB less than a 64 MB one). IDs are
 * positive; 0 means absent.
 */
/** Int32s per cell */
const C = 3

export class BackendIndex {
  /** cells of 3: tag (port · 4 + protocol index + 1, 0 marks an empty slot), address, ID */
  private cells: Int32Array
  private mask: number
  private count = 0

  constructor(capacity = 1024) {
    let n = 16
    while (n * 3 < capacity * 4) n *= 2
    this.cells = new Int32Array(n * C)
    this.mask = n - 1
  }

  get size(): number {
    return this.count
  }

  get(addr: number, port: number, proto: number): number {
    const tag = tagOf(port, proto)
    const a = addr | 0
    const c = this.cells
    const m = this.mask
    for (let i = slotOf(a, tag, m); ; i = (i + 1) & m) {
      const o = i * C
      const t = c[o]
      if (t === 0) return 0
      if (t === tag && c[o + 1] === a) return c[o + 2]
    }
  }

  /**
   * Reads the cell a lookup of the address reads first and returns its tag; changes nothing. The initial sync
   * calls it for a service's backends before looking them up, in a tight loop of independent reads, so their
   * cache misses (a random cell of a 24 MB table each at a million backends) are in flight together instead
   * of one after another between the longer steps of programming each backend.
   */
  touch(addr: number, port: number, proto: number): number {
    return this.cells[slotOf(addr | 0, tagOf(port, proto), this.mask) * C]
  }

  /**
   * The ID of an address; when it has none, `id` is entered for it and 0 returned: `get` and then `set` of
   * an absent address in one probe.
   */
  getOrSet(addr: number, port: number, proto: number, id: number): number {
    const o = this.cellOf(addr, port, proto, id)
    return o < 0 ? 0 : this.cells[o + 2]
  }

  /** Sets the ID of an address (replacing the one it had). */
  set(addr: number, port: number, proto: number, id: number): void {
    const o = this.cellOf(addr, port, proto, id)
    if (o >= 0) this.cells[o + 2] = id
  }

  /** The offset of the address's cell; when it has none, a cell holding `id` is made for it and −1 returned. */
  private cellOf(addr: number, port: number, proto: number, id: number): number {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow()
    const tag = tagOf(port, proto)
    const a = addr | 0
    const c = this.cells
    const m = this.mask
    let i = slotOf(a, tag, m)
    for (; c[i * C] !== 0; i = (i + 1) & m) if (c[i * C] === tag && c[i * C + 1] === a) return i * C
    const o = i * C
    c[o] = tag
    c[o + 1] = a
    c[o + 2] = id
    this.count++
    return -1
  }

  delete(addr: number, port: number, proto: number): boolean {
    const tag = tagOf(port, proto)
    const a = addr | 0
    const c = this.cells
    const m = this.mask
    let i = slotOf(a, tag, m)
    for (; ; i = (i + 1) & m) {
      const t = c[i * C]
      if (t === 0) return false
      if (t === tag && c[i * C + 1] === a) break
    }
    // backward shift: move later entries of the probe run into the hole when their home allows it
    let hole = i
    for (let j = (i + 1) & m; c[j * C] !== 0; j = (j + 1) & m) {
      const home = slotOf(c[j * C + 1], c[j * C], m)
      if (((j - home) & m) >= ((j - hole) & m)) {
        c.copyWithin(hole * C, j * C, j * C + C)
        hole = j
      }
    }
    c.fill(0, hole * C, hole * C + C)
    this.count--
    return true
  }

  private grow(): void {
    const old = this.cells
    const n = (this.mask + 1) * 2
    const c = new Int32Array(n * C)
    const m = n - 1
    for (let o = 0; o < old.length; o += C)
      if (old[o] !== 0) {
        let j = slotOf(old[o + 1], old[o], m)
        while (c[j * C] !== 0) j = (j + 1) & m
        c[j * C] = old[o]
        c[j * C + 1] = old[o + 1]
        c[j * C + 2] = old[o + 2]
      }
    this.cells = c
    this.mask = m
  }
}

function tagOf(port: number, proto: number): number {
  return port * 4 + (proto === 6 ? 0 : proto === 17 ? 1 : 2) + 1
}

function slotOf(addr: number, tag: number, mask: number): number {
  const h = Math.imul(addr ^ Math.imul(tag, 0x9e3779b1), 0x85ebca6b)
  return (h ^ (h >>> 15)) & mask
}
