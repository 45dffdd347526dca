import { lineAlignedInt32 } from '../maps/aligned'
import { WIDE_MIN as W } from '../maps/intKeyIndex'
import { hash4 } from '../maps/tupleIndex'
import type { ServiceMaster, ServiceSlot } from './maps'

/**
 * Int32s per cell (64 bytes): [tag, lo, count, revNat, flags, slotBase, affinityTimeout | filteredOut·2^30,
 * copies' epoch, then `INLINE_SLOTS` slot copies of `SLOT_WORDS`]; tag 0 = empty, else (hi + 1)·2 + plain. A
 * key splits as IntKeyIndex splits it: hi = ⌊key / W⌋, lo = key − hi·W, W = 2^30 (both small integers).
 */
const S = 16
/** Cell word of the slot copies' epoch (0: no copies). */
const EPOCH = 7
/** Cell word of the first slot copy. */
const INLINE = 8
/** Words of a slot copy in a cell: address, port + 1 | (prefix length + 1)·2^17, ipcache number + 2, backend id + 1. */
const SLOT_WORDS = 4
/**
 * Slots of a master a cell holds copies of (its first ones: slotBase, slotBase + 1): a service with one or
 * two backends, the commonest, is picked from its cell alone.
 */
export const INLINE_SLOTS = 2
/** affinityTimeout's bits in its word (Kubernetes caps it at 86400 s); filteredOut is the bit above. */
const TIMEOUT_MASK = 2 ** 30 - 1

/** Whether `key` can be held: an integer in [0, 2^53) (every `serviceKey`). */
export function isMasterKey(key: unknown): key is number {
  return typeof key === 'number' && key >= 0 && key < 2 ** 53 && Number.isInteger(key)
}

/**
 * The entries of cilium_lb4_services_v2 at non-negative integer keys (the masters, slot 0 of each frontend),
 * again, as the datapath reads them: one open-addressing table on an Int32Array whose cell holds the key and
 * the master's hot fields (count, rev NAT id, flags, slotBase, affinity timeout, filteredOut), with the record
 * itself in a parallel array. A lean first packet picks its backend from the cell alone (an affinity service's
 * and one without backends too), where the services map's own storage (the dense-id
 * map's `IntKeyIndex`) holds a pointer to the record: at 100k services the record is one more dependent cache
 * miss per first packet (lb4_lookup_service returns the entry's value in the kernel: one read). Storage only:
 * `ServicesMap` makes it from its entries on the first lookup that reads a cell, then writes it beside its own
 * storage on every successful update, delete and clear, and counts a lookup here as it counts `lookupInto`. A
 * cell is `plain` when the value is a master whose numeric fields are int32s (the affinity timeout under
 * 2^30): only then are they read from the cell; otherwise the record is. Linear probing, backward-shift
 * deletion, doubling at half full.
 *
 * A plain cell also holds, when `ServicesMap` has put them there (`setSlotCopy`, `setEpoch`), copies of its
 * first `INLINE_SLOTS` slots' records (`ServicesMap.slotCopy`: the slot's backend id, the backend's address
 * and port, the ipcache's answer for the address) under an epoch the services map checks before it takes
 * them (`ServicesMap.lookupSlotBackendAt`): the slot's record is then not read, one dependent cache miss
 * fewer per first packet at 100k services (session 16). Writing the cell's value drops them (epoch 0).
 */
export class MasterIndex {
  private cells: Int32Array
  private recs: Array<ServiceMaster | ServiceSlot | undefined>
  private mask: number
  private count = 0

  constructor(capacity = 16) {
    let n = 16
    while (n < capacity * 2) n *= 2
    // one cell past the table: `scratch`, never probed
    this.cells = lineAlignedInt32((n + 1) * S)
    this.recs = new Array(n + 1).fill(undefined)
    this.mask = n - 1
  }

  /** Bytes of the cells (what a lookup reads at random). */
  get cellBytes(): number {
    return this.cells.byteLength
  }

  get size(): number {
    return this.count
  }

  /** The cell holding `key` (an `isMasterKey`), or −1. */
  find(key: number): number {
    const hi = Math.floor(key / W)
    const lo = key - hi * W
    const cells = this.cells
    const mask = this.mask
    const tag = (hi + 1) * 2
    for (let i = hash4(lo, hi, 0, 0) & mask; ; i = (i + 1) & mask) {
      const o = i * S
      const t = cells[o]
      if (t === 0) return -1
      if ((t & ~1) === tag && cells[o + 1] === lo) return i
    }
  }

  /**
   * The cell past the table, filled with `value`'s fields: the answer to a lookup of a key this index cannot
   * hold, read from the map itself (valid until the next call).
   */
  scratch(value: ServiceMaster | ServiceSlot): number {
    const c = this.mask + 1
    this.fill(c, 0, value)
    return c
  }

  /** The cell `find(key)` reads first (its home): a batch's prefetch touches it. No change. */
  homeCell(key: number): number {
    const hi = Math.floor(key / W)
    return hash4(key - hi * W, hi, 0, 0) & this.mask
  }

  /** The cell a probe reads after cell `c`. */
  after(c: number): number {
    return (c + 1) & this.mask
  }

  /** Whether cell `c` holds `key` with its fields in place (`plain`): `find(key)` would answer `c`. */
  holdsPlain(c: number, key: number): boolean {
    const hi = Math.floor(key / W)
    const o = c * S
    return this.cells[o] === (((hi + 1) * 2) | 1) && this.cells[o + 1] === key - hi * W
  }

