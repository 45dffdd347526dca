/**
 * First packets per second through the whole eBPF pipeline on one core, steps off: each packet is a new
 * connection from a local pod to a random ClusterIP (socket-LB service lookup + slot + backend, bpf_lxc CT
 * miss, ipcache, egress policy, CT create, delivery), so nothing is cached. Target ≥ 1M/s at 100k services.
 * Also the tc-path variant (bpfLbSock=false), Maglev, and established packets for comparison.
 *
 * Two entry points are timed: `classify(Packet)` (the contract: addresses as text, what the report's match
 * suite calls) and `Datapath.classifyTuple` (the same path on a numeric tuple, no text parsing). The
 * `target` is judged on the numeric entry; both are printed. Per-packet JS ns are wall time / packets.
 *
 * Run: npx tsx packages/ebpf-model/bench/pipeline.ts [services...]   (default 100000; e.g. `100 10000 100000`
 * for the flatness sweep). Writes reports/bench/ebpf-pipeline.json when 100000 is among the sizes.
 */
import { loadavg } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { generateCluster, ipToU32, type Packet } from '@dataplane-sim/cluster'
import { buildEbpfNode, type EbpfNode } from '../src/node/buildEbpfNode'
import { benchReport, cpuSeconds } from './_report'

// a full collection before each timed run: at 100k services the previous runs' nodes are gigabytes of
// garbage, and a major GC landing inside one timed loop made figures vary 2-4x between runs
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [100_000]
const PACKETS = 200_000
const PROTO = { tcp: 6, udp: 17, sctp: 132, icmp: 1 } as const

function setup(services: number) {
  const cluster = generateCluster({
    seed: 1,
    services,
    endpoints: 2,
    policies: Math.round(services / 100),
    podCIDR: '10.0.0.0/8',
  })
  const nodeName = cluster.nodes[0].name
  // up to 16 local pods as clients (app=client first), so a batch's flows are distinct at any size
  const local = cluster.pods.filter((p) => p.nodeName === nodeName && !p.hostNetwork)
  const clients = [
    ...local.filter((p) => p.labels.app === 'client'),
    ...local.filter((p) => p.labels.app !== 'client'),
  ]
    .slice(0, 16)
    .map((p) => p.ip)
  if (clients.length === 0) throw new Error('no local pod')
  const vips = cluster.services
    .filter((s) => s.clusterIP !== 'None')
    .map((s) => ({ ip: s.clusterIP, port: s.ports[0].port, proto: s.ports[0].protocol }))
  return { cluster, nodeName, clients, vips }
}

type Setup = ReturnType<typeof setup>

/** `n` packets to random VIPs from the clients in turn, source ports from `base` on (distinct flows for n ≤ clients × 30000). */
function packets(s: Setup, n: number, seed: number, base: number, span = 30000): Packet[] {
  let x = seed
  const out: Packet[] = []
  const c = s.clients.length
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    const v = s.vips[x % s.vips.length]
    out.push({
      protocol: v.proto === 'UDP' ? 'udp' : 'tcp',
      src: s.clients[i % c],
      dst: v.ip,
      sport: base + (Math.floor(i / c) % span),
      dport: v.port,
    })
  }
  return out
}

interface Tuple {
  proto: number
  saddr: number
  sport: number
  daddr: number
  dport: number
}

const tupleOf = (p: Packet): Tuple => ({
  proto: PROTO[p.protocol],
  saddr: ipToU32(p.src),
  sport: p.sport,
  daddr: ipToU32(p.dst),
  dport: p.dport,
})

function timed(task: string, entry: 'classify(Packet)' | 'classifyTuple', n: number, body: () => number) {
  collect()
  const c0 = cpuSeconds()
  const t0 = performance.now()
  const ns = body()
  const seconds = (performance.now() - t0) / 1000
  const cpu = cpuSeconds() - c0
  return {
    task,
    entry,
    packets: n,
    wallSeconds: Number(seconds.toFixed(3)),
    cpuSeconds: Number(cpu.toFixed(3)),
    jsNsPerPacket: Math.round((seconds * 1e9) / n),
    packetsPerSecondWall: Math.round(n / seconds),
    packetsPerCpuSecond: Math.round(n / cpu),
    modeledNsPerPacket: Number((ns / n).toFixed(1)),
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
  }
}

function node(s: Setup, opts: Parameters<typeof buildEbpfNode>[2]): EbpfNode {
  return buildEbpfNode(s.cluster, s.nodeName, {
    ...opts,
    bpfLbMapMax: 2 ** 20,
    bpfCtGlobalTcpMax: 2 ** 22,
    bpfCtGlobalAnyMax: 2 ** 21,
  })
}

