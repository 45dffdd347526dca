/**
 * Generation benchmark: time and peak RSS of generateCluster for 100k services × 10 endpoints (and a few
 * smaller sizes), plus serialization. Run: npx tsx packages/cluster/bench/generate.ts
 * Writes reports/bench/generate.json (with the load average, which says whether the timings are trustworthy).
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { generateCluster, serializeCluster, validateCluster } from '@dataplane-sim/cluster'
import { BenchRun } from '@dataplane-sim/cluster/bench'

const bench = new BenchRun()

const sizes = [
  { services: 1_000, endpoints: 10 },
  { services: 10_000, endpoints: 10 },
  { services: 100_000, endpoints: 10 },
]
const figures: Array<Record<string, number | string>> = []
let peakRss = process.memoryUsage().rss
const sample = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 5)
sample.unref()

for (const size of sizes) {
  global.gc?.()
  const rssBefore = process.memoryUsage().rss
  peakRss = rssBefore
  const t0 = performance.now()
  // 1M pods need more than 10.244.0.0/16: a /8 gives every one of the ~9100 nodes its /24.
  const cluster = generateCluster({ ...size, seed: 1, podCIDR: '10.0.0.0/8' })
  const t1 = performance.now()
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  validateCluster(cluster)
  const t2 = performance.now()
  const bytes = size.services <= 10_000 ? serializeCluster(cluster).length : Number.NaN
  const t3 = performance.now()
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  const row = {
    services: size.services,
    endpointsPerService: size.endpoints,
    nodes: cluster.nodes.length,
    pods: cluster.pods.length,
    endpointSlices: cluster.endpointSlices.length,
    policies: cluster.networkPolicies.length,
    generateSeconds: round((t1 - t0) / 1000),
    validateSeconds: round((t2 - t1) / 1000),
    serializeSeconds: Number.isNaN(bytes) ? 'skipped' : round((t3 - t2) / 1000),
    jsonBytes: Number.isNaN(bytes) ? 'skipped' : bytes,
    peakRssMiB: round(peakRss / 2 ** 20),
    loadAverage1m: round(loadavg()[0]),
    rssBeforeMiB: round(rssBefore / 2 ** 20),
  }
  figures.push(row)
  console.log(JSON.stringify(row))
}

const out = bench.write(join(import.meta.dirname, '..', '..', '..'), 'generate', {
  description: 'generateCluster time and peak RSS (sampled every 5 ms) per size',
  figures,
})
console.log(`wrote ${out}`)

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
