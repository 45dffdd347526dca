/**
 * Rendering kube-proxy's iptables-restore input for 100k services × 5 endpoints (target ≤ 10 s), with peak RSS,
 * and the whole node (kube-proxy + Calico-style policy) as iptables-save text. Writes
 * reports/bench/iptables-render.json.
 *
 *   npx tsx packages/iptables-model/bench/render.ts [services] [endpoints]
 */
import { BenchRun, cpuSeconds } from '@dataplane-sim/cluster/bench'
import { renderKubeProxy } from '../src/render/kubeProxy/kubeProxy'
import { kubeProxyRestoreText } from '../src/render/kubeProxy/restoreText'
import { nodeSaveText, renderNode } from '../src/render/nodeRuleset'
import { benchCluster, repoRoot } from './_cluster'

const bench = new BenchRun()

const services = Number(process.argv[2] ?? 100_000)
const endpoints = Number(process.argv[3] ?? 5)
let peakRss = 0
const sample = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 50)

function timed<T>(f: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const t = performance.now()
  const c = cpuSeconds()
  const value = f()
  return { value, seconds: (performance.now() - t) / 1000, cpuSeconds: cpuSeconds() - c }
}

const gen = timed(() => benchCluster(services, endpoints, Math.round(services / 10)))
const { cluster, node } = gen.value
console.log(`cluster: ${services} services × ${endpoints} endpoints generated in ${gen.seconds.toFixed(1)} s`)
const rssBefore = process.memoryUsage().rss

const render = timed(() => renderKubeProxy(cluster, node))
const text = timed(() => kubeProxyRestoreText(render.value))
const lines = text.value.split('\n').length - 1
const kubeSeconds = render.seconds + text.seconds
const kubeCpu = render.cpuSeconds + text.cpuSeconds
console.log(
  `kube-proxy restore input: ${lines} lines, ${(text.value.length / 1e6).toFixed(0)} MB in ${kubeSeconds.toFixed(2)} s (CPU ${kubeCpu.toFixed(2)} s), large-cluster mode ${render.value.largeClusterMode}`,
)

const whole = timed(() => nodeSaveText(renderNode(cluster, node)))
const wholeLines = whole.value.split('\n').length - 1
console.log(
  `whole node (kube-proxy + Calico) iptables-save text: ${wholeLines} lines in ${whole.seconds.toFixed(2)} s (CPU ${whole.cpuSeconds.toFixed(2)} s)`,
)
clearInterval(sample)
peakRss = Math.max(peakRss, process.memoryUsage().rss)
console.log(`peak RSS ${(peakRss / 1e6).toFixed(0)} MB (cluster alone ${(rssBefore / 1e6).toFixed(0)} MB)`)

const report = {
  input: {
    services,
    endpoints,
    policies: cluster.networkPolicies.length,
    node,
    localPods: cluster.pods.length,
  },
  figures: {
    kubeProxy: {
      what: 'renderKubeProxy + kubeProxyRestoreText: the full-sync iptables-restore input kube-proxy writes',
      lines,
      bytes: text.value.length,
      seconds: kubeSeconds,
      cpuSeconds: kubeCpu,
      renderSeconds: render.seconds,
      textSeconds: text.seconds,
      largeClusterMode: render.value.largeClusterMode,
      targetSeconds: 10,
    },
    wholeNode: {
      what: 'renderNode + nodeSaveText: kube-proxy and Calico-style policy as iptables-save text',
      lines: wholeLines,
      seconds: whole.seconds,
      cpuSeconds: whole.cpuSeconds,
    },
    peakRssMB: Math.round(peakRss / 1e6),
    clusterRssMB: Math.round(rssBefore / 1e6),
  },
}
const out = bench.write(repoRoot, 'iptables-render', report)
console.log(`wrote ${out}`)