  /** The master's fields are in the cell (else read the record). */
  plain(c: number): boolean {
    return (this.cells[c * S] & 1) === 1
  }

  backendCount(c: number): number {
    return this.cells[c * S + 2]
  }

  revNat(c: number): number {
    return this.cells[c * S + 3]
  }

  flags(c: number): number {
    return this.cells[c * S + 4]
  }

  slotBase(c: number): number {
    return this.cells[c * S + 5]
  }

  affinityTimeout(c: number): number {
    return this.cells[c * S + 6] & TIMEOUT_MASK
  }

  filteredOut(c: number): boolean {
    return this.cells[c * S + 6] >>> 30 === 1
  }

  /** The epoch cell `c`'s slot copies were made at (0: none). */
  epoch(c: number): number {
    return this.cells[c * S + EPOCH]
  }

  /** Cell `c`'s slot copies are taken while the services map's epoch is `epoch` (0: dropped). */
  setEpoch(c: number, epoch: number): void {
    if (c <= this.mask) this.cells[c * S + EPOCH] = epoch
  }

  /** Word `w` (0..3: `SLOT_WORDS`) of the copy of slot k (0..`INLINE_SLOTS` − 1) in cell `c`. */
  slotCopyWord(c: number, k: number, w: number): number {
    return this.cells[c * S + INLINE + k * SLOT_WORDS + w]
  }

  /** Writes the copy of slot k in cell `c` (int32 words; not the scratch cell). */
  setSlotCopy(c: number, k: number, addr: number, portWord: number, num2: number, id1: number): void {
    if (c > this.mask) return
    const o = c * S + INLINE + k * SLOT_WORDS
    const cells = this.cells
    cells[o] = addr
    cells[o + 1] = portWord
    cells[o + 2] = num2
    cells[o + 3] = id1
  }

  /** Cells in the table (a cell number is below it; the scratch cell is this one). */
  get cellCount(): number {
    return this.mask + 1
  }

  /** The value stored in cell `c`. */
  record(c: number): ServiceMaster | ServiceSlot {
    return this.recs[c] as ServiceMaster | ServiceSlot
  }

  /** Sets `key` (an `isMasterKey`) to `value`; a master's `slotBase` must be set already. */
  set(key: number, value: ServiceMaster | ServiceSlot): void {
    const hi = Math.floor(key / W)
    const lo = key - hi * W
    let c = this.find(key)
    if (c < 0) {
      if ((this.count + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2)
      c = this.home(hi, lo)
      this.count++
    }
    this.fill(c, (hi + 1) * 2, value)
    this.cells[c * S + 1] = lo
  }

  delete(key: number): void {
    const found = this.find(key)
    if (found < 0) return
    const cells = this.cells
    const mask = this.mask
    let i = found
    for (let j = (i + 1) & mask; cells[j * S] !== 0; j = (j + 1) & mask) {
      const o = j * S
      const home = hash4(cells[o + 1], (cells[o] >>> 1) - 1, 0, 0) & mask
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        cells.copyWithin(i * S, o, o + S)
        this.recs[i] = this.recs[j]
        i = j
      }
    }
    cells.fill(0, i * S, i * S + S)
    this.recs[i] = undefined
    this.count--
  }

  clear(): void {
    this.cells.fill(0)
    this.recs.fill(undefined)
    this.count = 0
  }

  /** Room for `n` more keys in one rehash (the initial sync's frontends). Same contents. */
  reserve(n: number): void {
    let size = this.mask + 1
    while ((this.count + n) * 2 > size) size *= 2
    if (size > this.mask + 1) this.rehash(size)
  }

  /** The empty cell where key (hi, lo), absent, goes. */
  private home(hi: number, lo: number): number {
    const cells = this.cells
    const mask = this.mask
    let i = hash4(lo, hi, 0, 0) & mask
    while (cells[i * S] !== 0) i = (i + 1) & mask
    return i
  }

  /** Cell `c`'s tag (with the plain bit set here when the value allows), fields and record. */
  private fill(c: number, tag: number, value: ServiceMaster | ServiceSlot): void {
    const o = c * S
    const cells = this.cells
    this.recs[c] = value
    if ('slotKeys' in value) {
      const { count, revNat, flags, affinityTimeout } = value
      const base = value.slotBase ?? 0
      if (
        (count | 0) === count &&
        (revNat | 0) === revNat &&
        (flags | 0) === flags &&
        (base | 0) === base &&
        (affinityTimeout & TIMEOUT_MASK) === affinityTimeout
      ) {
        cells[o] = tag | 1
        cells[o + 2] = count
        cells[o + 3] = revNat
        cells[o + 4] = flags
        cells[o + 5] = base
        cells[o + 6] = affinityTimeout | (value.filteredOut ? 2 ** 30 : 0)
        // (no slot copies for the value just written)
        cells.fill(0, o + EPOCH, o + S)
        return
      }
    }
    cells[o] = tag
    cells.fill(0, o + 2, o + S)
  }

  private rehash(n: number): void {
    const old = this.cells
    const oldRecs = this.recs
    const oldSize = this.mask + 1
    this.cells = lineAlignedInt32((n + 1) * S)
    this.recs = new Array(n + 1).fill(undefined)
    this.mask = n - 1
    for (let j = 0; j < oldSize; j++) {
      const o = j * S
      if (old[o] === 0) continue
      const c = this.home((old[o] >>> 1) - 1, old[o + 1])
      this.cells.set(old.subarray(o, o + S), c * S)
      this.recs[c] = oldRecs[j]
    }
  }
}
