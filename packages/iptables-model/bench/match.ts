/**
 * ns per rule evaluated on a long chain of kube-proxy-shaped rules: N services in nat KUBE-SERVICES
 * (`-d CLUSTER-IP/32 -p tcp -m comment --comment "..." -m tcp --dport 80 -j KUBE-SVC-...`), and first packets
 * (new connections, so the nat table is walked) to the last service, which walks all N rules. Also the filter
 * FORWARD shape of anchors.md (N non-matching `-s` rules). Writes reports/bench/iptables-match.json.
 *
 *   npx tsx packages/iptables-model/bench/match.ts [rules]
 */
import { join } from 'node:path'
import type { Packet } from '@dataplane-sim/cluster'
import { BenchRun } from '@dataplane-sim/cluster/bench'
import { parseIptablesSave } from '../src/codec/parse'
import { Netfilter } from '../src/engine/netfilter'

const bench = new BenchRun()
const N = Number(process.argv[2] ?? 10_000)
const root = join(import.meta.dirname, '..', '..', '..')
const ip = (i: number): string => `10.96.${(i >> 8) & 255}.${i & 255}`

function natDump(n: number): string {
  const out = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
  ]
  for (let i = 0; i < n; i++) out.push(`:KUBE-SVC-${i} - [0:0]`)
  out.push('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES')
  for (let i = 0; i < n; i++)
    out.push(
      `-A KUBE-SERVICES -d ${ip(i)}/32 -p tcp -m comment --comment "ns/svc${i}:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-${i}`,
    )
  for (let i = 0; i < n; i++)
    out.push(
      `-A KUBE-SVC-${i} -p tcp -m tcp -j DNAT --to-destination 10.244.${(i >> 8) & 255}.${i & 255}:8080`,
    )
  out.push('COMMIT', '')
  return out.join('\n')
}

function filterDump(n: number): string {
  const out = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]']
  for (let i = 0; i < n; i++) out.push(`-A FORWARD -s 198.18.${(i >> 8) & 255}.${i & 255}/32 -j DROP`)
  out.push('COMMIT', '')
  return out.join('\n')
}

function measure(
  name: string,
  nf: Netfilter,
  packet: (k: number) => Packet,
  packets: number,
): { nsPerRule: number; rulesPerPacket: number; usPerPacket: number } {
  // warm up the JIT, then time
  for (let k = 0; k < 200; k++) nf.classify(packet(next++), { steps: false })
  let rules = 0
  // CPU time of this process, not wall time: the machine is shared and wall time counts other processes' turns
  const t0 = process.cpuUsage()
  for (let k = 0; k < packets; k++)
    rules += nf.classify(packet(next++), { steps: false }).cost.counts['ipt.rule']
  const used = process.cpuUsage(t0)
  const ns = (used.user + used.system) * 1000
  const r = { nsPerRule: ns / rules, rulesPerPacket: rules / packets, usPerPacket: ns / packets / 1000 }
  console.log(
    `${name}: ${r.rulesPerPacket.toFixed(0)} rules per packet, ${r.usPerPacket.toFixed(1)} µs per packet, ${r.nsPerRule.toFixed(2)} ns per rule evaluated`,
  )
  return r
}

/** every packet a new connection (a fresh source port / address), so the nat table is walked each time */
let next = 0
const node = { localIps: ['192.168.1.10'], podCidrs: ['10.244.0.0/16'] }
const nat = new Netfilter(parseIptablesSave(natDump(N)), node)
const last = ip(N - 1)
const natRuns = [1, 2, 3].map(() =>
  measure(
    `nat KUBE-SERVICES, ${N} services, first packets to the last one`,
    nat,
    (k) => ({
      protocol: 'tcp',
      src: `192.168.${(k >> 16) & 255}.${(k >> 8) & 255}`,
      dst: last,
      sport: 1024 + (k & 255),
      dport: 80,
    }),
    2000,
  ),
)
const filter = new Netfilter(parseIptablesSave(filterDump(N)), node)
const filterRuns = [1, 2, 3].map(() =>
  measure(
    `filter FORWARD, ${N} non-matching -s rules (anchors.md shape)`,
    filter,
    (k) => ({ protocol: 'icmp', src: `192.168.5.${k & 255}`, dst: '10.244.1.5', sport: 0, dport: 0 }),
    2000,
  ),
)
const best = (runs: Array<{ nsPerRule: number }>): number => Math.min(...runs.map((r) => r.nsPerRule))
const report = {
  rules: N,
  kubeServices: { runs: natRuns, bestNsPerRule: best(natRuns) },
  filterForward: { runs: filterRuns, bestNsPerRule: best(filterRuns) },
  target: '<= 15 ns per rule evaluated (the kernel here: 8-12 ns, anchors.md)',
}
console.log(`wrote ${bench.write(root, 'iptables-match', report)}`)
