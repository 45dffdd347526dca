/**
 * One setup, first packets through `Datapath.classifyTuple` in a loop (steps off), for CPU profiles:
 * `PROF=/tmp/p.cpuprofile npx tsx packages/ebpf-model/bench/pipelineLoop.ts 100000 [packets] [est|batch]`
 * (PROF: a CPU profile of the loops only, sampled every 100 us; `est`: established packets instead; `batch`:
 * first packets through `classifyTuples` 1000 at a time, no traces kept: the lean path; `touch`: the same with
 * its prefetch passes on).
 * Prints JS ns per packet per batch of 100k (a new flow each packet: source ports advance per client).
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { ipToU32 } from '@dataplane-sim/cluster'
import { batchResults } from '../src/datapath/batch'
import { buildEbpfNode } from '../src/node/buildEbpfNode'
import { PIPELINE_MAXIMA, pipelineSetup } from './_pipelineSetup'

const services = Number(process.argv[2] ?? 100)
const total = Number(process.argv[3] ?? 600_000)
const established = process.argv[4] === 'est'
const viaBatch = process.argv[4] === 'batch' || process.argv[4] === 'touch'
const touch = process.argv[4] === 'touch'
const s = pipelineSetup(services)
const clients = s.clients.map(ipToU32)
const vips = s.vips.map((v) => ({ ip: ipToU32(v.ip), port: v.port, proto: v.proto === 'UDP' ? 17 : 6 }))
const t0 = performance.now()
const node = buildEbpfNode(s.cluster, s.nodeName, PIPELINE_MAXIMA)
process.stderr.write(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
const dp = node.datapath
const n = total
// buckets for every flow up front and their slots' pages mapped, as bench/pipeline.ts does (no rehash or
// page fault inside the profiled loops)
for (const t of [dp.maps.ct, dp.maps.ctAny, dp.sockets]) {
  t.reserveBuckets(n)
  t.prefault(t.size + n)
}
const proto = new Int32Array(n)
const saddr = new Uint32Array(n)
const sport = new Int32Array(n)
const daddr = new Uint32Array(n)
const dport = new Int32Array(n)
const tcpFlags = new Int32Array(n).fill(-1)
let x = 7
const c = clients.length
for (let i = 0; i < n; i++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0
  const v = vips[x % vips.length]
  proto[i] = v.proto
  saddr[i] = clients[i % c]
  sport[i] = 1024 + (Math.floor(i / c) % 64000)
  daddr[i] = v.ip
  dport[i] = v.port
}
// the build's garbage collected now, not by a mark-compact inside the first loops (1-2 s at 100k services)
setFlagsFromString('--expose-gc')
;(runInNewContext('gc') as () => void)()
const opts = { steps: false }
const B = 100_000
const CHUNK = 1000
const results = batchResults(CHUNK)
let modeled = 0
if (established)
  for (let i = 0; i < n; i++)
    dp.classifyTuple(proto[i], saddr[i] >>> 0, sport[i], daddr[i] >>> 0, dport[i], -1, opts)
const prof = process.env.PROF ? new Session() : null
if (prof) {
  prof.connect()
  await prof.post('Profiler.enable')
  await prof.post('Profiler.setSamplingInterval', { interval: 100 })
  await prof.post('Profiler.start')
}
for (let b = 0; b < n; b += B) {
  const start = performance.now()
  const c0 = process.cpuUsage()
  if (viaBatch)
    for (let from = b; from < b + B && from < n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK)
      const part = {
        length: to - from,
        proto: proto.subarray(from, to),
        saddr: saddr.subarray(from, to),
        sport: sport.subarray(from, to),
        daddr: daddr.subarray(from, to),
        dport: dport.subarray(from, to),
        tcpFlags: tcpFlags.subarray(from, to),
      }
      dp.classifyTuples(part, results, opts, touch)
      for (let i = 0; i < part.length; i++) modeled += results.modeledNs[i]
    }
  else
    for (let i = b; i < b + B && i < n; i++)
      modeled += dp.classifyTuple(
        proto[i],
        saddr[i] >>> 0,
        sport[i],
        daddr[i] >>> 0,
        dport[i],
        established ? 0x10 : -1,
        opts,
      ).cost.ns
  const ns = ((performance.now() - start) * 1e6) / B
  const cu = process.cpuUsage(c0)
  const cpu = ((cu.user + cu.system) * 1e3) / B
  process.stdout.write(`${services} batch ${b / B}: ${ns.toFixed(0)} ns/packet wall, ${cpu.toFixed(0)} CPU\n`)
}
process.stdout.write(`modeled ${(modeled / n).toFixed(1)} ns/packet\n`)
if (prof) {
  const { profile } = await prof.post('Profiler.stop')
  writeFileSync(process.env.PROF as string, JSON.stringify(profile))
}
