import type { Packet } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { FreshFlows } from './workload'

const pkt = (dst: string): Packet => ({
  protocol: 'tcp',
  src: '10.0.0.1',
  dst,
  sport: 1,
  dport: 80,
  tcpFlags: ['SYN'],
})
const tuple = (p: Packet) => `${p.protocol} ${p.src}:${p.sport} ${p.dst}:${p.dport}`

describe('FreshFlows', () => {
  it('gives every round tuples no earlier round used, rotating destinations once the port window is spent', () => {
    const templates = [pkt('10.96.0.1'), pkt('10.96.0.2'), pkt('10.96.0.3')]
    const packets = templates.map((t) => ({ ...t }))
    const flows = new FreshFlows(packets, templates, 100, 112)
    const seen = new Set<string>()
    // 4 rounds per window of 12 ports, 3 rotations
    for (let round = 0; round < 12; round++) {
      flows.next()
      for (const p of packets) {
        expect(seen.has(tuple(p))).toBe(false)
        seen.add(tuple(p))
      }
    }
    expect(flows.exhausted).toBe(false)
    expect(flows.repeated).toBe(0)
    flows.next()
    expect(flows.exhausted).toBe(true)
    expect(flows.repeated).toBe(1)
  })

  it('keeps each packet on one of the templates, protocol and flags included', () => {
    const udp: Packet = { protocol: 'udp', src: '10.0.0.1', dst: '10.96.0.9', sport: 1, dport: 53 }
    const templates = [pkt('10.96.0.1'), udp]
    const packets = [{ ...templates[0] }, { ...templates[1] }]
    const flows = new FreshFlows(packets, templates, 100, 104)
    flows.next()
    flows.next()
    flows.next() // window spent: rotation 1 swaps the destinations
    expect(packets[0]).toMatchObject({
      protocol: 'udp',
      dst: '10.96.0.9',
      dport: 53,
      tcpFlags: undefined,
      sport: 100,
    })
    expect(packets[1]).toMatchObject({
      protocol: 'tcp',
      dst: '10.96.0.1',
      dport: 80,
      tcpFlags: ['SYN'],
      sport: 101,
    })
  })
})
