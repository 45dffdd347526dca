import { createRng, type Packet } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIptablesSave } from '../src/codec/parse'
import { Netfilter } from '../src/engine/netfilter'
import { parseIpsetSave } from '../src/ipset/parse'
import { ADDRS, arbDump, IPSETS_TEXT } from './ruleset-arbitrary'

const NODE = { localIps: ['192.168.1.10'], podCidrs: ['10.0.1.0/24'] }
const ipsets = parseIpsetSave(IPSETS_TEXT)

const arbPacket: fc.Arbitrary<Packet> = fc
  .tuple(
    fc.constantFrom('tcp', 'udp', 'sctp', 'icmp') as fc.Arbitrary<Packet['protocol']>,
    fc.constantFrom(...ADDRS),
    fc.constantFrom(...ADDRS),
    fc.constantFrom(22, 80, 8080, 40000),
    fc.constantFrom(53, 80, 443),
  )
  .map(([protocol, src, dst, sport, dport]) => ({
    protocol,
    src,
    dst,
    sport: protocol === 'icmp' ? 0 : sport,
    dport: protocol === 'icmp' ? 0 : dport,
  }))

describe('engine properties', () => {
  it('terminates and never throws on any ruleset the parser accepts; enumerate probabilities sum to 1', () => {
    fc.assert(
      fc.property(
        arbDump(),
        fc.array(arbPacket, { minLength: 1, maxLength: 6 }),
        fc.nat(1000),
        (text, packets, seed) => {
          const nf = new Netfilter(parseIptablesSave(text), NODE, { ipsets, seed })
          for (const p of packets) {
            const t = nf.classify(p)
            expect(['forward', 'local', 'drop', 'reject']).toContain(t.verdict)
            expect(Number.isFinite(t.cost.ns)).toBe(true)
            const e = nf.classify(p, { enumerate: true, steps: false })
            const total = e.outcomes!.reduce((s, o) => s + o.probability, 0)
            expect(total).toBeCloseTo(1, 9)
          }
        },
      ),
      { numRuns: 120 },
    )
  })

  it('enumerate mode agrees with the distribution of many seeded draws', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (weights, seed) => {
          // a KUBE-SVC-like chain: one statistic rule per endpoint, the last without one
          const n = weights.length + 1
          const rules = weights.map(
            (w, k) =>
              `-A SVC -m statistic --mode random --probability ${Math.min(w, 1).toFixed(11)} -j SEP${k}`,
          )
          const seps = Array.from(
            { length: n },
            (_, k) => `-A SEP${k} -p tcp -j DNAT --to-destination 10.9.0.${k + 1}:80`,
          )
          const text = [
            '*nat',
            ':PREROUTING ACCEPT [0:0]',
            ':INPUT ACCEPT [0:0]',
            ':OUTPUT ACCEPT [0:0]',
            ':POSTROUTING ACCEPT [0:0]',
            ':SVC - [0:0]',
            ...Array.from({ length: n }, (_, k) => `:SEP${k} - [0:0]`),
            '-A PREROUTING -d 10.96.0.1/32 -j SVC',
            ...rules,
            `-A SVC -j SEP${n - 1}`,
            ...seps,
            'COMMIT',
            '',
          ].join('\n')
          const nf = new Netfilter(parseIptablesSave(text), NODE, { seed })
          const enumerated = new Map(
            nf
              .classify(
                { protocol: 'tcp', src: '8.8.8.8', dst: '10.96.0.1', sport: 1, dport: 80 },
                { enumerate: true },
              )
              .candidates.map((c) => [c.ip, c.probability]),
          )
          const draws = 2000
          const seen = new Map<string, number>()
          const rng = createRng(seed)
          for (let k = 0; k < draws; k++) {
            const ip = nf.classify(
              { protocol: 'tcp', src: '8.8.8.8', dst: '10.96.0.1', sport: 1 + rng.int(60000), dport: 80 },
              { steps: false },
            ).dnat!.ip
            seen.set(ip, (seen.get(ip) ?? 0) + 1)
          }
          for (const [ip, p] of enumerated) {
            const observed = (seen.get(ip) ?? 0) / draws
            // 5 standard deviations of a binomial proportion, plus a little for the smallest p
            expect(Math.abs(observed - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / draws) + 0.005)
          }
          for (const ip of seen.keys()) expect(enumerated.has(ip)).toBe(true)
        },
      ),
      { numRuns: 15 },
    )
  })
})
