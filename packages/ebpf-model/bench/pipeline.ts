/**
 * First packets per second through the whole eBPF pipeline on one core, steps off: each packet is a new
 * connection from a local pod to a random ClusterIP (socket-LB service lookup + slot + backend, bpf_lxc CT
 * miss, ipcache, egress policy, CT create, delivery), so nothing is cached. Target ≥ 1M/s at 100k services.
 * Also the tc-path variant (bpfLbSock=false) and established packets for comparison.
 * Run: npx tsx packages/ebpf-model/bench/pipeline.ts [services]   Writes reports/bench/ebpf-pipeline.json.
 */
import { generateCluster, type Packet } from '@dataplane-sim/cluster'
import { buildEbpfNode } from '../src/node/buildEbpfNode'
import { benchReport, cpuSeconds } from './_report'

const services = Number(process.argv[2] ?? 100_000)
const PACKETS = 100_000
const cluster = generateCluster({
  seed: 1,
  services,
  endpoints: 2,
  policies: Math.round(services / 100),
  podCIDR: '10.0.0.0/8',
})
const nodeName = cluster.nodes[0].name
const client =
  cluster.pods.find((p) => p.nodeName === nodeName && !p.hostNetwork && p.labels.app === 'client') ??
  cluster.pods.find((p) => p.nodeName === nodeName && !p.hostNetwork)
if (!client) throw new Error('no local pod')
const vips = cluster.services
  .filter((s) => s.clusterIP !== 'None')
  .map((s) => ({ ip: s.clusterIP, port: s.ports[0].port, proto: s.ports[0].protocol }))

function packets(n: number, seed: number): Packet[] {
  let x = seed
  const out: Packet[] = []
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    const v = vips[x % vips.length]
    out.push({
      protocol: v.proto === 'UDP' ? 'udp' : 'tcp',
      src: client!.ip,
      dst: v.ip,
      sport: 1024 + (i % 60000),
      dport: v.port,
    })
  }
  return out
}

function run(label: string, opts: Parameters<typeof buildEbpfNode>[2], established = false) {
  const node = buildEbpfNode(cluster, nodeName, {
    ...opts,
    bpfLbMapMax: 2 ** 20,
    bpfCtGlobalTcpMax: 2 ** 22,
    bpfCtGlobalAnyMax: 2 ** 21,
  })
  const batch = packets(PACKETS, 7)
  // warm-up (JIT), on other source ports' flows
  for (const p of packets(20_000, 3)) node.classify({ ...p, sport: 65000 }, { steps: false })
  if (established) for (const p of batch) node.classify(p, { steps: false })
  const c0 = cpuSeconds()
  const t0 = performance.now()
  let ns = 0
  for (const p of batch) ns += node.classify(p, { steps: false }).cost.ns
  const seconds = (performance.now() - t0) / 1000
  const cpu = cpuSeconds() - c0
  return {
    task: label,
    packets: batch.length,
    wallSeconds: Number(seconds.toFixed(3)),
    cpuSeconds: Number(cpu.toFixed(3)),
    packetsPerSecondWall: Math.round(batch.length / seconds),
    packetsPerCpuSecond: Math.round(batch.length / cpu),
    modeledNsPerPacket: Number((ns / batch.length).toFixed(1)),
  }
}

const figures = [
  run('first packets, socket-LB (reference deployment)', {}),
  run('first packets, tc path (bpfLbSock=false)', { bpfLbSock: false }),
  run('first packets, socket-LB, Maglev', { bpfLbAlgorithm: 'maglev', maglevTableSize: 251 }),
  run('established packets, socket-LB', {}, true),
]
benchReport(
  'ebpf-pipeline',
  `classify() throughput of the model on one core (steps off), ${services} services (generateCluster seed 1, 2 endpoints each, ${cluster.networkPolicies.length} policies); simulator speed, not kernel speed (modeled kernel ns per packet beside it). Provisional: 2 cores shared with other helpers (load average 10+); packets per CPU second beside wall figures.`,
  { firstPacketsPerSecond: 1_000_000 },
  figures,
  services === 100_000,
)
