/**
 * First-packet classification at 10k services: a pod on the node opens new connections to random ClusterIPs,
 * walking nat PREROUTING → KUBE-SERVICES (sequential, one rule per service port) → KUBE-SVC → KUBE-SEP and
 * filter FORWARD with Calico's chains. Reports the simulator's µs per packet (JS), the rules it evaluated and
 * the modeled kernel time, next to the published first-packet latency at 10k services (kubernetes.io blog
 * "NFTables mode for kube-proxy": p50 0.062 ms). Writes reports/bench/iptables-classify.json.
 *
 *   npx tsx packages/iptables-model/bench/classify.ts [services] [endpoints] [packets]
 */
import { createRng, type Packet } from '@dataplane-sim/cluster'
import { BenchRun, cpuSeconds } from '@dataplane-sim/cluster/bench'
import { buildIptablesNode } from '../src/node/iptablesNode'
import { benchCluster, repoRoot } from './_cluster'

const bench = new BenchRun()

const services = Number(process.argv[2] ?? 10_000)
const endpoints = Number(process.argv[3] ?? 5)
const packets = Number(process.argv[4] ?? 3000)

const { cluster, node } = benchCluster(services, endpoints, Math.round(services / 10))
const t0 = performance.now()
const n = buildIptablesNode(cluster, node)
const buildSeconds = (performance.now() - t0) / 1000
const fp = n.footprint()
console.log(
  `node built in ${buildSeconds.toFixed(1)} s: ${fp.items.map((i) => `${i.name} ${i.entries} rules`).join(', ')}`,
)

const client = cluster.pods.find((p) => !p.hostNetwork)!
const frontends = cluster.services
  .filter((s) => s.clusterIP !== 'None')
  .flatMap((s) =>
    s.ports.map((p) => ({
      ip: s.clusterIP,
      port: p.port,
      proto: p.protocol.toLowerCase() as Packet['protocol'],
    })),
  )
const rng = createRng(7)
const list: Packet[] = []
for (let k = 0; k < packets; k++) {
  const f = frontends[Math.floor(rng.float() * frontends.length)]
  list.push({ protocol: f.proto, src: client.ip, dst: f.ip, sport: 10000 + (k % 50000), dport: f.port })
}

let rules = 0
let ns = 0
const t = performance.now()
const c = cpuSeconds()
for (const p of list) {
  const tr = n.classify(p, { steps: false })
  rules += tr.cost.counts['ipt.rule'] ?? 0
  ns += tr.cost.ns
}
const seconds = (performance.now() - t) / 1000
const cpu = cpuSeconds() - c
const perPacketUs = (seconds / packets) * 1e6
console.log(
  `first packets: ${perPacketUs.toFixed(0)} µs each in JS (CPU ${((cpu / packets) * 1e6).toFixed(0)} µs), ${(rules / packets).toFixed(0)} rules evaluated on average, modeled kernel ${(ns / packets / 1000).toFixed(1)} µs`,
)

const out = bench.write(repoRoot, 'iptables-classify', {
  input: {
    services,
    endpoints,
    packets,
    node,
    from: `pod ${client.namespace}/${client.name}`,
    to: 'random ClusterIPs, each a new connection',
  },
  figures: {
    buildSeconds,
    footprint: fp.items,
    jsMicrosecondsPerPacket: perPacketUs,
    cpuMicrosecondsPerPacket: (cpu / packets) * 1e6,
    rulesEvaluatedMean: rules / packets,
    modeledKernelMicrosecondsMean: ns / packets / 1000,
    published:
      'first-packet latency at 10k services, iptables mode: p50 0.062 ms, p99 0.26 ms (kubernetes.io NFTables blog)',
  },
})
console.log(`wrote ${out}`)
