/**
 * One-service update JS time against cluster size: the agent's `apply` of removing the middle ClusterIP
 * service and adding it back (the report's update suite's addService / removeService pair), and of dropping one
 * endpoint of it and restoring it, on a node built once per size (build not timed). The claim it checks: the
 * JS time stays flat from 100 to 100k services (the agent works from indexes; nothing scans the cluster).
 * Run: npx tsx packages/ebpf-model/bench/update.ts [services,...] [rounds]   Writes reports/bench/ebpf-update.json
 * when the sizes span 100 → 100000.
 */
import { loadavg } from 'node:os'
import type { EndpointSlice } from '@dataplane-sim/cluster'
import { buildEbpfNode } from '../src/node/buildEbpfNode'
import { benchCluster } from './_cluster'
import { benchReport, cpuSeconds } from './_report'

const sizes = (process.argv[2] ?? '100,1000,10000,100000').split(',').map(Number)
const rounds = Number(process.argv[3] ?? 200)

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y)
  return s[s.length >> 1]
}
const p99 = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y)
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]
}

const points = []
for (const services of sizes) {
  const cluster = benchCluster(services, 10)
  const node = buildEbpfNode(cluster, cluster.nodes[0].name, { bpfLbMapMax: 2 ** 21 })
  const slices = new Map<string, EndpointSlice>()
  for (const s of cluster.endpointSlices)
    if (s.endpoints.length >= 2 && s.endpoints.every((e) => e.ready && !e.terminating))
      slices.set(`${s.namespace}/${s.serviceName}`, s)
  const candidates = cluster.services.filter(
    (s) => s.type === 'ClusterIP' && s.clusterIP !== 'None' && slices.has(`${s.namespace}/${s.name}`),
  )
  const svc = candidates[Math.floor(candidates.length / 2)]
  const slice = slices.get(`${svc.namespace}/${svc.name}`) as EndpointSlice
  const fewer = { ...slice, endpoints: slice.endpoints.slice(0, -1) }
  const timed = { addService: [] as number[], removeService: [] as number[], scaleEndpoints: [] as number[] }
  const time = (into: number[], f: () => void) => {
    const t0 = performance.now()
    f()
    into.push((performance.now() - t0) * 1e6)
  }
  const c0 = cpuSeconds()
  const w0 = performance.now()
  for (let i = 0; i < rounds; i++) {
    time(timed.removeService, () =>
      node.apply({ op: 'delete', kind: 'Service', namespace: svc.namespace, name: svc.name }),
    )
    time(timed.addService, () => node.apply({ op: 'upsert', kind: 'Service', object: svc }))
    time(timed.scaleEndpoints, () => node.apply({ op: 'upsert', kind: 'EndpointSlice', object: fewer }))
    time(timed.scaleEndpoints, () => node.apply({ op: 'upsert', kind: 'EndpointSlice', object: slice }))
  }
  const point = {
    services,
    pods: cluster.pods.length,
    servicesMapEntries: node.maps.services.size,
    wallSeconds: Number(((performance.now() - w0) / 1000).toFixed(3)),
    cpuSeconds: Number((cpuSeconds() - c0).toFixed(3)),
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
    medianNs: Object.fromEntries(Object.entries(timed).map(([k, v]) => [k, Math.round(median(v))])),
    p99Ns: Object.fromEntries(Object.entries(timed).map(([k, v]) => [k, Math.round(p99(v))])),
  }
  points.push(point)
  process.stderr.write(`${JSON.stringify(point)}\n`)
}
const first = points[0]
const last = points[points.length - 1]
benchReport(
  'ebpf-update',
  `eBPF agent apply() JS time for one service (remove + add back the middle ClusterIP service, drop one endpoint and restore it), ${rounds} rounds per size; generateCluster seed 1, 10 endpoints per service, services/100 policies; built once per size, not timed`,
  { addServiceGrowth: '< 3× from the smallest to the largest size (the report claim ebpf-update-js-flat)' },
  {
    points,
    addServiceGrowth: Number((last.medianNs.addService / first.medianNs.addService).toFixed(2)),
  },
  sizes[0] === 100 && sizes[sizes.length - 1] === 100_000,
)
