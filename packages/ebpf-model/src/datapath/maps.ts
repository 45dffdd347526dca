import type { LbFrontend } from '../agent/services'
import type { IpcacheValue, LxcValue, ProgrammedBackend } from '../agent/sink'
import { CILIUM_MAP_LAYOUTS, type CiliumMapName } from '../cilium/layouts'
import { BpfArrayMap } from '../maps/arrayMap'
import { BpfDenseIdHashMap } from '../maps/denseIdHashMap'
import { type BpfHashMap, BpfU32HashMap } from '../maps/hashMap'
import { BpfHashOfMaps } from '../maps/hashOfMaps'
import { WIDE_MIN } from '../maps/intKeyIndex'
import { BpfLpmTrie } from '../maps/lpmTrie'
import { BpfLruHashMap } from '../maps/lruHashMap'
import type { OpCounts } from '../maps/opCounts'
import { BPF_ANY, type BpfMapBase, type BpfUpdateOrigin } from '../maps/types'
import { rememberBackendIp } from './addr'
import { AffinityTable } from './affinityTable'
import { CtTable } from './ctTable'
import { INLINE_SLOTS, isMasterKey, MasterIndex } from './masterIndex'

export { type CtTuple, type CtValue, ctKey } from './ctTable'

/**
 * The BPF maps of one node as the datapath reads them. Keys are numbers (or interned strings) so the hot
 * path does no allocation; values are records the agent writes. Layouts (key/value sizes, map types) come
 * from `cilium/layouts`; max_entries from the node's sizing.
 */

/** Master entry of cilium_lb4_services_v2 (slot 0) plus what the datapath needs to read its slots. */
export interface ServiceMaster {
  count: number
  revNat: number
  flags: number
  affinityTimeout: number
  /** the traffic policy filtered every usable backend out (drop, not reject) */
  filteredOut: boolean
  /**
   * keys of the slot entries 1..n: small negative integers the agent allocates (never a master key, which is
   * ≥ 0), so slot lookups and writes hash a small integer, not a string
   */
  slotKeys: number[]
  /**
   * −slotKeys[0] when the slot keys are one run (slotKeys[i] = slotKeys[0] − i, as the agent allocates a new
   * service's) covering slots 1..count, else 0: set by the services map when the master is written (a master
   * record is not changed after it is written, as the kernel copies an entry's value), so a first packet
   * finds its slot entry in the slot column without reading the slotKeys array (`lookupSlotOf`). A writer
   * that puts it in the record's literal keeps it on the record's own line (added later, V8 stores it
   * out of line).
   */
  slotBase?: number
  frontend: LbFrontend
}

export interface ServiceSlot {
  backendId: number
}

export interface SnatValue {
  toAddr: number
  toPort: number
  created: number
}

/** A cilium_lb4_affinity entry's value (`AffinityTable`). */
export interface AffinityValue {
  backendId: number
  lastUsed: number
}

export interface PolicyValue {
  deny: boolean
  prefixLen: number
}

export interface MapMaxima {
  lb: number
  policy: number
  ctTcp: number
  ctAny: number
  nat: number
  ipcache: number
  lxc: number
  affinity: number
}

/** lb4_key packed into a number: address(32) · port(16) · protocol index(2) · scope(1) = 51 bits. */
export function serviceKey(addr: number, port: number, proto: number, scope: number): number {
  const p = proto === 6 ? 0 : proto === 17 ? 1 : 2
  return ((addr * 65536 + port) * 4 + p) * 2 + scope
}

function spec(name: CiliumMapName, maxEntries: number) {
  const l = CILIUM_MAP_LAYOUTS[name]
  return {
    name: l.name,
    keySize: l.keySize,
    valueSize: l.valueSize,
    maxEntries,
    noPrealloc: l.prealloc !== 'always',
  }
}

/**
 * cilium_lb4_backends_v3; a backend written is also remembered with its address text for traces (`backendIp`).
 * The address and port of each backend id are also kept in one column (`addrPort`: address, port + 1 at 2·id;
 * port + 1 = 0: no entry there) so a lean first packet reads one element for what it needs of the backend
 * (`lookupAddrPortInto`) instead of the id's array element and then the record (two dependent misses at 100k
 * services). The column mirrors the map: written after a successful update, cleared on delete; ids beyond
 * its reach (farther than `COLUMN_SLACK` past its end) are answered from the map itself.
 */
class BackendsMap extends BpfDenseIdHashMap<number, ProgrammedBackend> {
  /**
   * address, port + 1 by 2·id: a typed column (8 bytes a backend, where a JS array of small integers takes 16
   * in this Node build and is visited by every full collection), doubled when an id passes its end, sized at
   * once by `reserve`
   */
  private addrPort: Uint32Array = new Uint32Array(2)
  /** the backend `lookupAddrPortInto` found last */
  foundAddr = 0
  foundPort = 0
  /** whether `lookupAddrPortInto` found it in the column (not in the map beyond the column's reach) */
  foundInColumn = false
  /**
   * Bumped whenever an id in the column loses its entry or has its address or port changed (delete, an
   * update of an id present with another address or port, clear): a copy of an id's column element made at
   * version v (the services map's slot copies, `ServicesMap.lookupSlotBackendInto`) still holds while the
   * version is v. A new id entered changes no copy (no copy of it can exist before it: one made while it
   * was absent is marked absent, and that is never taken).
   */
  addrVersion = 1

