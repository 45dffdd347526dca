/**
 * Where a first packet's time goes: the socket-LB path of `classifyTuple` cut into its stages (the same
 * datapath functions, steps off), timed on the node the pipeline run used, whose maps hold its flows.
 */
import type { ProgrammedBackend } from '../src/agent/sink'
import { backendIp } from '../src/datapath/addr'
import { ctCreate, ctLookup } from '../src/datapath/ctOps'
import { deliver } from '../src/datapath/deliver'
import { candidateOf, lookupBackend, lookupService, selectBackend } from '../src/datapath/lb'
import type { ServiceMaster } from '../src/datapath/maps'
import type { Datapath } from '../src/datapath/pipeline'
import { egressPolicy } from '../src/datapath/policyCheck'
import { Ctx } from '../src/datapath/trace'

export interface Flows {
  proto: Int32Array
  saddr: Uint32Array
  sport: Int32Array
  daddr: Uint32Array
  dport: Int32Array
}

export interface StageRow {
  stage: string
  cpuNsPerPacket: number
}

/**
 * Per-stage CPU ns per first packet, as differences of cumulative runs: run k does stages 1..k for every
 * packet of its own fresh flows (the runs interleaved 1000 packets at a time), and stage k costs
 * run k − run k−1, so a cache line one stage brings in and the next reuses (the conntrack bucket a lookup
 * reads and the create writes) is paid once, where it is paid in the pipeline. `total` is the pipeline's
 * own figure (CPU ns per packet) for the same kind of packet.
 */
export function stageTable(
  dp: Datapath,
  flowsAt: (run: number) => Flows,
  endpointOf: (saddr: number) => number,
  total: number,
) {
  const ctx = new Ctx()
  ctx.reset(false)
  const maps = dp.maps
  let flows = flowsAt(0)
  const n = flows.proto.length
  const masters: Array<ServiceMaster | undefined> = new Array(n)
  const backends: Array<ProgrammedBackend | undefined> = new Array(n)
  const flow = (i: number, b: ProgrammedBackend) => ({
    proto: flows.proto[i],
    saddr: flows.saddr[i],
    sport: flows.sport[i],
    daddr: b.addr,
    dport: b.port,
  })
  const stages: Array<[string, (i: number) => void]> = [
    [
      'connected-socket lookup (a miss)',
      (i) => {
        const f = flows
        dp.sockets.findSocket(f.proto[i], f.saddr[i], f.sport[i], f.daddr[i], f.dport[i])
      },
    ],
    [
      'service lookup (cilium_lb4_services_v2 master)',
      (i) => {
        masters[i] = lookupService(maps, flows.daddr[i], flows.dport[i], flows.proto[i], true, ctx)
      },
    ],
    [
      'backend selection (random slot entry, cilium_lb4_backends_v3)',
      (i) => {
        const m = masters[i]
        backends[i] = undefined
        if (!m || m.count === 0) return
        const f = flows
        const t = {
          proto: f.proto[i],
          saddr: f.saddr[i],
          sport: f.sport[i],
          daddr: f.daddr[i],
          dport: f.dport[i],
        }
        const id = selectBackend(maps, m, 'random', dp.rng, t, dp.now, ctx)
        backends[i] = id >= 0 ? lookupBackend(maps, id, ctx) : undefined
      },
    ],
    [
      'candidate and dnat records (backend text)',
      (i) => {
        const b = backends[i]
        const m = masters[i]
        if (!b || !m) return
        sink = [candidateOf(b, 1 / m.count, b.addr === flows.saddr[i])]
        sink = { ip: backendIp(b), port: b.port }
      },
    ],
    [
      'connected-socket insert',
      (i) => {
        const b = backends[i]
        const m = masters[i]
        const f = flows
        if (b && m)
          dp.sockets.connect(f.proto[i], f.saddr[i], f.sport[i], f.daddr[i], f.dport[i], b.id, m.revNat)
      },
    ],
    [
      'conntrack lookup (tuple + reverse)',
      (i) => {
        const b = backends[i]
        if (b) ctLookup(dp, flow(i, b), ctx)
      },
    ],
    [
      'ipcache identity + egress policy (3 LPM lookups)',
      (i) => {
        const b = backends[i]
        if (b) egressPolicy(maps, b.addr, flows.proto[i], b.port, ctx, endpointOf(flows.saddr[i]))
      },
    ],
    [
      'conntrack create',
      (i) => {
        const b = backends[i]
        const m = masters[i]
        if (b && m) ctCreate(dp, flow(i, b), ctx, false, m.revNat, b.id, 0, false)
      },
    ],
    [
      'delivery (cilium_lxc, ingress policy or route, Trace record)',
      (i) => {
        const b = backends[i]
        if (b)
          deliver(dp, flow(i, b), ctx, 0, true, { dnat: null, candidates: [], hairpin: false, fromPod: true })
      },
    ],
  ]
  // CPU time, not wall: the differences are small, and on a shared machine wall time takes in the waits
  const cumulative = (k: number, from: number, to: number) => {
    const c0 = process.cpuUsage()
    for (let i = from; i < to; i++) {
      ctx.reset(false)
      for (let j = 0; j < k; j++) stages[j][1](i)
    }
    const c = process.cpuUsage(c0)
    return (c.user + c.system) * 1e3
  }
  cumulative(stages.length, 0, n) // warm-up (JIT), on flows of its own
  // the runs interleaved chunk by chunk, so a change of load on the machine falls on all of them alike
  const sets = Array.from({ length: stages.length + 1 }, (_, k) => flowsAt(k + 1))
  const spent = new Float64Array(stages.length + 1)
  const CHUNK = 1000
  for (let from = 0; from < n; from += CHUNK)
    for (let k = 0; k <= stages.length; k++) {
      flows = sets[k]
      spent[k] += cumulative(k, from, Math.min(n, from + CHUNK))
    }
  const rows: StageRow[] = []
  for (let k = 1; k <= stages.length; k++)
    rows.push({ stage: stages[k - 1][0], cpuNsPerPacket: Math.round((spent[k] - spent[k - 1]) / n) })
  const previous = spent[stages.length] / n
  rows.push({
    stage: 'rest (call chain, Flow/Trace records, cost summary, NOTRACK check: total − the above)',
    cpuNsPerPacket: Math.round(total - previous),
  })
  return { packets: n, pipelineCpuNsPerPacket: Math.round(total), stages: rows }
}

/** Keeps a record the stage builds reachable, so the allocation is not optimised away. */
export let sink: unknown = null
