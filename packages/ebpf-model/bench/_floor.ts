/**
 * The memory floor under a first packet: what the per-flow tables alone cost, on the node the pipeline run
 * used (its conntrack and connected-socket tables holding that run's flows), and what one dependent read
 * from memory costs on this machine. A first packet must miss the connected-socket table, insert its socket,
 * look its tuple and the reverse up in conntrack (both miss) and create the entry: the hash buckets those
 * touch are spread over tens of MB, so each is a cache and TLB miss whatever the service count. Timed
 * standalone on fresh flows (not as differences of cumulative runs, which earlier gave negative stages).
 */
import { ctCreate, ctLookup } from '../src/datapath/ctOps'
import type { Datapath } from '../src/datapath/pipeline'
import { Ctx } from '../src/datapath/trace'

export interface Flows {
  proto: Int32Array
  saddr: Uint32Array
  sport: Int32Array
  daddr: Uint32Array
  dport: Int32Array
}

/** Dependent random reads (a pointer chase over 64-byte lines in a random cycle): ns per read. */
export function readLatencyNs(bytes: number, reads = 2_000_000): number {
  const words = bytes / 4
  const lines = words / 16
  const order = new Int32Array(lines)
  for (let i = 0; i < lines; i++) order[i] = i
  let x = 12345
  for (let i = lines - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    const j = x % (i + 1)
    const t = order[i]
    order[i] = order[j]
    order[j] = t
  }
  const a = new Int32Array(words)
  for (let i = 0; i < lines; i++) a[order[i] * 16] = order[(i + 1) % lines] * 16
  let p = 0
  for (let i = 0; i < lines; i++) p = a[p] // warm the pages (first touch) before timing
  const t0 = performance.now()
  for (let i = 0; i < reads; i++) p = a[p]
  const ns = ((performance.now() - t0) * 1e6) / reads
  if (p < 0) throw new Error('unreachable')
  return Number(ns.toFixed(1))
}

/**
 * CPU ns per first packet of the per-flow table work alone: connected sockets, conntrack, both, each on
 * 24k fresh flows of its own (interleaved 1000 at a time, so load changes fall on all alike). `total` is the
 * pipeline's own CPU ns per first packet on this node.
 */
export function memoryFloor(dp: Datapath, flowsAt: (set: number) => Flows, total: number) {
  const ctx = new Ctx()
  ctx.reset(false)
  const sockets = dp.sockets
  let f = flowsAt(0)
  const n = f.proto.length
  // the backend the socket-LB would have chosen does not change which buckets are read: one fixed backend
  // address per service address (its low bits), so the conntrack tuple is as spread as a real one
  const socket = (i: number) => {
    const s = sockets.findSocket(f.proto[i], f.saddr[i], f.sport[i], f.daddr[i], f.dport[i])
    if (s < 0)
      sockets.connect(f.proto[i], f.saddr[i], f.sport[i], f.daddr[i], f.dport[i], 1, 1, f.daddr[i], 80, true)
  }
  const conntrack = (i: number) => {
    const t = {
      proto: f.proto[i],
      saddr: f.saddr[i],
      sport: f.sport[i],
      daddr: f.daddr[i] ^ 0x100,
      dport: 8080,
    }
    ctx.reset(false)
    if (ctLookup(dp, t, ctx, true) === 0) ctCreate(dp, t, ctx, false, 1, 1, 0, false, ctx.ctAbsent)
  }
  const rows: Array<[string, (i: number) => void]> = [
    ['connected socket: lookup (a miss) + insert', socket],
    ['conntrack: lookup of the tuple and its reverse (misses) + create', conntrack],
    [
      'both (what every first packet pays in this model, whatever the service count)',
      (i) => {
        socket(i)
        conntrack(i)
      },
    ],
  ]
  const sets = rows.map((_, k) => flowsAt(k + 1))
  for (const t of [dp.maps.ct, dp.maps.ctAny, sockets]) {
    t.reserveBuckets(t.size + (rows.length + 1) * n)
    t.prefault(t.size + (rows.length + 1) * n)
  }
  f = flowsAt(0)
  for (let i = 0; i < n; i++) rows[2][1](i) // warm-up (JIT), on flows of its own
  const spent = new Float64Array(rows.length)
  const CHUNK = 1000
  for (let from = 0; from < n; from += CHUNK)
    for (let k = 0; k < rows.length; k++) {
      f = sets[k]
      const c0 = process.cpuUsage()
      for (let i = from, to = Math.min(n, from + CHUNK); i < to; i++) rows[k][1](i)
      const c = process.cpuUsage(c0)
      spent[k] += (c.user + c.system) * 1e3
    }
  const bucketBytes = (t: { bucketWords: Int32Array }) => t.bucketWords.byteLength
  return {
    packets: n,
    pipelineCpuNsPerPacket: Math.round(total),
    tables: {
      conntrackEntries: dp.maps.ct.size + dp.maps.ctAny.size,
      conntrackBucketBytes: bucketBytes(dp.maps.ct) + bucketBytes(dp.maps.ctAny),
      socketEntries: sockets.size,
      socketBucketBytes: bucketBytes(sockets),
    },
    rows: rows.map(([row], k) => ({ row, cpuNsPerPacket: Math.round(spent[k] / n) })),
    dependentReadNs: Object.fromEntries(
      [1, 16, 64].map((mb) => [`${mb} MiB`, readLatencyNs(mb * 1024 * 1024)]),
    ),
  }
}