  override update(
    key: number,
    value: ProgrammedBackend,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    super.update(key, value, flags, counts, origin)
    rememberBackendIp(value)
    if (!inColumnReach(key, this.addrPort.length >> 1)) return
    if (2 * key >= this.addrPort.length)
      this.addrPort = grown(this.addrPort, Math.max(2 * key + 2, 2 * this.addrPort.length))
    const c = this.addrPort
    // a value the column cannot hold as it is (not a uint32 address or a port) is left to the record
    const fits = value.addr === value.addr >>> 0 && value.port === (value.port & 0xffff)
    const addr = fits ? value.addr : 0
    const port1 = fits ? value.port + 1 : 0
    if (c[2 * key + 1] !== 0 && (c[2 * key] !== addr || c[2 * key + 1] !== port1)) this.addrVersion++
    c[2 * key] = addr
    c[2 * key + 1] = port1
  }

  /**
   * `BpfDenseIdHashMap.reserve`, and the address/port column sized for ids below `ids` in one allocation (the
   * initial sync's million backends: not a copy of the column per growth). Same entries and answers.
   */
  override reserve(ids: number, wide = 0): void {
    super.reserve(ids, wide)
    if (2 * ids > this.addrPort.length) this.addrPort = grown(this.addrPort, 2 * ids)
  }

  override delete(key: number, counts?: Record<string, number>, origin: BpfUpdateOrigin = 'syscall'): void {
    super.delete(key, counts, origin)
    if (Number.isInteger(key) && key >= 0 && 2 * key < this.addrPort.length) {
      if (this.addrPort[2 * key + 1] !== 0) this.addrVersion++
      this.addrPort[2 * key] = 0
      this.addrPort[2 * key + 1] = 0
    }
  }

  override clear(): void {
    super.clear()
    this.addrPort.fill(0)
    this.addrVersion++
  }

  /**
   * Copies id's column element into `out` at `o` (address, port + 1; 0, 0 when the column holds no entry for
   * it, or the id is beyond the column), uncounted: what a copy made at `addrVersion` holds.
   */
  copyAddrPort(id: number, out: Uint32Array, o: number): void {
    const c = this.addrPort
    const i = 2 * id
    const inside = id >= 0 && i < c.length
    out[o] = inside ? c[i] : 0
    out[o + 1] = inside ? c[i + 1] : 0
  }

  /** A lookup of a backend answered from a valid copy of its column element: counted as the hit it is. */
  foundFromCopy(addr: number, port: number, ops: OpCounts): void {
    this.countReadInto(ops, true)
    this.foundAddr = addr
    this.foundPort = port
  }

  /**
   * `lookupInto(id, ops)` answering only whether the backend is there, its address and port left in
   * `foundAddr`/`foundPort`: the same lookup, counted the same (hit or miss).
   */
  lookupAddrPortInto(id: number, ops: OpCounts): boolean {
    const c = this.addrPort
    const i = 2 * id
    if (id >= 0 && i < c.length) {
      const port = c[i + 1] - 1
      if (port >= 0) {
        this.countReadInto(ops, true)
        this.foundAddr = c[i]
        this.foundPort = port
        this.foundInColumn = true
        return true
      }
    }
    // not in the column: absent, or an id beyond its reach (the map's own lookup)
    this.foundInColumn = false
    const b = this.lookupInto(id, ops)
    if (b === undefined) return false
    this.foundAddr = b.addr
    this.foundPort = b.port
    return true
  }
}

/** How far past a column's end an id may land and still extend it (as the dense-id map's arrays). */
const COLUMN_SLACK = 4096

/** A copy of `column` zero-filled to `n` elements. */
function grown(column: Uint32Array, n: number): Uint32Array {
  const out = new Uint32Array(n)
  out.set(column)
  return out
}

/** `column` itself when it holds `n` elements, else a copy of it zero-filled to `n` (one allocation). */
function reserved(column: number[], n: number): number[] {
  if (n <= column.length) return column
  const out = new Array<number>(n).fill(0)
  for (let i = 0; i < column.length; i++) out[i] = column[i]
  return out
}

function inColumnReach(id: number, length: number): boolean {
  return (id | 0) === id && id >= 0 && id <= length + COLUMN_SLACK
}

/**
 * cilium_lb4_services_v2. Slot entries (keys: small negative integers the agent allocates, `ServiceMaster.slotKeys`)
 * hold one value, a backend id: they live in two columns of small integers indexed by −key — backend id + 1
 * (0: no entry) and the entry's insertion sequence — instead of a `ServiceSlot` record each in the dense-id
 * map's arrays (the initial sync of 100k services × 10 endpoints writes 1.1M slots: a million small records the
 * GC copied and marked). `lookupSlotInto`, the random selection's slot lookup, reads one element;
 * `peek`/`lookupInto`/`entries` of a slot key make its `{ backendId }` record when asked. Same errors, counts,
 * sizes and insertion order as a hash map (property test in maps.test.ts). Masters (wide keys), and slot keys
 * beyond the columns' reach, stay in the dense-id map.
 */
