import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatPacket, generateCluster, serializeCluster } from '@dataplane-sim/cluster'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../program'
import { traceClusterCommand } from './trace-cluster'

const dir = mkdtempSync(join(tmpdir(), 'dpsim-trace-cluster-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cluster = generateCluster({ services: 8, endpoints: 2, nodes: 2, policies: 3, seed: 11 })
const FILE = join(dir, 'cluster.json')
writeFileSync(FILE, serializeCluster(cluster))
const client = cluster.pods.find((p) => !p.hostNetwork)!
// A pod that is not a backend of the service: a hairpin connection (a pod reaching itself through its own
// service) is where Calico and Cilium genuinely differ — Felix judges ingress policy in FORWARD before
// kube-proxy's hairpin MASQUERADE, Cilium after its hairpin SNAT — so it is compared elsewhere.
const clientFor = (svc: string) => {
  const backends = new Set(
    cluster.endpointSlices
      .filter((s) => `${s.namespace}/${s.serviceName}` === svc)
      .flatMap((s) => s.endpoints.map((e) => e.address)),
  )
  return cluster.pods.find((p) => !p.hostNetwork && !backends.has(p.ip))!
}

describe('dpsim trace CLUSTER (both dataplanes)', () => {
  it('agrees between iptables and eBPF, and with Kubernetes, for a first packet to every ClusterIP port', () => {
    for (const svc of cluster.services.filter((s) => s.clusterIP !== 'None'))
      for (const port of svc.ports) {
        const proto = port.protocol.toLowerCase() as 'tcp' | 'udp' | 'sctp'
        const packet = formatPacket({
          protocol: proto,
          src: clientFor(`${svc.namespace}/${svc.name}`).ip,
          sport: 40000,
          dst: svc.clusterIP,
          dport: port.port,
        })
        const out = JSON.parse(
          traceClusterCommand(FILE, packet, { dataplane: 'both', enumerate: true, json: true }),
        )
        expect(out.disagreements, packet).toEqual([])
        expect(out.dataplanes.iptables.verdict, packet).toBe(out.reference.verdict)
        expect(out.dataplanes.ebpf.verdict, packet).toBe(out.reference.verdict)
        const keys = (cs: Array<{ ip: string; port: number }>) => cs.map((c) => `${c.ip}:${c.port}`).sort()
        expect(keys(out.dataplanes.ebpf.candidates), packet).toEqual(keys(out.reference.candidates))
      }
  })

  it('prints both traces side by side with their modeled cost', () => {
    const svc = cluster.services.find((s) => s.clusterIP !== 'None')!
    const out = traceClusterCommand(
      FILE,
      formatPacket({
        protocol: 'tcp',
        src: client.ip,
        sport: 40001,
        dst: svc.clusterIP,
        dport: svc.ports[0].port,
      }),
      { dataplane: 'both' },
    )
    expect(out).toMatch(/^== iptables ==$/m)
    expect(out).toMatch(/^== ebpf ==$/m)
    expect(out).toMatch(/nat:KUBE-SERVICES:rule:\d+ {2}match/)
    expect(out).toMatch(/cilium_lb4_services_v2/)
    expect(out).toMatch(/^cost: iptables \d+ ns vs eBPF \d+ ns modeled/m)
  })

  it('exits 2 naming the file and line on a bad cluster, and on a bad --dataplane', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{\n  "schemaVersion": 1,\n  "nodes": [}\n')
    const errors: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((s: string) => errors.push(s) > 0) as typeof process.stderr.write
    try {
      expect(await runCli(['trace', bad, 'tcp 10.0.0.1:1 -> 10.0.0.2:2'])).toBe(2)
      expect(await runCli(['trace', FILE, 'tcp 10.0.0.1:1 -> 10.0.0.2:2', '--dataplane', 'ipvs'])).toBe(2)
    } finally {
      process.stderr.write = write
    }
    expect(errors[0]).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3(:\\d+)?: `))
    expect(errors[1]).toMatch(/--dataplane: expected iptables, ebpf or both/)
  })
})
