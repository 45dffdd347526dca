/**
 * (address, port, protocol) → backend ID, the agent's lookup of an L3n4 address it already programmed
 * (`pkg/service` backendByHash): an open-addressing table over typed arrays — linear probing, deletion by
 * backward shift, doubling at half full — so indexing a million backends allocates nothing per backend
 * and hashes no boxed numbers or strings. IDs are positive; 0 means absent.
 */
export class BackendIndex {
  private addrs: Uint32Array
  /** port · 4 + protocol index, + 1 (0 marks an empty slot) */
  private tags: Uint32Array
  private ids: Int32Array
  private mask: number
  private count = 0

  constructor(capacity = 1024) {
    let n = 16
    while (n < capacity * 2) n *= 2
    this.addrs = new Uint32Array(n)
    this.tags = new Uint32Array(n)
    this.ids = new Int32Array(n)
    this.mask = n - 1
  }

  get size(): number {
    return this.count
  }

  get(addr: number, port: number, proto: number): number {
    const tag = tagOf(port, proto)
    const a = addr >>> 0
    for (let i = slotOf(a, tag, this.mask); ; i = (i + 1) & this.mask) {
      const t = this.tags[i]
      if (t === 0) return 0
      if (t === tag && this.addrs[i] === a) return this.ids[i]
    }
  }

  /** Sets the ID of an address (replacing the one it had). */
  set(addr: number, port: number, proto: number, id: number): void {
    if ((this.count + 1) * 2 > this.tags.length) this.grow()
    const tag = tagOf(port, proto)
    const a = addr >>> 0
    let i = slotOf(a, tag, this.mask)
    for (; this.tags[i] !== 0; i = (i + 1) & this.mask)
      if (this.tags[i] === tag && this.addrs[i] === a) {
        this.ids[i] = id
        return
      }
    this.tags[i] = tag
    this.addrs[i] = a
    this.ids[i] = id
    this.count++
  }

  delete(addr: number, port: number, proto: number): boolean {
    const tag = tagOf(port, proto)
    const a = addr >>> 0
    const m = this.mask
    let i = slotOf(a, tag, m)
    for (; ; i = (i + 1) & m) {
      const t = this.tags[i]
      if (t === 0) return false
      if (t === tag && this.addrs[i] === a) break
    }
    // backward shift: move later entries of the probe run into the hole when their home allows it
    let hole = i
    for (let j = (i + 1) & m; this.tags[j] !== 0; j = (j + 1) & m) {
      const home = slotOf(this.addrs[j], this.tags[j], m)
      if (((j - home) & m) >= ((j - hole) & m)) {
        this.tags[hole] = this.tags[j]
        this.addrs[hole] = this.addrs[j]
        this.ids[hole] = this.ids[j]
        hole = j
      }
    }
    this.tags[hole] = 0
    this.ids[hole] = 0
    this.count--
    return true
  }

  private grow(): void {
    const { addrs, tags, ids } = this
    const n = tags.length * 2
    this.addrs = new Uint32Array(n)
    this.tags = new Uint32Array(n)
    this.ids = new Int32Array(n)
    this.mask = n - 1
    this.count = 0
    for (let i = 0; i < tags.length; i++)
      if (tags[i] !== 0) {
        let j = slotOf(addrs[i], tags[i], this.mask)
        while (this.tags[j] !== 0) j = (j + 1) & this.mask
        this.tags[j] = tags[i]
        this.addrs[j] = addrs[i]
        this.ids[j] = ids[i]
        this.count++
      }
  }
}

function tagOf(port: number, proto: number): number {
  return port * 4 + (proto === 6 ? 0 : proto === 17 ? 1 : 2) + 1
}

function slotOf(addr: number, tag: number, mask: number): number {
  const h = Math.imul(addr ^ Math.imul(tag, 0x9e3779b1), 0x85ebca6b)
  return (h ^ (h >>> 15)) & mask
}