class ServicesMap extends BpfDenseIdHashMap<number | string, ServiceMaster | ServiceSlot> {
  /**
   * backend id + 1 by −slot key; 0 = no slot entry. Plain arrays of small integers grown one element at a
   * time (slot keys are allocated lowest-free-first): on the JS heap, where doubling typed arrays added
   * external memory that, with the CT tables and the ipcache trie, made V8 start a second full collection
   * inside the 100k-service build.
   */
  private slotBackend: number[] = [0]
  /** insertion sequence by −slot key (the dense-id map's numbering, for `entries` order) */
  private slotSeq: number[] = [0]
  private slots = 0
  /**
   * per slot, `COPY` words by COPY·(−slot key): a copy of its backend's element of the backends map's column
   * (address, port + 1; port + 1 = 0: the backend was absent when copied) and the backends map's
   * `addrVersion` then; a copy of the ipcache's answer for that address (its number + 2, 0: no copy; prefix
   * length + 1) and the ipcache's `version` then; and the slot's own `slotBackend` element (backend id + 1,
   * 0: no slot entry), kept equal to it. Random selection reads the slot's backend id, then that id's address
   * and port, then the ipcache entry of the address (egress policy's destination identity): three dependent
   * cache misses at 100k services. With the record the lookup reads one line (`lookupSlotBackendInto`), and a
   * valid identity copy stands for the ipcache's probes (`identityOf`). Made on the first
   * `lookupSlotBackendInto` (`copiesMade`), as the masters' index is, then written with each slot entry,
   * zeroed by its delete and by clear; a copy found stale (a version moved) is made anew by the lookup that
   * found it. (Made during the initial sync instead, its 36 MB at 100k services × 10 outside V8's heap cost
   * the build a full collection more: 2.2 -> 3.0-3.5 s.)
   */
  private slotCopy: Uint32Array = new Uint32Array(0)
  private copiesMade = false
  /** the node's backends map and ipcache, once `linkCopies` named them: the sources of the slot copies */
  private backendsMap: BackendsMap | null = null
  private ipcacheMap: BpfLpmTrie<IpcacheValue> | null = null
  /**
   * Of the last `lookupSlotBackendInto`: the slot (−key) whose copy it read (0: none), whether that copy holds
   * the ipcache's answer for the backend's address now, and the answer (the number, −1 a miss; the prefix
   * length)
   */
  foundSlot = 0
  /** the backend address that record holds (what `ipcacheCopyFor` checks its caller's address against) */
  private foundSlotAddr = 0
  /** whether the last `lookupSlotBackendAt` took the copy in the master's cell (for tests) */
  foundInCell = false
  foundIpcacheValid = false
  foundIpcacheNum = -1
  foundIpcachePrefixLen = -1
  /**
   * insertion sequence of keys that moved out of the columns (another value written at a slot key), which
   * the dense-id map numbered anew (`entries` order)
   */
  private readonly movedSeq = new Map<number, number>()
  /**
   * the entries at non-negative integer keys (the masters) again, with their hot fields in place (`lookupMaster`);
   * made from the map on the first lookup (`mastersMade`), kept in step with every write after it: the agent's
   * initial sync writes its 100k-service masters without it
   */
  private readonly masters = new MasterIndex()
  private mastersMade = false
  /**
   * Bumped by every write of an entry that is not a master (slot entries, keys moved out of the columns,
   * clear): with the backends map's `addrVersion` and the ipcache's `version` (all three only grow), the
   * epoch the slot copies in the masters' cells are taken at (`slotEpoch`)
   */
  private slotVersion = 0
  /** whether the masters' cells were given their slot copies (`makeCellCopies`, on the first `lookupSlotBackendAt`) */
  private cellCopiesMade = false

  override get size(): number {
    return super.size + this.slots
  }

  override update(
    key: number | string,
    value: ServiceMaster | ServiceSlot,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    if ('slotKeys' in value) value.slotBase = runBase(value)
    if (isColumnSlot(key) && 'backendId' in value && super.find(key) === undefined) {
      this.updateSlot(key, value.backendId, flags, counts, origin)
      return
    }
    if (!isMasterKey(key)) this.slotVersion++
    if (isColumnSlot(key)) {
      // not a slot value (no caller writes one at a slot key): the key moves out of the columns, keeping
      // its place in the insertion order as a hash map's updated key does
      if (this.inColumn(key)) {
        this.checkFlags(flags)
        this.checkExists(flags, true, key)
        const seq = this.slotSeq[-key]
        this.dropSlot(-key)
        super.update(key, value, flags, counts, origin)
        this.movedSeq.set(key, seq)
        return
      }
    }
    super.update(key, value, flags, counts, origin)
    if (this.mastersMade && isMasterKey(key)) this.masters.set(key, value)
  }

  /** `BpfDenseIdHashMap.reserve`, and room for `wide` more masters in their hot-field index once it is made. */
  override reserve(ids: number, wide = 0): void {
    super.reserve(ids, wide)
    if (this.mastersMade) this.masters.reserve(wide)
  }

  /**
   * Room in the slot columns for slot keys −1 .. −`n` in one allocation per column (the initial sync's 1.1M
   * slots at 100k services × 10 endpoints: not a copy per growth). Same entries and answers.
   */
  reserveSlots(n: number): void {
    const len = Math.min(n, SLOT_MIRROR_MAX - 1) + 1
    this.slotBackend = reserved(this.slotBackend, len)
    this.slotSeq = reserved(this.slotSeq, len)
    this.growCopies()
  }

  /**
   * The backends map and ipcache whose answers each slot entry keeps a copy of (`NodeMaps` links its own).
   */
  linkCopies(backends: BackendsMap, ipcache: BpfLpmTrie<IpcacheValue>): void {
    this.backendsMap = backends
    this.ipcacheMap = ipcache
  }

  /** Every slot's copies, made now (`copiesMade`). */
  private makeCopies(): void {
    this.copiesMade = true
    this.slotCopy = new Uint32Array(COPY * this.slotBackend.length)
    for (let i = 1; i < this.slotBackend.length; i++) if (this.slotBackend[i] !== 0) this.copySlotBackend(i)
  }

  /** Room in the copies for every slot the columns hold (after they grew), a quarter more at least. */
  private growCopies(): void {
    if (this.copiesMade && COPY * this.slotBackend.length > this.slotCopy.length)
      this.slotCopy = grown(
        this.slotCopy,
        Math.max(COPY * this.slotBackend.length, COPY * Math.ceil((1.25 * this.slotCopy.length) / COPY)),
      )
  }

