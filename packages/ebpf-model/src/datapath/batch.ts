import type { Trace } from '@dataplane-sim/cluster'
import { SCOPE_EXT, SVC_FLAG_AFFINITY } from '../agent/services'
import { serviceKey } from './maps'
import { INLINE_SLOTS } from './masterIndex'
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

/**
 * Packets whose memory reads a touch pass overlaps. 64: at 100k services (pipelineLoop, alternating
 * processes, session 14) 2-4 % less CPU a first packet than 32, and 128 more than 64.
 */
export const BATCH_GROUP = 64

/**
 * Prefetch for a group of packets, level by level of what a lean first packet reads from memory, in tight
 * loops of independent reads (one per packet) so the CPU has the whole group's cache misses in flight
 * together: 1, the services map's master index home cell of the packet's destination (`masterHomeCell`)
 * and the cell after it;
 * 2, for the key's cell (its home, or probed for from there: before session 15 a key not in its home cell,
 * a quarter of them at 100k services, was not followed) holding a plain master with its slots in one run,
 * the copy records of its first and last slot (`slotRecordId`), whichever the random draw picks later being
 * between them, unless the cell holds valid copies of them (a master of one or two slots without session
 * affinity: `MasterIndex`, session 16), when the cell was all there is to read. Those are the two dependent
 * misses left at 100k services: the connected-socket and conntrack tables answer a new tuple's miss from
 * their occupancy bits, and the backend's address and ipcache answer are in the slot's record (or the
 * cell's copy of it). Nothing here changes any state: no counts, no LRU bits, no RNG
 * draw, no index made (before the first lookup made the master index and the copies, there is nothing to
 * touch), so results, counts, CT state and RNG order are exactly those of calling `classifyTuple` packet by
 * packet. Simulator speed only: nothing the kernel does. (The passes before session 11 touched seven
 * levels, most of them reads the lean path no longer makes, and never paid on this VM: +5 to +30 % CPU; so
 * did, in session 13, a third level touching the connected socket's and conntrack's home buckets: +15 to
 * +20 %; in session 14, with the bucket writes deferred, the socket's home bucket alone and a pass that
 * touched one group's slot records together with the next group's cells each made no difference. These
 * two pay once the services map's structures outgrow the caches, and cost a few per cent below:
 * `classifyTuples` runs them by that rule, `Datapath.touchMinBytes`.)
 */
export class BatchPrefetch {
  /** per packet: the master key and its home cell (−1: none) */
  private readonly key = new Float64Array(BATCH_GROUP)
  private readonly home = new Int32Array(BATCH_GROUP)
  /**
   * per packet: the master index cell of its destination's master key, as `ServicesMap.peekMaster` answers it
   * (−1: absent), or `NO_CELL` when not looked for (an ICMP packet, a group before the index was made).
   * The index does not change while a batch runs (only the agent writes the services map), so it is the cell
   * `leanPodConnect` would look up: it takes it (`cellOf`) instead.
   */
  private readonly cell = new Int32Array(BATCH_GROUP)
  /** per packet: the first and last slot of the master's run (0: none) */
  private readonly first = new Int32Array(BATCH_GROUP)
  private readonly last = new Int32Array(BATCH_GROUP)
  /** what the passes read, folded together: kept so no read is optimised away */
  sink = 0

  /** Touches what packets [from, to) of `b` (at most `BATCH_GROUP`) will read. */
  run(dp: DatapathState, b: TupleBatch, from: number, to: number): void {
    const services = dp.maps.services
    const n = to - from
    for (let j = 0; j < n; j++) {
      const i = from + j
      const proto = b.proto[i]
      if (proto === 1) {
        this.home[j] = -1
        continue
      }
      const key = serviceKey(b.daddr[i] >>> 0, b.dport[i], proto, SCOPE_EXT)
      this.key[j] = key
      this.home[j] = services.masterHomeCell(key)
    }
    let acc = 0
    const epoch = services.slotEpoch()
    // the home cell and the one after it, where a key displaced from its home is most often found (a cell is
    // a cache line of its own since session 16): at 100k services, 14 alternating pairs, 834 against 884 CPU
    // ns a first packet (medians; 10 pairs lower) with the second cell touched
    for (let j = 0; j < n; j++) {
      const c = this.home[j]
      if (c >= 0) acc ^= services.masterCount(c) ^ services.masterCount(services.masterCellAfter(c))
    }
    for (let j = 0; j < n; j++) {
      let c = this.home[j]
      this.first[j] = 0
      this.cell[j] = NO_CELL
      if (c < 0) continue
      // the key's cell with its fields (a plain master): its count and slot run in the cell. Most keys are in
      // their home cell; the others (a quarter at 100k services) are probed for from it, over lines mostly
      // just touched
      if (!services.masterHoldsPlain(c, this.key[j])) c = services.peekMaster(this.key[j])
      this.cell[j] = c
      if (c < 0 || !services.masterPlain(c)) continue
      const count = services.masterCount(c)
      const base = services.masterSlotBase(c)
      if (count <= 0 || base <= 0) continue
      // a random slot's record copied in the cell, valid (session 16): nothing more to read (an affinity
      // service's kept backend is read from its slot's record: touched)
      if (
        count <= INLINE_SLOTS &&
        services.masterCopiesEpoch(c) === epoch &&
        !(services.masterFlags(c) & SVC_FLAG_AFFINITY)
      )
        continue
      this.first[j] = base
      this.last[j] = base + count - 1
    }
    for (let j = 0; j < n; j++) {
      const f = this.first[j]
      if (f > 0) acc ^= services.slotRecordId(f) ^ services.slotRecordId(this.last[j])
    }
    this.sink = acc
  }

  /** The master cell of packet `from + j` of the last `run` (`cell`). */
  cellOf(j: number): number {
    return this.cell[j]
  }
}

/** `BatchPrefetch.cellOf`: the packet's master cell was not looked for. */
export const NO_CELL = -2
