/**
 * Building all maps of one node for 100k services × 10 endpoints: the agent's initial sync (identities,
 * ipcache, LB maps, per-endpoint policy maps) into the model's BPF maps. Target ≤ 5 s; reports peak RSS.
 * Run: npx tsx packages/ebpf-model/bench/build.ts [services] [endpoints]   Writes reports/bench/ebpf-build.json.
 * bpf-lb-map-max is raised to 2^21 so the 1.2M services-map entries fit (the default 65536 would overflow,
 * which the sizing table would report).
 */
import { loadavg } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { buildEbpfNode } from '../src/node/buildEbpfNode'
import { benchCluster } from './_cluster'
import { benchReport, cpuSeconds } from './_report'

const services = Number(process.argv[2] ?? 100_000)
const endpoints = Number(process.argv[3] ?? 10)
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
clearInterval(sample)
const rows = n.sizing()
const entries = Object.fromEntries(
  rows
    .filter((r) => !r.map.startsWith('cilium_policy_'))
    .map((r) => [r.map, { entries: r.entries, max: r.max }]),
)
const policyMaps = rows.filter((r) => r.map.startsWith('cilium_policy_'))
benchReport(
  'ebpf-build',
  `buildEbpfNode for ${services} services × ${endpoints} endpoints (generateCluster seed 1, ${cluster.pods.length} pods, ${cluster.nodes.length} nodes, ${cluster.networkPolicies.length} policies): ` +
    'agent initial sync into the model maps, one node; CPU seconds (all threads, GC included) beside wall seconds, and the 1-minute load average when the build ended.',
  { buildSeconds: 5 },
  {
    generateSeconds: Number(generateSeconds.toFixed(2)),
    buildSeconds: Number(buildSeconds.toFixed(2)),
    buildCpuSeconds: Number(buildCpuSeconds.toFixed(2)),
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
  },
  services === 100_000 && endpoints === 10,
)
