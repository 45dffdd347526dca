import { type Packet, parsePacket } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { CT_LIFETIME } from '../src/cilium/constants'
import { ipText } from '../src/datapath/addr'
import { batchResults, tupleBatchOf } from '../src/datapath/batch'
import { nextGcInterval } from '../src/datapath/conntrack'
import { packetTuple } from '../src/datapath/packetTuple'
import { buildEbpfNode, type EbpfNode } from '../src/node/buildEbpfNode'
import { service, slice, smallCluster, withApiService } from './fixtures'

const mapsOf = (t: { steps: Array<{ where: string }> }) => t.steps.map((s) => s.where)

/**
 * `p` through `classifyTuples` (the lean path), then what `classify` shows of it: the connected socket's
 * DNAT, read back from the node's sockets (a lean packet keeps no trace).
 */
function viaBatch(node: EbpfNode, p: Packet): { dnat: { ip: string; port: number } | null } {
  const t = packetTuple(p)
  node.datapath.classifyTuples(tupleBatchOf([{ ...t, flags: -1 }]), batchResults(1))
  const sockets = node.datapath.sockets
  const e = sockets.findSocket(t.proto, t.saddr, t.sport, t.daddr, t.dport)
  return { dnat: e < 0 ? null : { ip: ipText(sockets.addr(e)), port: sockets.port(e) } }
}

