import type { Trace } from '@dataplane-sim/cluster'
import { SCOPE_EXT } from '../agent/services'
import type { ProgrammedBackend } from '../agent/sink'
import { maglevFlowHash } from '../maglev/flowHash'
import { decodeMaglevSeed } from '../maglev/seed'
import { WIDE_MIN } from '../maps/intKeyIndex'
import { ctMapOf } from './ctOps'
import { portsWord } from './ctTable'
import { type ServiceMaster, serviceKey } from './maps'
import type { DatapathState } from './state'

/**
 * A batch of packets for `Datapath.classifyTuples`: packet i is (proto[i], saddr[i], sport[i], daddr[i],
 * dport[i]) with TCP header bits tcpFlags[i] (−1: the packet names none; no column: −1 for every packet).
 * Addresses are uint32.
 */
export interface TupleBatch {
  length: number
  proto: ArrayLike<number>
  saddr: ArrayLike<number>
  sport: ArrayLike<number>
  daddr: ArrayLike<number>
  dport: ArrayLike<number>
  tcpFlags?: ArrayLike<number>
}

/** A `TupleBatch` on typed arrays (what `tupleBatchOf` builds; `subarray` views make sub-batches). */
export interface TupleColumns extends TupleBatch {
  proto: Int32Array
  saddr: Uint32Array
  sport: Int32Array
  daddr: Uint32Array
  dport: Int32Array
  tcpFlags: Int32Array
}

/** A batch of the given tuples (columns copied; `flags` −1 when absent). */
export function tupleBatchOf(
  ts: ReadonlyArray<{
    proto: number
    saddr: number
    sport: number
    daddr: number
    dport: number
    flags?: number
  }>,
): TupleColumns {
  return {
    length: ts.length,
    proto: Int32Array.from(ts, (t) => t.proto),
    saddr: Uint32Array.from(ts, (t) => t.saddr),
    sport: Int32Array.from(ts, (t) => t.sport),
    daddr: Uint32Array.from(ts, (t) => t.daddr),
    dport: Int32Array.from(ts, (t) => t.dport),
    tcpFlags: Int32Array.from(ts, (t) => t.flags ?? -1),
  }
}

/**
 * What `classifyTuples` gives per packet i: the verdict of `classifyTuple`'s trace (`VERDICT_CODE`) and its
 * modeled ns, and, when `traces` is given, the trace itself. Columns at least `length` long. Without
 * `traces` no trace outlives its packet (kept traces survive young-generation collections: slower).
 */
export interface BatchResults {
  verdict: Uint8Array
  modeledNs: Float64Array
  traces?: Trace[]
}

/** `BatchResults.verdict` codes. */
export const VERDICT_CODE: Readonly<Record<Trace['verdict'], number>> = Object.freeze({
  forward: 0,
  local: 1,
  drop: 2,
  reject: 3,
})

/** `VERDICT_CODE[v]` by comparisons (interned strings: pointer compares, where a keyed load by name is not). */
export function verdictCode(v: Trace['verdict']): number {
  return v === 'forward' ? 0 : v === 'local' ? 1 : v === 'drop' ? 2 : 3
}

/** Columns for a batch of `n` packets, with room for the traces when `traces`. */
export function batchResults(n: number, traces = false): BatchResults {
  const out: BatchResults = { verdict: new Uint8Array(n), modeledNs: new Float64Array(n) }
  if (traces) out.traces = new Array(n)
  return out
}

/** Packets whose memory reads a touch pass overlaps. */
export const BATCH_GROUP = 32
/** Slots of a service touched per packet (random selection draws one of them later, in packet order). */
const SLOTS = 4
const HASH_INIT4_SEED = decodeMaglevSeed().jhash0