  /** Slot `i`'s copies of its backend's address and port and of the ipcache's answer for it, made now. */
  private copySlotBackend(i: number): void {
    const b = this.backendsMap
    const id = this.slotBackend[i] - 1
    const o = COPY * i
    const copy = this.slotCopy
    if (b === null || o >= copy.length) return
    copy[o + 6] = id + 1
    if (id < 0) {
      copy[o + 1] = 0
      return
    }
    b.copyAddrPort(id, copy, o)
    copy[o + 2] = b.addrVersion
    const ipcache = this.ipcacheMap as BpfLpmTrie<IpcacheValue>
    const num = copy[o + 1] === 0 ? -2 : ipcache.peekNumWords(copy[o], 0)
    this.copyIpcache(o, num, ipcache.peekedPrefixLen)
  }

  /** The ipcache answer in the copy at `o`: its number (−1 a miss; −2 or less: no copy) and prefix length. */
  private copyIpcache(o: number, num: number, prefixLen: number): void {
    const copy = this.slotCopy
    const ipcache = this.ipcacheMap as BpfLpmTrie<IpcacheValue>
    // (a number the copy cannot hold as it is is left to the lookup)
    const fits = num >= -1 && num < 2 ** 31
    copy[o + 3] = fits ? num + 2 : 0
    copy[o + 4] = prefixLen + 1
    copy[o + 5] = ipcache.version
  }

  /**
   * Whether the last `lookupSlotBackendInto` read slot `slot`'s record, whose backend address is `addr`, and found
   * the ipcache's answer for it there valid (`foundIpcacheNum`, `foundIpcachePrefixLen`).
   */
  ipcacheCopyFor(slot: number, addr: number): boolean {
    return slot === this.foundSlot && this.foundIpcacheValid && this.foundSlotAddr === addr >>> 0
  }

  /**
   * What the ipcache answered for the address of the backend in slot `slot` (`foundSlot`): kept in the
   * slot's copy (its address checked, the ipcache's version now), for the next packets to it.
   */
  refreshIpcacheCopy(slot: number, addr: number, num: number, prefixLen: number): void {
    const o = COPY * slot
    if (slot <= 0 || o >= this.slotCopy.length || this.slotCopy[o] !== addr >>> 0) return
    this.copyIpcache(o, num, prefixLen)
  }

  /** `update` of slot key `key` (a negative integer) with `{ backendId }`, without the record. */
  updateSlot(
    key: number,
    backendId: number,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    if (!isColumnSlot(key) || super.find(key) !== undefined) {
      this.update(key, { backendId }, flags, counts, origin)
      return
    }
    this.checkFlags(flags)
    const i = -key
    const exists = i < this.slotBackend.length && this.slotBackend[i] !== 0
    this.checkExists(flags, exists, key)
    if (!exists && this.size >= this.spec.maxEntries)
      this.fail('E2BIG', `map full (${this.spec.maxEntries} entries)`)
    if (i >= this.slotBackend.length) this.growSlots(i)
    this.slotBackend[i] = backendId + 1
    this.slotVersion++
    if (this.copiesMade) this.copySlotBackend(i)
    if (!exists) {
      this.slotSeq[i] = ++this.seq
      this.slots++
    }
    this.counters.updates++
    this.countWrite(counts, origin, false)
  }

  override delete(
    key: number | string,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    if (!isMasterKey(key)) this.slotVersion++
    if (!this.inColumn(key)) {
      super.delete(key, counts, origin)
      if (this.movedSeq.size > 0 && typeof key === 'number') this.movedSeq.delete(key)
      if (this.mastersMade && isMasterKey(key)) this.masters.delete(key)
      return
    }
    this.dropSlot(-key)
    this.counters.deletes++
    this.countWrite(counts, origin, true)
  }

  override clear(): void {
    super.clear()
    this.slotBackend.fill(0)
    this.slotCopy.fill(0)
    this.slotSeq.fill(0)
    this.slots = 0
    this.slotVersion++
    this.movedSeq.clear()
    this.masters.clear()
  }

  /**
   * `lookupInto(key, ops)` of a master key (`serviceKey`) answering the entry's cell in the masters' hot-field
   * index (`MasterIndex`: `masterPlain`, `masterCount`, … and `masterAt` for the record), or −1 when absent:
   * the same lookup, counted the same. A key the index cannot hold is looked up in the map and answered in the
   * index's scratch cell (valid until the next lookup).
   */
  lookupMaster(key: number, ops: OpCounts): number {
    const masters = this.masters
    if (isMasterKey(key)) {
      if (!this.mastersMade) this.makeMasters()
      const c = masters.find(key)
      this.countReadInto(ops, c >= 0)
      return c
    }
    const v = this.lookupInto(key, ops)
    return v === undefined ? -1 : masters.scratch(v)
  }

  /**
   * The cell `lookupMaster(key)` would answer, found without counting or changing anything, or −1: absent, a key
   * the index cannot hold, or the index not made yet (the first `lookupMaster` makes it). With
   * `countMasterHit`, the lookup split in two, so a caller can look before it commits to counting.
   */
  peekMaster(key: number): number {
    return this.mastersMade && isMasterKey(key) ? this.masters.find(key) : -1
  }

  /** The count `lookupMaster` makes for a key it finds (after `peekMaster` found it). */
  countMasterHit(ops: OpCounts): void {
    this.countReadInto(ops, true)
  }