function run(s: Setup, label: string, opts: Parameters<typeof buildEbpfNode>[2], established = false) {
  const n = node(s, opts)
  const dp = n.datapath
  // warm-up (JIT) on flows of other source ports, through both entries
  for (const p of packets(s, 20_000, 3, 61024, 4000)) n.classify(p, { steps: false })
  for (const t of packets(s, 20_000, 5, 61024, 4000).map(tupleOf))
    dp.classifyTuple(t.proto, t.saddr, t.sport, t.daddr, t.dport, -1, { steps: false })
  const half = PACKETS / 2
  // source ports 1024.. for one entry, 31024.. for the other: every packet of a first-packet run is a new flow
  const textBatch = packets(s, half, 7, 1024)
  const tupleBatch = packets(s, half, 11, 31024).map(tupleOf)
  if (established) {
    for (const p of textBatch) n.classify(p, { steps: false })
    for (const t of tupleBatch)
      dp.classifyTuple(t.proto, t.saddr, t.sport, t.daddr, t.dport, -1, { steps: false })
  }
  const flags = established ? 0x10 : -1
  if (established) for (const p of textBatch) p.tcpFlags = ['ACK']
  const viaText = timed(label, 'classify(Packet)', half, () => {
    let ns = 0
    const opts = { steps: false }
    for (const p of textBatch) ns += n.classify(p, opts).cost.ns
    return ns
  })
  const viaTuple = timed(label, 'classifyTuple', half, () => {
    let ns = 0
    const opts = { steps: false }
    for (const t of tupleBatch)
      ns += dp.classifyTuple(t.proto, t.saddr, t.sport, t.daddr, t.dport, flags, opts).cost.ns
    return ns
  })
  return [viaText, viaTuple]
}

/**
 * The report's match-suite shape: first packets to 32 services sampled once (a hot working set, as
 * `dpsim report` times them), each a new flow; isolates what grows with the maps from cache misses on
 * random services.
 */
function runSampled(s: Setup, label: string) {
  const n = node(s, {})
  let x = 99
  const sample = Array.from({ length: Math.min(32, s.vips.length) }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    return s.vips[x % s.vips.length]
  })
  const c = s.clients.length
  const make = (count: number, base: number): Packet[] =>
    Array.from({ length: count }, (_, k) => {
      const v = sample[k % sample.length]
      return {
        protocol: v.proto === 'UDP' ? 'udp' : 'tcp',
        src: s.clients[Math.floor(k / sample.length) % c],
        dst: v.ip,
        sport: base + (Math.floor(k / (sample.length * c)) % 20000),
        dport: v.port,
        tcpFlags: v.proto === 'UDP' ? undefined : ['SYN'],
      }
    })
  for (const p of make(20_000, 44000)) n.classify(p, { steps: false })
  const batch = make(PACKETS / 2, 1024)
  return timed(label, 'classify(Packet)', batch.length, () => {
    let ns = 0
    const opts = { steps: false }
    for (const p of batch) ns += n.classify(p, opts).cost.ns
    return ns
  })
}

const points = []
for (const services of sizes) {
  const s = setup(services)
  const figures = [
    ...run(s, 'first packets, socket-LB (reference deployment)', {}),
    ...run(s, 'first packets, tc path (bpfLbSock=false)', { bpfLbSock: false }),
    ...run(s, 'first packets, socket-LB, Maglev', { bpfLbAlgorithm: 'maglev', maglevTableSize: 251 }),
    ...run(s, 'established packets, socket-LB', {}, true),
    runSampled(s, 'first packets to 32 sampled services (report match-suite shape), socket-LB'),
  ]
  points.push({ services, policies: s.cluster.networkPolicies.length, clients: s.clients.length, figures })
  process.stderr.write(`${services} services done\n`)
}
benchReport(
  'ebpf-pipeline',
  `classify() throughput of the model on one core (steps off) at ${sizes.join(', ')} services (generateCluster seed 1, 2 endpoints each, services/100 policies); ${PACKETS / 2} packets per entry point, each a new flow for first-packet tasks; simulator speed, not kernel speed (modeled kernel ns per packet beside it). classifyTuple is the numeric entry (no address parsing), classify(Packet) the contract's. A full GC runs before each timed loop. Provisional: 2 cores shared with other helpers; CPU seconds and the 1-minute load average beside wall figures.`,
  { firstPacketsPerSecond: 1_000_000, flatness: 'jsNsPerPacket at 100k services ≤ 3× that at 100 services' },
  points,
  sizes.includes(100_000),
)