/**
 * Prefetch for a group of packets, level by level of the pipeline's dependent map reads: connected-socket
 * bucket and service master cell → socket key and master record → socket's backend id / slot keys → slot
 * entries → backend records (element, then fields) → conntrack buckets of the translated tuple (both
 * directions), its ipcache bucket and the backend's address text → the conntrack entry a home bucket names.
 * Each level is a compute pass (hashes and indices, reading only what the previous level brought in) then a
 * load pass: a tight loop of independent reads, one per packet, so the CPU has the whole group's cache misses
 * in flight together (a long compute step between two misses would fill the reorder window and serialise
 * them). The ordinary per-packet pipeline then runs in packet order and finds those lines cached.
 * Nothing here changes any state: no counts, no LRU bits, no RNG draw (random selection touches every slot
 * of the service, up to `SLOTS`, since the draw comes later), so results, counts, CT state and RNG order are
 * exactly those of calling `classifyTuple` packet by packet. Simulator speed only: nothing the kernel does.
 * Measured (one node, classifyTuple / batch / batch with these passes interleaved 10k packets at a time, CPU
 * ns per first packet, load 4-6 on 2 shared cores): 100 services 2720 / 2768 / 3583, 10k 6209 / 6006 / 6327,
 * 100k 7711 / 6680 / 7783. The same loads in isolation overlap ~17x on this VM (16 vs 280 ns per random read
 * of 128 MB; a TupleIndex's buckets: 39 vs 108 ns a key), but in the pipeline they did not pay for the
 * passes' own work, so `classifyTuples` runs them only when asked (`touch`). Also measured not to pay on the
 * lean path (session 8, 100k services, in-process A/B on one node, load 4-5): within a packet, the service
 * master's cell read started beside the connected-socket bucket and the ipcache bucket beside conntrack's
 * (+2 %, 0 %, −6 %: noise; the core already overlaps those, the branch between them being predicted); one
 * packet's lookahead (packet i+4's socket bucket and master cell, i+2's master record): +11 % and +14 % CPU.
 * (Since session 10 the pipeline reads a service master from the services map's `MasterIndex` cell, and a lean
 * packet to a plain master no record at all: levels 1-2 here still touch the dense-id map's cell and the
 * record. Left as it was measured; the passes stay off by default.)
 */
export class BatchPrefetch {
  // the group's tuples, copied: every pass reads them from the same monomorphic columns
  private readonly proto = new Int32Array(BATCH_GROUP)
  private readonly saddr = new Int32Array(BATCH_GROUP)
  private readonly sport = new Int32Array(BATCH_GROUP)
  private readonly daddr = new Int32Array(BATCH_GROUP)
  private readonly dport = new Int32Array(BATCH_GROUP)
  private readonly masters: Array<ServiceMaster | undefined> = new Array(BATCH_GROUP).fill(undefined)
  private readonly slotKeys: Array<number[] | undefined> = new Array(BATCH_GROUP).fill(undefined)
  private readonly backends: Array<ProgrammedBackend | undefined> = new Array(BATCH_GROUP * SLOTS).fill(
    undefined,
  )
  /** per packet: home word of the socket (or tc path: service CT) bucket, master cell, socket slot */
  private readonly home = new Int32Array(BATCH_GROUP)
  private readonly cell = new Int32Array(BATCH_GROUP)
  private readonly sock = new Int32Array(BATCH_GROUP)
  /** slots touched per packet (0: no service; a socket's or Maglev's backend: 1) */
  private readonly nSlots = new Int32Array(BATCH_GROUP)
  /** per packet, SLOTS entries each: slot keys, then backend ids (−1 none); then the backends' fields */
  private readonly ids = new Int32Array(BATCH_GROUP * SLOTS)
  private readonly addr = new Int32Array(BATCH_GROUP * SLOTS)
  private readonly port = new Int32Array(BATCH_GROUP * SLOTS)
  /** per packet and slot: home words of the CT buckets (forward, reverse) and the ipcache bucket */
  private readonly ctFwd = new Int32Array(BATCH_GROUP * SLOTS)
  private readonly ctRev = new Int32Array(BATCH_GROUP * SLOTS)
  private readonly lpm = new Int32Array(BATCH_GROUP * SLOTS)
  /** what the passes read, folded together: kept so no read is optimised away */
  sink = 0

  /** Touches what packets [from, to) of `b` (at most `BATCH_GROUP`) will read. */
  run(dp: DatapathState, b: TupleBatch, from: number, to: number): void {
    const n = to - from
    for (let j = 0; j < n; j++) {
      const i = from + j
      this.proto[j] = b.proto[i]
      this.saddr[j] = b.saddr[i]
      this.sport[j] = b.sport[i]
      this.daddr[j] = b.daddr[i]
      this.dport[j] = b.dport[i]
    }
    // (each level its own method: one function for all of them outgrew the optimiser's inlining budget, and
    // every map call in it became a real call)
    let acc = this.homes(dp, n)
    acc ^= this.masterRecords(dp, n)
    acc ^= this.slotKeysOrSocket(dp, n)
    this.slotEntries(dp, n)
    acc ^= this.backendRecords(dp, n)
    acc ^= this.translated(dp, n)
    acc ^= this.ctEntries(dp, n)
    this.sink = acc
  }