  /** Enters every entry at a `MasterIndex` key in the index: the dense-id map's wide keys, dense ids and Map keys. */
  private makeMasters(): void {
    const masters = this.masters
    const cells = this.wideCells
    const dense = this.denseValues
    // counted first: room for exactly these in one step
    let n = this.table.size
    for (let o = 2; o < cells.length; o += 3) if (cells[o] !== undefined) n++
    for (let k = 0; k < dense.length; k++) if (dense[k] !== undefined) n++
    masters.reserve(n)
    for (let o = 0; o < cells.length; o += 3) {
      const v = cells[o + 2] as ServiceMaster | ServiceSlot | undefined
      if (v !== undefined) masters.set((cells[o + 1] as number) * WIDE_MIN + (cells[o] as number), v)
    }
    for (let k = 0; k < dense.length; k++) {
      const v = dense[k]
      if (v !== undefined) masters.set(k, v)
    }
    for (const [k, v] of this.table) if (isMasterKey(k)) masters.set(k, v)
    this.mastersMade = true
  }

  /**
   * For a batch's prefetch: the master cell `lookupMaster(key)` reads first, or −1 (the index not made yet, or a
   * key it cannot hold). No change, nothing counted.
   */
  masterHomeCell(key: number): number {
    return this.mastersMade && isMasterKey(key) ? this.masters.homeCell(key) : -1
  }

  /** The master cell a probe reads after cell `c` (for a batch's prefetch). No change, nothing counted. */
  masterCellAfter(c: number): number {
    return this.masters.after(c)
  }

  /** Whether master cell `c` holds `key` with its fields in place (`masterPlain`). No change, nothing counted. */
  masterHoldsPlain(c: number, key: number): boolean {
    return this.masters.holdsPlain(c, key)
  }

  /**
   * For a batch's prefetch: the backend id + 1 slot `i`'s record holds (0: none, or no record made), read
   * uncounted, so its line is in the caches when the slot's lookup comes.
   */
  slotRecordId(i: number): number {
    const o = COPY * i + 6
    return i > 0 && o < this.slotCopy.length ? this.slotCopy[o] : 0
  }

  /**
   * Bytes of what a lean first packet reads at random here: the master index's cells and the slot records
   * (0 before the first lookup made them). A batch's prefetch pays once they outgrow the caches
   * (`Datapath.classifyTuples`).
   */
  get hotBytes(): number {
    return (this.mastersMade ? this.masters.cellBytes : 0) + this.slotCopy.byteLength
  }

  /** The value in master cell `c` (`lookupMaster`), not counted. */
  masterAt(c: number): ServiceMaster {
    return this.masters.record(c) as ServiceMaster
  }

  /** The fields of master cell `c` are in the cell (`MasterIndex.plain`): else read `masterAt(c)`. */
  masterPlain(c: number): boolean {
    return this.masters.plain(c)
  }

  /** `masterAt(c).flags` (as an int32) */
  masterFlags(c: number): number {
    return this.masters.plain(c) ? this.masters.flags(c) : this.masterAt(c).flags | 0
  }

  /** `masterAt(c).count`, for a plain cell */
  masterCount(c: number): number {
    return this.masters.backendCount(c)
  }

  /** `masterAt(c).revNat` */
  masterRevNat(c: number): number {
    return this.masters.plain(c) ? this.masters.revNat(c) : this.masterAt(c).revNat
  }

  /** `masterAt(c).affinityTimeout`, for a plain cell */
  masterAffinityTimeout(c: number): number {
    return this.masters.affinityTimeout(c)
  }

  /** `masterAt(c).filteredOut`, for a plain cell */
  masterFilteredOut(c: number): boolean {
    return this.masters.filteredOut(c)
  }

  /** The epoch of the slot copies in master cell `c` (0: none; taken while it is `slotEpoch()`), uncounted. */
  masterCopiesEpoch(c: number): number {
    return this.masters.epoch(c)
  }

  /** `masterAt(c).slotBase` (0 when unset), for a plain cell */
  masterSlotBase(c: number): number {
    return this.masters.slotBase(c)
  }

  /** `lookupInto` of a slot key answering its backend id (−1 when absent): the same lookup, counted the same. */
  lookupSlotInto(key: number, ops: OpCounts): number {
    const i = -key
    if (i > 0 && i < this.slotBackend.length) {
      const id = this.slotBackend[i] - 1
      if (id >= 0) {
        this.countReadInto(ops, true)
        return id
      }
    }
    // absent from the columns: a miss, or a key the dense-id map holds (beyond the columns, or a slot key
    // that held another value first)
    const s = this.lookupInto(key, ops)
    return s && 'backendId' in s ? s.backendId : -1
  }

