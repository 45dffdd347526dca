import type { IpcacheValue } from '../agent/sink'
import { ipcacheNum } from '../datapath/maps'

/**
 * /32 ipcache writes of the initial sync, held until they are written in address order
 * (`MapProgrammer.beginInitialSync`): addresses and values by position, in arrival order. A fresh prefix
 * (one the agent never claimed) is appended without a lookup; the address → position index is built only
 * if a write names a prefix again (a winner change or a delete, which the initial sync of a well-formed
 * cluster never does). A removed prefix leaves its position empty (value undefined).
 */
export class StagedPrefixes {
  /** by position: the first `length` are staged (the rest, room made up front, hold no value) */
  readonly bases: number[]
  readonly values: Array<IpcacheValue | undefined>
  /**
   * each value's identity (the ipcache trie's `numeric`), read as it is staged, while the agent has the value
   * at hand: the flush in address order then passes it to the trie instead of reading 512k values again
   */
  readonly identities: number[]
  /** positions used (staged, removed ones included) */
  length = 0
  size = 0
  private index: Map<number, number> | null = null

  /**
   * `capacity`: how many to expect (the initial sync's pod and node addresses), made room for at once: three
   * 617k-element arrays grown by push at 100k × 10 copied themselves at every growth step
   */
  constructor(capacity = 0) {
    this.bases = new Array(capacity).fill(0)
    this.values = new Array(capacity).fill(undefined)
    this.identities = new Array(capacity).fill(0)
  }

  /** The position of `base`, or −1. */
  find(base: number): number {
    if (!this.index) {
      this.index = new Map()
      for (let i = 0; i < this.length; i++) if (this.values[i] !== undefined) this.index.set(this.bases[i], i)
    }
    return this.index.get(base) ?? -1
  }

  /** Appends a prefix not staged yet. */
  add(base: number, value: IpcacheValue): void {
    // within the room made, or at the end (a store at an array's length appends, as push does)
    const at = this.length++
    this.index?.set(base, at)
    this.bases[at] = base
    this.values[at] = value
    this.identities[at] = ipcacheNum(value)
    this.size++
  }

  /** Replaces the value staged at position `at`. */
  replace(at: number, value: IpcacheValue): void {
    this.values[at] = value
    this.identities[at] = ipcacheNum(value)
  }

  remove(base: number, at: number): void {
    this.index?.delete(base)
    this.values[at] = undefined
    this.size--
  }

  /**
   * Positions still holding a value, by unsigned address (equal addresses: in position order). An LSD radix
   * sort, 16 bits a pass (two stable counting sorts over typed arrays), where the native sort of 617k
   * address · 2^21 + position keys took ~100 ms of the 100k-service build.
   */
  inAddressOrder(): Int32Array {
    const n = this.length
    let pos = new Int32Array(this.size)
    let k = 0
    for (let i = 0; i < n; i++) if (this.values[i] !== undefined) pos[k++] = i
    let addr = new Uint32Array(k)
    for (let j = 0; j < k; j++) addr[j] = this.bases[pos[j]] >>> 0
    let pos2 = new Int32Array(k)
    let addr2 = new Uint32Array(k)
    const counts = new Int32Array(65537)
    for (let shift = 0; shift < 32; shift += 16) {
      counts.fill(0)
      for (let j = 0; j < k; j++) counts[((addr[j] >>> shift) & 0xffff) + 1]++
      for (let d = 1; d <= 65536; d++) counts[d] += counts[d - 1]
      for (let j = 0; j < k; j++) {
        const at = counts[(addr[j] >>> shift) & 0xffff]++
        pos2[at] = pos[j]
        addr2[at] = addr[j]
      }
      ;[pos, pos2] = [pos2, pos]
      ;[addr, addr2] = [addr2, addr]
    }
    return pos
  }
}