  /** 1: the connected-socket bucket (tc path: the service CT bucket), the service master's index cell. */
  private homes(dp: DatapathState, n: number): number {
    const maps = dp.maps
    const sockets = dp.sockets
    const services = maps.services
    const socketLb = dp.cfg.socketLb
    for (let j = 0; j < n; j++) {
      const proto = this.proto[j]
      if (proto === 1) {
        this.home[j] = this.cell[j] = -1
        continue
      }
      const saddr = this.saddr[j] >>> 0
      const sport = this.sport[j]
      const daddr = this.daddr[j] >>> 0
      const dport = this.dport[j]
      this.home[j] = socketLb
        ? sockets.homeWordOf(proto, saddr, sport, daddr, dport)
        : ctMapOf(maps, proto).homeWordOf(proto, saddr, sport, daddr, dport, true)
      this.cell[j] = services.wideHome(serviceKey(daddr, dport, proto, SCOPE_EXT))
    }
    let acc = 0
    const cells = services.wideCells
    const sw = sockets.bucketWords
    const ctw = maps.ct.bucketWords
    const anyw = maps.ctAny.bucketWords
    for (let j = 0; j < n; j++) {
      const h = this.home[j]
      if (h < 0) continue
      acc ^= socketLb ? sw[h] : (this.proto[j] === 6 ? ctw : anyw)[h]
      if (this.cell[j] >= 0 && cells[this.cell[j]] !== undefined) acc++
    }
    return acc
  }

  /** 2: the master record; the key line of the entry the socket's home bucket names. */
  private masterRecords(dp: DatapathState, n: number): number {
    const services = dp.maps.services
    // the home cell holds the key unless its probe run was displaced: then the full lookup
    const cells = services.wideCells
    for (let j = 0; j < n; j++) {
      const c = this.cell[j]
      if (c < 0) {
        this.masters[j] = undefined
        continue
      }
      const key = serviceKey(this.daddr[j] >>> 0, this.dport[j], this.proto[j], SCOPE_EXT)
      const hi = Math.floor(key / WIDE_MIN)
      this.masters[j] = (
        cells[c - 2] === key - hi * WIDE_MIN && cells[c - 1] === hi ? cells[c] : services.peek(key)
      ) as ServiceMaster | undefined
    }
    // load passes as small as they can be (a long loop body fills the reorder window and the misses no
    // longer overlap): count on the record's first line, slotKeys (its sixth field) on its second
    let acc = 0
    for (let j = 0; j < n; j++) {
      const m = this.masters[j]
      if (m !== undefined) acc ^= m.count ^ (m.slotKeys === undefined ? 1 : 0)
    }
    if (dp.cfg.socketLb) {
      const sw = dp.sockets.bucketWords
      const keys = dp.sockets.keyWords
      for (let j = 0; j < n; j++) {
        const h = this.home[j]
        const e = h >= 0 ? sw[h] : 0
        if (e > 0) acc ^= keys[(e - 1) * 4]
      }
    }
    for (let j = 0; j < n; j++) {
      const m = this.masters[j]
      this.nSlots[j] = m ? m.count : 0
      this.slotKeys[j] = m?.slotKeys
    }
    return acc
  }

  /** 3: the socket's backend id, or the master's slot keys (Maglev: its table's entry for the tuple). */
  private slotKeysOrSocket(dp: DatapathState, n: number): number {
    const maps = dp.maps
    const socketLb = dp.cfg.socketLb
    const maglev = dp.cfg.algorithm === 'maglev'
    const sw = dp.sockets.bucketWords
    const keys = dp.sockets.keyWords
    for (let j = 0; j < n; j++) {
      const proto = this.proto[j]
      // a socket in its home bucket (a hint only: one displaced by a collision is just not prefetched)
      const h = this.home[j]
      const e = socketLb && h >= 0 ? sw[h] - 1 : -1
      this.sock[j] =
        e >= 0 &&
        keys[e * 4] === this.saddr[j] &&
        keys[e * 4 + 1] === this.daddr[j] &&
        keys[e * 4 + 2] === portsWord(this.sport[j], this.dport[j]) &&
        keys[e * 4 + 3] === proto
          ? e
          : -1
      const m = this.masters[j]
      if (this.sock[j] < 0 && m && maglev) {
        const table = maps.maglev.peek(m.revNat * 2 + m.frontend.scope)?.peek(0)
        const len = table ? table.length : 0
        this.ids[j * SLOTS] =
          len > 0
            ? (table as Uint32Array)[
                maglevFlowHash(this.saddr[j], this.daddr[j], this.sport[j], this.dport[j], HASH_INIT4_SEED) %
                  len
              ]
            : -1
        this.nSlots[j] = -1
      }
    }
    const backendOf = dp.sockets.backendColumn
    let acc = 0
    for (let j = 0; j < n; j++) {
      const s = this.sock[j]
      if (s >= 0) acc ^= backendOf[s]
      else if (this.nSlots[j] > 0) acc ^= (this.slotKeys[j] as number[])[0]
    }
    for (let j = 0; j < n; j++) {
      const o = j * SLOTS
      const s = this.sock[j]
      if (s >= 0) {
        this.ids[o] = backendOf[s]
        this.nSlots[j] = -1
        continue
      }
      const slotKeys = this.slotKeys[j]
      const c = Math.min(this.nSlots[j], SLOTS)
      for (let k = 0; k < c; k++) this.ids[o + k] = (slotKeys as number[])[k]
    }
    return acc
  }