  /**
   * `lookupSlotInto(key, ops)` and then, when it found an id, the backends map's `lookupAddrPortInto(id, ops)`:
   * the same two lookups counted the same, in that order; answers the id when both hit (the backend's address
   * and port in the backends map's `foundAddr` / `foundPort`), else −1. The address and port come from the
   * slot's copy when it is valid (`slotCopy`), so the backend read does not wait for the slot read; a stale
   * copy is refreshed from the lookup. `slotRead` false: the slot is not looked up (`peekSlot`, uncounted),
   * only its backend: the backend lookup of an id known to be in that slot (session affinity's kept backend).
   */
  lookupSlotBackendInto(key: number, ops: OpCounts, slotRead = true): number {
    if (!this.copiesMade) this.makeCopies()
    const b = this.backendsMap as BackendsMap
    const i = -key
    this.foundSlot = 0
    this.foundIpcacheValid = false
    const o = COPY * i
    const copy = this.slotCopy
    if (i > 0 && o < copy.length) {
      // (the slot's backend id from its record too: `slotBackend[i]`, without a second line to wait for)
      const id = copy[o + 6] - 1
      if (id >= 0) {
        if (slotRead) this.countReadInto(ops, true)
        const port1 = copy[o + 1]
        if (port1 !== 0 && copy[o + 2] === b.addrVersion) {
          b.foundFromCopy(copy[o], port1 - 1, ops)
        } else {
          if (!b.lookupAddrPortInto(id, ops)) return -1
          if (!b.foundInColumn) return id
          this.copySlotBackend(i)
        }
        this.foundSlot = i
        this.foundSlotAddr = copy[o]
        const num2 = copy[o + 3]
        if (num2 !== 0 && copy[o + 5] === (this.ipcacheMap as BpfLpmTrie<IpcacheValue>).version) {
          this.foundIpcacheValid = true
          this.foundIpcacheNum = num2 - 2
          this.foundIpcachePrefixLen = copy[o + 4] - 1
        }
        return id
      }
    }
    const id = slotRead ? this.lookupSlotInto(key, ops) : this.peekSlot(key)
    return id >= 0 && b.lookupAddrPortInto(id, ops) ? id : -1
  }

  /**
   * `lookupSlotBackendInto(−slot, ops)` for a slot of the plain master in cell `c` (slotBase ≤ slot <
   * slotBase + count): the same lookups, counted the same, the same answers and `found…` fields. A master with
   * at most `INLINE_SLOTS` slots keeps copies of their records in its cell (`MasterIndex`), taken while the
   * epoch they were made at is the map's (`slotEpoch`: no slot entry, backend address or ipcache entry
   * written since), so the slot's record is not read; else the record is, and the cell's copies made anew.
   */
  lookupSlotBackendAt(c: number, slot: number, ops: OpCounts): number {
    if (!this.cellCopiesMade) this.makeCellCopies()
    const masters = this.masters
    const k = slot - masters.slotBase(c)
    const epoch = masters.epoch(c)
    if (k < INLINE_SLOTS && epoch !== 0 && epoch === this.slotEpoch()) {
      const id1 = masters.slotCopyWord(c, k, 3)
      if (id1 !== 0) {
        this.countReadInto(ops, true)
        const addr = masters.slotCopyWord(c, k, 0) >>> 0
        const portWord = masters.slotCopyWord(c, k, 1)
        ;(this.backendsMap as BackendsMap).foundFromCopy(addr, (portWord & PORT_MASK) - 1, ops)
        this.foundSlot = slot
        this.foundSlotAddr = addr
        this.foundInCell = true
        this.foundIpcacheValid = true
        this.foundIpcacheNum = masters.slotCopyWord(c, k, 2) - 2
        this.foundIpcachePrefixLen = (portWord >>> 17) - 1
        return id1 - 1
      }
    }
    this.foundInCell = false
    const id = this.lookupSlotBackendInto(-slot, ops)
    this.copyRunToCell(c)
    return id
  }

  /**
   * The epoch of the slot copies in the masters' cells now: 0 before the backends map and ipcache are linked
   * (no copy taken). The sum of three counters that only grow is the same only while none moved. (A sum
   * that wrapped round 2^32 writes to meet an epoch of its own is not guarded against.)
   */
  slotEpoch(): number {
    const b = this.backendsMap
    const ipcache = this.ipcacheMap
    if (b === null || ipcache === null) return 0
    return (b.addrVersion + ipcache.version + this.slotVersion) | 0 || 1
  }

  /**
   * Copies, into plain master cell `c`, the records of its slots when it has one to `INLINE_SLOTS` of them in
   * a run, each record made anew first if it is stale (`copySlotBackend`: uncounted, storage only), and
   * every one then holds its backend's address and port and the ipcache's answer for it (a slot without an
   * entry in the columns, a backend absent or beyond the column, an answer the copy cannot hold: the cell
   * is left without copies, and the record path answers).
   */
  private copyRunToCell(c: number, epoch = this.slotEpoch()): void {
    const masters = this.masters
    if (epoch === 0 || c >= masters.cellCount || !masters.plain(c) || masters.epoch(c) === epoch) return
    masters.setEpoch(c, 0)
    const count = masters.backendCount(c)
    const base = masters.slotBase(c)
    if (count < 1 || count > INLINE_SLOTS || base <= 0) return
    const copy = this.slotCopy
    for (let k = 0; k < count; k++) {
      const i = base + k
      const o = COPY * i
      if (o >= copy.length || i >= this.slotBackend.length || this.slotBackend[i] === 0) return
      // (made anew, a record is fresh: the versions now)
      if (!this.recordFresh(o)) this.copySlotBackend(i)
      const id1 = copy[o + 6]
      const port1 = copy[o + 1]
      const num2 = copy[o + 3]
      if (id1 > 2 ** 31 - 1 || port1 === 0 || num2 === 0 || num2 > 2 ** 31 - 1) return
      masters.setSlotCopy(c, k, copy[o] | 0, port1 | (copy[o + 4] << 17), num2, id1)
    }
    masters.setEpoch(c, epoch)
  }

  /**
   * The slot record at `o` holds copies made at the backends map's and the ipcache's versions now (its
   * backend id is its slot entry's always: `slotCopy`).
   */
  private recordFresh(o: number): boolean {
    const copy = this.slotCopy
    return (
      copy[o + 2] === (this.backendsMap as BackendsMap).addrVersion &&
      copy[o + 5] === (this.ipcacheMap as BpfLpmTrie<IpcacheValue>).version
    )
  }