describe('conntrack', () => {
  it('skips service selection for an established flow on the tc path and keeps its backend', () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a', { bpfLbSock: false, seed: 3 })
    const syn = parsePacket('tcp 10.244.0.10:40000 -> 10.96.0.10:80')
    const first = node.classify(syn)
    const again = node.classify({ ...syn, tcpFlags: ['ACK'] })
    expect(again.dnat).toEqual(first.dnat)
    // the established packet reads the service CT entry, not the slots
    expect(
      again.steps.filter(
        (s) => s.where === 'cilium_lb4_services_v2' && s.text.includes('slot ') && !s.text.includes('slot 0'),
      ),
    ).toEqual([])
    expect(again.steps.some((s) => s.where === 'cilium_ct4_global' && s.outcome === 'hit')).toBe(true)
    expect(again.cost.counts['bpf.lookup.hash:cilium_lb4_backends_v3']).toBe(1)
  })

  it('makes no service lookup at all for later packets of a socket-LB connection', () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a')
    const syn = parsePacket('tcp 10.244.0.10:40000 -> 10.96.0.10:80')
    const first = node.classify(syn)
    const again = node.classify({ ...syn, tcpFlags: ['ACK'] })
    expect(first.cost.counts['bpf.lookup.hash:cilium_lb4_services_v2']).toBe(2)
    expect(again.cost.counts['bpf.lookup.hash:cilium_lb4_services_v2']).toBeUndefined()
    expect(again.dnat).toEqual(first.dnat)
    expect(mapsOf(again)).not.toContain('cilium_policy_00001')
  })

  it("keeps a connected socket's packets on the peer it was rewritten to after its backend is deleted or its id reused", () => {
    // one backend on another node; a pod on node a connects, then the endpoint is replaced by another pod
    const cluster = {
      ...smallCluster(),
      services: [service({ name: 'api', clusterIP: '10.96.0.10' })],
      endpointSlices: [slice('api', [{ ip: '10.244.1.20', node: 'b', pod: 'api-b' }])],
    }
    for (const batch of [false, true]) {
      const node = buildEbpfNode(cluster, 'a')
      const syn = parsePacket('tcp 10.244.0.10:40000 -> 10.96.0.10:80')
      // (batch: a first packet of another flow makes the services map's master index, so this one runs the
      // lean path, `leanPodConnect`)
      if (batch) viaBatch(node, parsePacket('tcp 10.244.0.10:39999 -> 10.96.0.10:80'))
      const first = batch ? viaBatch(node, syn) : node.classify(syn)
      expect(first.dnat).toEqual({ ip: '10.244.1.20', port: 8080 })
      const ack = { ...syn, tcpFlags: ['ACK'] as Array<'ACK'> }
      const [s] = cluster.endpointSlices
      // the backend gone: the socket's packets still go to its address (the CT entry of that flow, no NAT)
      node.apply({ op: 'upsert', kind: 'EndpointSlice', object: { ...s, endpoints: [] } })
      const gone = node.classify(ack)
      expect([gone.verdict, gone.dnat, gone.masquerade]).toEqual(['forward', first.dnat, false])
      expect(gone.steps.some((x) => x.where === 'cilium_ct4_global' && x.outcome === 'hit')).toBe(true)
      expect(gone.steps.some((x) => x.where === 'cilium_snat_v4_external')).toBe(false)
      // another pod behind the service now (the backend id freed may be given to it): still the old address
      const other = slice('api', [{ ip: '10.244.1.30', node: 'b', pod: 'api-b2' }])
      node.apply({ op: 'upsert', kind: 'EndpointSlice', object: other })
      expect(node.classify(ack).dnat).toEqual(first.dnat)
      // a new connection picks the new pod
      expect(node.classify(parsePacket('tcp 10.244.0.10:40001 -> 10.96.0.10:80')).dnat).toEqual({
        ip: '10.244.1.30',
        port: 8080,
      })
    }
  })

  it('reverse-NATs a reply to the service address and skips policy for it', () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a', { bpfLbSock: false, seed: 5 })
    const t = node.classify(parsePacket('tcp 10.244.0.10:40000 -> 10.96.0.10:80'))
    const dnat = t.dnat as { ip: string; port: number }
    const reply = node.classify({
      protocol: 'tcp',
      src: dnat.ip,
      sport: dnat.port,
      dst: '10.244.0.10',
      dport: 40000,
      tcpFlags: ['SYN', 'ACK'],
    })
    expect(reply.verdict).toBe('forward')
    expect(reply.snat).toBe('10.96.0.10:80')
    expect(reply.steps.some((s) => s.where === 'cilium_lb4_reverse_nat' && s.outcome === 'hit')).toBe(true)
    expect(reply.steps.some((s) => s.where.startsWith('cilium_policy_'))).toBe(false)
  })

  it('gives entries Cilium 1.16 lifetimes: SYN 60 s, established TCP 6 h, closing 10 s, non-TCP 60 s', () => {
    const node = buildEbpfNode(smallCluster(), 'a')
    const syn = parsePacket('tcp 10.244.0.10:40000 -> 10.244.1.20:8080')
    node.classify(syn)
    const entry = () => [...node.maps.ct.entries()][0][1]
    expect(entry().expires).toBe(CT_LIFETIME.tcpSyn)
    node.classify({ ...syn, tcpFlags: ['ACK'] })
    expect(entry().expires).toBe(CT_LIFETIME.tcp)
    node.classify({ ...syn, tcpFlags: ['FIN', 'ACK'] })
    expect(entry().expires).toBe(CT_LIFETIME.tcpClose)
    node.classify(parsePacket('udp 10.244.0.10:5000 -> 10.244.1.20:53'))
    expect([...node.maps.ctAny.entries()][0][1].expires).toBe(CT_LIFETIME.nonTcp)
  })

  it('expires entries: a flow seen again after its lifetime is new and checked by policy again', () => {
    const node = buildEbpfNode(smallCluster(), 'a')
    const p = parsePacket('udp 10.244.0.10:5000 -> 10.244.1.20:53')
    node.classify(p)
    node.advance(CT_LIFETIME.nonTcp + 1)
    const t = node.classify(p)
    expect(t.steps.some((s) => s.where === 'cilium_ct_any4_global' && s.outcome === 'miss')).toBe(true)
  })

  it('garbage-collects expired entries and adapts the interval to the share deleted', () => {
    const node = buildEbpfNode(smallCluster(), 'a')
    for (let port = 1000; port < 1100; port++)
      node.classify(parsePacket(`udp 10.244.0.10:${port} -> 10.244.1.20:53`))
    const passes = node.advance(300)
    expect(passes).toHaveLength(1)
    expect(passes[0]).toMatchObject({ scanned: 100, deleted: 100, deleteRatio: 1 })
    // 90% cap: 300 s × (1 − 0.9) = 30 s
    expect(passes[0].nextInterval).toBe(30)
    expect(node.maps.ctAny.size).toBe(0)
  })

  it('computes the next GC interval as gc.go does', () => {
    expect(nextGcInterval(300, 0)).toBe(300)
    expect(nextGcInterval(300, 0.01)).toBe(450)
    expect(nextGcInterval(300, 0.1)).toBe(300)
    expect(nextGcInterval(300, 0.5)).toBe(150)
    expect(nextGcInterval(20, 0.95)).toBe(10)
    expect(nextGcInterval(40000, 0.01)).toBe(43200)
  })

  it('keeps pod traffic out of netfilter conntrack with NOTRACK and counts what it saves', () => {
    const p = parsePacket('tcp 10.244.0.10:40000 -> 10.244.1.20:8080')
    const with_ = buildEbpfNode(smallCluster(), 'a')
    const without = buildEbpfNode(smallCluster(), 'a', { installNoConntrackIptablesRules: false })
    const a = with_.classify(p)
    const b = without.classify(p)
    expect(a.cost.counts['ct.kernel.lookup']).toBeUndefined()
    expect(b.cost.counts['ct.kernel.lookup']).toBe(1)
    expect(b.cost.counts['ct.kernel.create']).toBe(1)
    expect(b.cost.ns).toBeGreaterThan(a.cost.ns)
    expect(with_.kernelConntrack()).toEqual({ lookups: 0, entries: 0, saved: 1 })
    expect(without.kernelConntrack()).toEqual({ lookups: 1, entries: 1, saved: 0 })
    // BPF conntrack tracks the flow either way
    expect(with_.maps.ct.size).toBe(1)
    expect(without.maps.ct.size).toBe(1)
  })
})