  /** 4: the slot entries' backend ids (a socket's or Maglev's id already is one: a slot count of −1). */
  private slotEntries(dp: DatapathState, n: number): void {
    const col = dp.maps.services.slotColumn
    for (let j = 0; j < n; j++) {
      const o = j * SLOTS
      const c = this.nSlots[j]
      if (c < 0) {
        this.nSlots[j] = 1
        continue
      }
      const m = Math.min(c, SLOTS)
      this.nSlots[j] = m
      for (let k = 0; k < m; k++) {
        const x = -this.ids[o + k]
        this.ids[o + k] = x > 0 && x < col.length ? col[x] - 1 : -1
      }
    }
  }

  /** 5: the backends map's elements, then 6: the backend records' fields. */
  private backendRecords(dp: DatapathState, n: number): number {
    const pos = dp.maps.backends.denseValues
    let acc = 0
    for (let j = 0; j < n; j++) {
      const o = j * SLOTS
      for (let k = 0; k < this.nSlots[j]; k++) {
        const id = this.ids[o + k]
        if (id > 0 && id < pos.length && pos[id] !== undefined) acc++
      }
    }
    for (let j = 0; j < n; j++) {
      const o = j * SLOTS
      for (let k = 0; k < this.nSlots[j]; k++) {
        const id = this.ids[o + k]
        this.backends[o + k] = id > 0 && id < pos.length ? pos[id] : undefined
      }
    }
    // addr and port on the record's first line; pod, node, id and the address text (traces) on its second
    for (let j = 0; j < n; j++) {
      const o = j * SLOTS
      for (let k = 0; k < this.nSlots[j]; k++) {
        const be = this.backends[o + k]
        if (be !== undefined) acc ^= be.addr ^ be.id
      }
    }
    for (let j = 0; j < n; j++) {
      const o = j * SLOTS
      for (let k = 0; k < this.nSlots[j]; k++) {
        const be = this.backends[o + k]
        this.addr[o + k] = be ? be.addr : 0
        this.port[o + k] = be ? be.port : -1
      }
    }
    return acc
  }

  /** 7: the translated tuple's conntrack buckets (both directions) and ipcache bucket (the address text is on the record, read at 6). */
  private translated(dp: DatapathState, n: number): number {
    const maps = dp.maps
    for (let j = 0; j < n; j++) {
      const o = j * SLOTS
      const proto = this.proto[j]
      const ct = proto === 6 ? maps.ct : maps.ctAny
      const saddr = this.saddr[j] >>> 0
      const sport = this.sport[j]
      if (this.nSlots[j] === 0) {
        // no service: the tuple as sent is what conntrack and the ipcache see
        this.nSlots[j] = 1
        this.addr[o] = this.daddr[j]
        this.port[o] = this.dport[j]
        this.ids[o] = -1
      }
      for (let k = 0; k < this.nSlots[j]; k++) {
        const port = this.port[o + k]
        if (port < 0) continue
        const daddr = this.addr[o + k] >>> 0
        this.ctFwd[o + k] = ct.homeWordOf(proto, saddr, sport, daddr, port, false)
        this.ctRev[o + k] = ct.homeWordOf(proto, daddr, port, saddr, sport, false)
        this.lpm[o + k] = maps.ipcache.homeWord(daddr)
      }
    }
    let acc = 0
    const lpmw = maps.ipcache.indexWords
    const ctw = maps.ct.bucketWords
    const anyw = maps.ctAny.bucketWords
    for (let j = 0; j < n; j++) {
      const o = j * SLOTS
      const w = this.proto[j] === 6 ? ctw : anyw
      for (let k = 0; k < this.nSlots[j]; k++) {
        if (this.port[o + k] < 0) continue
        acc ^= w[this.ctFwd[o + k]] ^ w[this.ctRev[o + k]]
        const l = this.lpm[o + k]
        if (l >= 0) acc ^= lpmw[l]
      }
    }
    return acc
  }

  /** 8: the conntrack entry the forward tuple's home bucket names (an established flow's: key, values). */
  private ctEntries(dp: DatapathState, n: number): number {
    const maps = dp.maps
    let acc = 0
    for (let j = 0; j < n; j++) {
      const o = j * SLOTS
      if (this.port[o] < 0) continue
      const ct = this.proto[j] === 6 ? maps.ct : maps.ctAny
      const e = ct.bucketWords[this.ctFwd[o]] - 1
      if (e >= 0) acc ^= ct.keyWords[e * 4] ^ ct.vals[e * ct.stride]
    }
    return acc
  }
}