  /** Every plain master cell's slot copies, made now (`copyRunToCell`), and the slot records first. */
  private makeCellCopies(): void {
    this.cellCopiesMade = true
    if (!this.copiesMade) this.makeCopies()
    const masters = this.masters
    const epoch = this.slotEpoch()
    for (let c = 0; c < masters.cellCount; c++) if (masters.plain(c)) this.copyRunToCell(c, epoch)
  }

  /**
   * The slot of the run base..base+count−1 (`masterSlotBase`) holding backend `id` (`peekSlot`, uncounted), or
   * 0: `hasSlotFor` of a master whose slot keys are that run.
   */
  slotRunHolding(base: number, count: number, id: number): number {
    for (let i = base; i < base + count; i++) if (this.peekSlot(-i) === id) return i
    return 0
  }

  /** `peek` of slot key `key` answering its backend id (−1: absent, or not a slot value), without a record. */
  peekSlot(key: number): number {
    const i = -key
    if (i > 0 && i < this.slotBackend.length && (i | 0) === i) {
      const b = this.slotBackend[i]
      if (b !== 0) return b - 1
    }
    const s = super.find(key)
    return s !== undefined && 'backendId' in s ? s.backendId : -1
  }

  /**
   * `lookupSlotInto(m.slotKeys[slot − 1], ops)` for a slot 1..m.count of master `m` as it was written: the same
   * lookup, counted the same. When the master's slot keys are one run (`slotBase`) its slot entry is read
   * from the column directly, without the slotKeys array (two dependent reads fewer per first packet): in a
   * run, slotKeys[slot − 1] is −(slotBase + slot − 1) (runBase).
   */
  lookupSlotOf(m: ServiceMaster, slot: number, ops: OpCounts): number {
    const base = m.slotBase
    return this.lookupSlotInto(
      base !== undefined && base > 0 ? -(base + slot - 1) : m.slotKeys[slot - 1],
      ops,
    )
  }

  protected override find(key: number | string): ServiceMaster | ServiceSlot | undefined {
    if (typeof key === 'number' && key < 0) {
      const i = -key
      if (i < this.slotBackend.length && (i | 0) === i) {
        const b = this.slotBackend[i]
        if (b !== 0) return { backendId: b - 1 }
      }
    }
    return super.find(key)
  }

  protected override gatherMore(items: Array<[number, number | string, ServiceMaster | ServiceSlot]>): void {
    const col = this.slotBackend
    for (let i = 1; i < col.length; i++)
      if (col[i] !== 0) items.push([this.slotSeq[i], -i, { backendId: col[i] - 1 }])
    if (this.movedSeq.size > 0)
      for (const it of items) {
        const s = typeof it[1] === 'number' ? this.movedSeq.get(it[1]) : undefined
        if (s !== undefined) it[0] = s
      }
  }

  private inColumn(key: number | string): boolean {
    return isColumnSlot(key) && -key < this.slotBackend.length && this.slotBackend[-key] !== 0
  }

  private dropSlot(i: number): void {
    this.slotBackend[i] = 0
    if (COPY * i < this.slotCopy.length) this.slotCopy[COPY * i + 6] = 0
    this.slotSeq[i] = 0
    this.slots--
  }

  private growSlots(i: number): void {
    // pushed, never written past the end: the arrays stay packed small-integer arrays
    while (this.slotBackend.length <= i) {
      this.slotBackend.push(0)
      this.slotSeq.push(0)
    }
    this.growCopies()
  }
}

/**
 * `ServiceMaster.slotBase` of a master: −slotKeys[0] when its slot keys are column keys in one run
 * (slotKeys[i] = slotKeys[0] − i) with a key for every selectable slot (count ≤ slotKeys.length), else 0.
 */
function runBase(m: ServiceMaster): number {
  const keys = m.slotKeys
  const n = keys.length
  if (n === 0 || m.count > n) return 0
  const first = keys[0]
  if (!isColumnSlot(first) || !isColumnSlot(first - (n - 1))) return 0
  for (let i = 1; i < n; i++) if (keys[i] !== first - i) return 0
  return -first
}

/** Words of a slot's copies (`ServicesMap.slotCopy`): 32 bytes, of which a lookup reads the first 28. */
const COPY = 8
/** The port + 1 bits of a slot copy's port word in a master's cell (`MasterIndex`); the prefix length + 1 above. */
const PORT_MASK = 2 ** 17 - 1

/** Slot keys mirrored up to this magnitude (the agent allocates them densely from −1 down). */
const SLOT_MIRROR_MAX = 1 << 24

/** A slot key kept in the columns: a negative integer of magnitude below SLOT_MIRROR_MAX. */
function isColumnSlot(key: number | string): key is number {
  return typeof key === 'number' && key < 0 && key > -SLOT_MIRROR_MAX && (key | 0) === key
}

export type { BackendsMap, ServicesMap }

export class NodeMaps {
  readonly services: ServicesMap
  readonly backends: BackendsMap
  readonly revNat: BpfHashMap<number, { addr: number; port: number }>
  readonly sourceRange: BpfLpmTrie<true>
  readonly affinity: AffinityTable
  readonly maglev: BpfHashOfMaps<number, BpfArrayMap<Uint32Array>>
  readonly ipcache: BpfLpmTrie<IpcacheValue>
  readonly lxc: BpfHashMap<number, LxcValue>
  readonly ct: CtTable
  readonly ctAny: CtTable
  readonly snat: BpfLruHashMap<string, SnatValue>
  /** cilium_policy_NNNNN by endpoint ID */
  readonly policy = new PolicyMaps()
  /** frontends the agent could not program (services map full), by service key */
  readonly unprogrammed = new Set<number>()

