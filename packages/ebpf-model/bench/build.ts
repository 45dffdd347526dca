/**
 * Building all maps of one node for 100k services × 10 endpoints: the agent's initial sync (identities,
 * ipcache, LB maps, per-endpoint policy maps) into the model's BPF maps. Target ≤ 5 s; reports peak RSS.
 * Run: npx tsx packages/ebpf-model/bench/build.ts [services] [endpoints] [runs]   Writes reports/bench/ebpf-build.json.
 * With runs > 1 each run is a fresh child process (cold JIT and heap, as an agent's start), and the figures are
 * the median run's (by build seconds), every run's seconds, CPU seconds, peak RSS and load beside them: one run's
 * wall time on this shared 2-CPU VM moves by ±0.7 s at 100k.
 * bpf-lb-map-max is raised to 2^21 so the 1.2M services-map entries fit (the default 65536 would overflow,
 * which the sizing table would report).
 */
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { ipToU32 } from '@dataplane-sim/cluster'
import { batchResults, tupleBatchOf } from '../src/datapath/batch'
import { buildEbpfNode } from '../src/node/buildEbpfNode'
import { benchCluster } from './_cluster'
import { benchReport, cpuSeconds } from './_report'

const services = Number(process.argv[2] ?? 100_000)
const endpoints = Number(process.argv[3] ?? 10)
const runs = Math.max(1, Number(process.argv[4] ?? 1))
const CHILD = 'DPSIM_BUILD_BENCH_CHILD'
const description = (pods: number, nodes: number, policies: number) =>
  `buildEbpfNode for ${services} services × ${endpoints} endpoints (generateCluster seed 1, ${pods} pods, ${nodes} nodes, ${policies} policies): ` +
  "agent initial sync into the model maps, one node; CPU seconds (all threads, GC included) beside wall seconds, and the 1-minute load average when the build ended. firstLeanPacketSeconds: the first lean packet after it (one first packet through classifyTuples), which makes the simulator caches the build leaves to first use: the services map's hot-field index of its masters, its slots' copies of their backends' address and ipcache answer, and, in each master's cell, copies of its first two slots' (since session 16) (not BPF maps; the lean datapath reads them)." +
  (runs > 1 ? ` The median of ${runs} runs, each a fresh process (runs: every run's figures, in order).` : '')

if (runs > 1 && !process.env[CHILD]) {
  // each run a fresh process: the parent only collects the children's figures
  const results: Array<{ figures: Record<string, unknown>; pods: number; nodes: number; policies: number }> =
    []
  for (let r = 0; r < runs; r++) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), String(services), String(endpoints)],
      { env: { ...process.env, [CHILD]: '1' }, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
    )
    if (child.status !== 0) throw new Error(`build run ${r + 1} failed: ${child.stderr}`)
    results.push(JSON.parse(child.stdout.trim().split('\n').pop() ?? ''))
    process.stderr.write(`run ${r + 1}: ${results[r].figures.buildSeconds} s\n`)
  }
  const byTime = [...results].sort((a, b) => Number(a.figures.buildSeconds) - Number(b.figures.buildSeconds))
  const median = byTime[(byTime.length - 1) >> 1]
  benchReport(
    'ebpf-build',
    description(median.pods, median.nodes, median.policies),
    { buildSeconds: 5 },
    {
      ...median.figures,
      runs: results.map((x) => ({
        buildSeconds: x.figures.buildSeconds,
        buildCpuSeconds: x.figures.buildCpuSeconds,
        firstLeanPacketSeconds: x.figures.firstLeanPacketSeconds,
        peakRssBytes: x.figures.peakRssBytes,
        loadAverage1mAfterBuild: x.figures.loadAverage1mAfterBuild,
      })),
    },
    services === 100_000 && endpoints === 10,
  )
  process.exit(0)
}

let peakRss = 0
const sample = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 50)

const g0 = performance.now()
const cluster = benchCluster(services, endpoints)
const generateSeconds = (performance.now() - g0) / 1000
const node = cluster.nodes[0].name
// a full collection before the timed build, so the cluster generator's garbage is not collected inside it
// (`global.gc` exists only under --expose-gc, which `npx tsx` does not pass: the flag is set at run time)
setFlagsFromString('--expose-gc')
;(runInNewContext('gc') as () => void)()
const rssBefore = process.memoryUsage().rss
const c0 = cpuSeconds()
const t0 = performance.now()
const n = buildEbpfNode(cluster, node, { bpfLbMapMax: 2 ** 21 })
const buildSeconds = (performance.now() - t0) / 1000
const buildCpuSeconds = cpuSeconds() - c0
peakRss = Math.max(peakRss, process.memoryUsage().rss)
// What the build leaves to the datapath's first lean packet: the services map's hot-field index of its masters,
// its slots' copies of their backends' address and ipcache answer, and the masters' cells' copies of their first
// two slots' (simulator caches beside the BPF maps, made on first use). Timed on one first packet from a pod of the node to a cluster IP.
const client = cluster.pods.find((p) => p.nodeName === node && !p.hostNetwork)
const vip = cluster.services.find((s) => s.clusterIP !== 'None' && s.ports.some((p) => p.protocol === 'TCP'))
let firstLeanPacketSeconds: number | null = null
if (client && vip) {
  const port = vip.ports.find((p) => p.protocol === 'TCP')?.port ?? 0
  const t1 = performance.now()
  n.datapath.classifyTuples(
    tupleBatchOf([
      { proto: 6, saddr: ipToU32(client.ip), sport: 40000, daddr: ipToU32(vip.clusterIP), dport: port },
    ]),
    batchResults(1),
  )
  firstLeanPacketSeconds = (performance.now() - t1) / 1000
}
peakRss = Math.max(peakRss, process.memoryUsage().rss)
clearInterval(sample)
const rows = n.sizing()
const entries = Object.fromEntries(
  rows
    .filter((r) => !r.map.startsWith('cilium_policy_'))
    .map((r) => [r.map, { entries: r.entries, max: r.max }]),
)
const policyMaps = rows.filter((r) => r.map.startsWith('cilium_policy_'))
const figures = {
  generateSeconds: Number(generateSeconds.toFixed(2)),
  buildSeconds: Number(buildSeconds.toFixed(2)),
  buildCpuSeconds: Number(buildCpuSeconds.toFixed(2)),
  firstLeanPacketSeconds: firstLeanPacketSeconds === null ? null : Number(firstLeanPacketSeconds.toFixed(3)),
  loadAverage1mAfterBuild: Number(loadavg()[0].toFixed(2)),
  peakRssBytes: peakRss,
  rssBeforeBuildBytes: rssBefore,
  entries,
  policyMaps: policyMaps.length,
  policyEntries: policyMaps.reduce((a, r) => a + r.entries, 0),
  overflows: n
    .overflows()
    .map((o) => `${o.map}${o.owner ? ` ${o.owner}` : ''}: ${o.needed} > ${o.max}`)
    .slice(0, 10),
}
const shape = {
  pods: cluster.pods.length,
  nodes: cluster.nodes.length,
  policies: cluster.networkPolicies.length,
}
if (process.env[CHILD]) process.stdout.write(`${JSON.stringify({ figures, ...shape })}\n`)
else
  benchReport(
    'ebpf-build',
    description(shape.pods, shape.nodes, shape.policies),
    { buildSeconds: 5 },
    figures,
    services === 100_000 && endpoints === 10,
  )
