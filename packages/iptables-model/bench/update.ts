/**
 * A one-service update at 100k services × 5 endpoints: the JS time of kube-proxy's partial sync (re-render the
 * changed service, write the restore input) and the modeled iptables-restore seconds for legacy and nft, next
 * to a full sync; then the same update end to end through buildIptablesNode (parse, restore, engine reload)
 * at a smaller scale. Writes reports/bench/iptables-update.json.
 *
 *   npx tsx packages/iptables-model/bench/update.ts [services] [endpoints] [endToEndServices]
 */
import { applyChange, type Cluster, type ClusterChange } from '@dataplane-sim/cluster'
import { BenchRun, cpuSeconds } from '@dataplane-sim/cluster/bench'
import { modelRestoreSeconds, type TableRestoreTerms } from '../src/cost/restoreCost'
import { buildIptablesNode } from '../src/node/iptablesNode'
import {
  KUBE_NAT_FIXED_CHAINS,
  type KubeProxyRender,
  kubeFilterChains,
} from '../src/render/kubeProxy/kubeProxy'
import { KubeProxySync } from '../src/sync/kubeProxySync'
import { benchCluster, repoRoot } from './_cluster'

const bench = new BenchRun()

const services = Number(process.argv[2] ?? 100_000)
const endpoints = Number(process.argv[3] ?? 5)
const e2eServices = Number(process.argv[4] ?? 5_000)

const lineCount = (block: string) => (block ? block.split('\n').length : 0)

/** Rules and chains each table holds after a sync of `r` (kube-proxy's chains only, plus built-ins). */
function tableTerms(r: KubeProxyRender, input: string): TableRestoreTerms[] {
  let natRules = 4 + 1 // KUBE-POSTROUTING, KUBE-MARK-MASQ, the nodeports tail
  let natChains = KUBE_NAT_FIXED_CHAINS.length + 4
  let filterRules = 3 + (r.options.localhostNodePorts ? 1 : 0)
  const filterChains = kubeFilterChains(r.options).length + 3
  for (const chunks of r.services.values())
    for (const ch of chunks) {
      natRules += lineCount(ch.natTopRules) + lineCount(ch.natRules)
      natChains += ch.natChains.length
      filterRules += lineCount(ch.filterRules)
    }
  const split = input.indexOf('*nat')
  return [
    {
      table: 'filter',
      lines: lineCount(input.slice(0, split)),
      rulesAfter: filterRules,
      chainsAfter: filterChains,
    },
    { table: 'nat', lines: lineCount(input.slice(split)) - 1, rulesAfter: natRules, chainsAfter: natChains },
  ]
}

/** Drop the last endpoint of the i-th service with endpoints: the most common watch event. */
function endpointChange(c: Cluster, i: number): ClusterChange {
  const slices = c.endpointSlices.filter((s) => s.endpoints.length > 1)
  const s = slices[i % slices.length]
  return { op: 'upsert', kind: 'EndpointSlice', object: { ...s, endpoints: s.endpoints.slice(0, -1) } }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const { cluster, node } = benchCluster(services, endpoints)
console.log(`cluster: ${services} services × ${endpoints} endpoints`)
const sync = new KubeProxySync(cluster, node)
const partial = { js: [] as number[], cpu: [] as number[], lines: 0, bytes: 0, legacy: 0, nft: 0 }
let current = cluster
for (let k = 0; k < 7; k++) {
  const change = endpointChange(current, k * 997)
  const next = applyChange(current, change)
  const t = performance.now()
  const c = cpuSeconds()
  const res = sync.apply(change, next)
  partial.js.push((performance.now() - t) / 1000)
  partial.cpu.push(cpuSeconds() - c)
  current = next
  if (k === 0) {
    const terms = tableTerms(sync.current, res.input)
    partial.lines = res.input.split('\n').length - 1
    partial.bytes = res.input.length
    partial.legacy = modelRestoreSeconds(terms, 'legacy')
    partial.nft = modelRestoreSeconds(terms, 'nft')
  }
}
const fullInput = sync.fullInput()
const fullTerms = tableTerms(sync.current, fullInput)
const full = {
  lines: fullInput.split('\n').length - 1,
  bytes: fullInput.length,
  legacy: modelRestoreSeconds(fullTerms, 'legacy'),
  nft: modelRestoreSeconds(fullTerms, 'nft'),
}
console.log(
  `partial sync of one service: JS ${(median(partial.js) * 1000).toFixed(0)} ms (CPU ${(median(partial.cpu) * 1000).toFixed(0)} ms), ${partial.lines} lines; modeled restore legacy ${partial.legacy.toFixed(2)} s, nft ${partial.nft.toFixed(2)} s`,
)
console.log(
  `full sync: ${full.lines} lines; modeled restore legacy ${full.legacy.toFixed(2)} s, nft ${full.nft.toFixed(2)} s`,
)

// end to end at a smaller scale: render, parse, restore --noflush on the installed ruleset, engine reload
const small = benchCluster(e2eServices, endpoints)
const t0 = performance.now()
const n = buildIptablesNode(small.cluster, small.node)
const buildSeconds = (performance.now() - t0) / 1000
const e2e: number[] = []
let report = n.apply(endpointChange(small.cluster, 0))
let cur = applyChange(small.cluster, endpointChange(small.cluster, 0))
for (let k = 1; k < 6; k++) {
  const change = endpointChange(cur, k * 131)
  const t = performance.now()
  report = n.apply(change)
  e2e.push((performance.now() - t) / 1000)
  cur = applyChange(cur, change)
}
console.log(
  `end to end at ${e2eServices} services: build ${buildSeconds.toFixed(1)} s, apply ${(median(e2e) * 1000).toFixed(0)} ms, ${report.counts['restore.lines']} lines, modeled legacy ${report.variants!.legacy.toFixed(3)} s, nft ${report.variants!.nft.toFixed(3)} s`,
)

const out = bench.write(repoRoot, 'iptables-update', {
  input: { services, endpoints, change: 'one EndpointSlice loses an endpoint' },
  figures: {
    partialSync: {
      what: 'KubeProxySync.apply: re-render the changed service, write the KEP-3453 partial restore input',
      jsSecondsMedian: median(partial.js),
      cpuSecondsMedian: median(partial.cpu),
      lines: partial.lines,
      bytes: partial.bytes,
      modeledRestoreSeconds: { legacy: partial.legacy, nft: partial.nft },
    },
    fullSync: {
      lines: full.lines,
      bytes: full.bytes,
      modeledRestoreSeconds: { legacy: full.legacy, nft: full.nft },
    },
    endToEnd: {
      what: 'buildIptablesNode(...).apply(change): sync, restore --noflush on the parsed ruleset, engine reload',
      services: e2eServices,
      buildSeconds,
      applySecondsMedian: median(e2e),
      counts: report.counts,
      modeledRestoreSeconds: report.variants,
    },
  },
})
console.log(`wrote ${out}`)