  constructor(
    readonly max: MapMaxima,
    readonly maglevTableSize: number,
  ) {
    this.services = new ServicesMap(spec('cilium_lb4_services_v2', max.lb))
    this.backends = new BackendsMap(spec('cilium_lb4_backends_v3', max.lb))
    this.ipcache = new BpfLpmTrie({
      ...spec('cilium_ipcache', max.ipcache),
      maxPrefixLen: 32,
      numeric: ipcacheNum,
    })
    this.services.linkCopies(this.backends, this.ipcache)
    this.revNat = new BpfDenseIdHashMap(spec('cilium_lb4_reverse_nat', max.lb))
    this.sourceRange = new BpfLpmTrie({ ...spec('cilium_lb4_source_range', max.lb), maxPrefixLen: 64 })
    this.affinity = new AffinityTable(spec('cilium_lb4_affinity', max.affinity))
    this.maglev = new BpfHashOfMaps({ ...spec('cilium_lb4_maglev', max.lb) })
    this.lxc = new BpfU32HashMap(spec('cilium_lxc', max.lxc))
    this.ct = new CtTable(spec('cilium_ct4_global', max.ctTcp))
    this.ctAny = new CtTable(spec('cilium_ct_any4_global', max.ctAny))
    this.snat = new BpfLruHashMap(spec('cilium_snat_v4_external', max.nat))
  }

  newPolicyMap(): BpfLpmTrie<PolicyValue> {
    // the kernel object name is truncated to 15 characters: every policy map shows as cilium_policy_
    return new BpfLpmTrie({
      ...spec('cilium_policy', this.max.policy),
      name: 'cilium_policy_',
      maxPrefixLen: 64,
      numeric: policyNum,
    })
  }

  newMaglevInner(): BpfArrayMap<Uint32Array> {
    return new BpfArrayMap(
      { name: 'cilium_lb4_magl', keySize: 4, valueSize: 4 * this.maglevTableSize, maxEntries: 1 },
      new Uint32Array(0),
    )
  }

  /** Every map with its name as `cilium map list` shows it (policy maps one per endpoint). */
  all(): Array<{ name: string; map: BpfMapBase }> {
    const out: Array<{ name: string; map: BpfMapBase }> = [
      { name: 'cilium_lb4_services_v2', map: this.services },
      { name: 'cilium_lb4_backends_v3', map: this.backends },
      { name: 'cilium_lb4_reverse_nat', map: this.revNat },
      { name: 'cilium_lb4_source_range', map: this.sourceRange },
      { name: 'cilium_lb4_affinity', map: this.affinity },
      { name: 'cilium_lb4_maglev', map: this.maglev },
      { name: 'cilium_ipcache', map: this.ipcache },
      { name: 'cilium_lxc', map: this.lxc },
      { name: 'cilium_ct4_global', map: this.ct },
      { name: 'cilium_ct_any4_global', map: this.ctAny },
      { name: 'cilium_snat_v4_external', map: this.snat },
    ]
    for (const [id, m] of [...this.policy].sort((a, b) => a[0] - b[0]))
      out.push({ name: `cilium_policy_${String(id).padStart(5, '0')}`, map: m })
    return out
  }
}

/**
 * The per-endpoint policy maps by endpoint ID: a Map, with the maps of IDs below 2^16 (every endpoint ID
 * Cilium allocates) also in a dense array, read by `byId`. In the kernel an endpoint's program has its
 * policy map built in (bpf_lxc is compiled per endpoint): finding it is no lookup, and in the model it is an
 * array read rather than a hash of the ID.
 */
export class PolicyMaps extends Map<number, BpfLpmTrie<PolicyValue>> {
  private dense: Array<BpfLpmTrie<PolicyValue> | undefined> = []

  override set(id: number, trie: BpfLpmTrie<PolicyValue>): this {
    super.set(id, trie)
    // (Map's constructor adds its initial entries through set, before the field is assigned)
    if (this.dense !== undefined && isDenseId(id)) {
      while (this.dense.length <= id) this.dense.push(undefined)
      this.dense[id] = trie
    }
    return this
  }

  override delete(id: number): boolean {
    if (isDenseId(id) && id < this.dense.length) this.dense[id] = undefined
    return super.delete(id)
  }

  override clear(): void {
    this.dense = []
    super.clear()
  }

  /** `get(id)` */
  byId(id: number): BpfLpmTrie<PolicyValue> | undefined {
    return id >= 0 && id < this.dense.length ? this.dense[id] : isDenseId(id) ? undefined : this.get(id)
  }
}

function isDenseId(id: number): boolean {
  return (id & 0xffff) === id
}

/** An ipcache entry as the number its trie keeps beside it (`lookupNumInto`): the identity. */
export function ipcacheNum(v: IpcacheValue): number {
  return v.identity
}

/** A policy entry as the number its trie keeps beside it (`lookupNumInto`): prefix length · deny bit. */
export function policyNum(v: PolicyValue): number {
  return v.prefixLen * 2 + (v.deny ? 1 : 0)
}

/** LPM data words of a policy key: sec_label, then egress · protocol · dport. */
export function policyKeyWords(
  identity: number,
  egress: number,
  proto: number,
  port: number,
  out: number[],
): number[] {
  out[0] = identity >>> 0
  out[1] = policyKeyWord1(egress, proto, port)
  return out
}

/** Word 1 of a policy key's data (`policyKeyWords`): egress · protocol · dport. */
export function policyKeyWord1(egress: number, proto: number, port: number): number {
  return ((egress << 24) | (proto << 16) | port) >>> 0
}
