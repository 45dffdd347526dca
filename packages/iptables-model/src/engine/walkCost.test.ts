import { type CostProfile, parsePacket } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { policyCluster } from '../../test/fixtures/policyCluster'
import { parseIptablesSave } from '../codec/parse'
import { ruleBlobBytes } from '../cost/blobBytes'
import { isNftCompatMatch, NFT_COMPAT_OPS_BYTES } from '../cost/nftLayout'
import { buildIptablesNode } from '../node/iptablesNode'
import { IPTABLES_PACKET_CONSTANTS } from './constants'
import { Netfilter, type NetfilterOptions } from './netfilter'
import {
  CACHE_BYTES_KEY,
  cacheBytesOf,
  LLC_BYTES_KEY,
  LLC_SHARE_BYTES_KEY,
  LLC_SHARE_WAYS_KEY,
  LLC_WAYS_KEY,
  l2Evicted,
  llcMissedBytes,
  llcShareBytesOf,
  llcShareWaysOf,
  uncachedBytes,
  walkCounts,
  walkMemoryBytes,
} from './walkCost'

const NODE = { localIps: ['192.168.1.10'], podCidrs: ['10.244.1.0/24'] }
// outside → a pod on this node: walks filter FORWARD once
const IN = parsePacket('tcp 192.168.5.5:40000 -> 10.244.1.5:80')

/** filter FORWARD with `n` kube-proxy-sized rules the packet fails on their -d test */
function forward(n: number): string {
  const rules = Array.from(
    { length: n },
    (_, i) =>
      `-A FORWARD -d 10.96.${i >> 8}.${i & 255}/32 -p tcp -m comment --comment "ns/svc-${i}:http cluster IP" -m tcp --dport 80 -j DROP`,
  )
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ...rules,
    'COMMIT',
    '',
  ].join('\n')
}

const constant = (value: number, unit = 'ns') => ({ value, unit, source: 'test' })
function profile(constants: CostProfile['constants']): CostProfile {
  return { schemaVersion: 1, name: 'test', description: '', provenance: { method: 'test' }, constants }
}
const make = (text: string, opts?: NetfilterOptions) => new Netfilter(parseIptablesSave(text), NODE, opts)

describe('walk cost: bytes of rule entries walked and the cache-resident size', () => {
  const oneRule = ruleBlobBytes(parseIptablesSave(forward(1)).tables[0].chains[1].rules[0])

  it('counts the blob bytes of every rule a packet evaluates', () => {
    const t = make(forward(40)).classify(IN, { steps: false })
    expect(t.cost.counts['ipt.rule']).toBe(40)
    expect(t.cost.counts['ipt.bytes']).toBe(40 * oneRule)
    // a kube-proxy KUBE-SERVICES rule: entry, comment, tcp match and a standard target
    expect(oneRule).toBe(112 + 32 + 256 + 32 + 16 + 32 + 8)
  })

  it('prices only the bytes beyond ipt.cacheBytes as uncached, at ipt.uncachedBytes per byte', () => {
    const p = profile({
      'ipt.rule': constant(10),
      'ipt.uncachedBytes': constant(0.5, 'ns/byte'),
      [CACHE_BYTES_KEY]: constant(10 * oneRule, 'bytes'),
    })
    const small = make(forward(10), { profile: p }).classify(IN, { steps: false })
    expect(small.cost.counts['ipt.uncachedBytes']).toBe(0)
    expect(small.cost.ns).toBeCloseTo(10 * 10)
    const big = make(forward(30), { profile: p }).classify(IN, { steps: false })
    expect(big.cost.counts['ipt.uncachedBytes']).toBe(20 * oneRule)
    expect(big.cost.ns).toBeCloseTo(30 * 10 + 0.5 * 20 * oneRule)
  })

  it('treats every walk as cache-resident when the profile has no ipt.cacheBytes', () => {
    expect(cacheBytesOf(profile({}), 'legacy')).toBe(Number.POSITIVE_INFINITY)
    expect(
      walkCounts({ rules: 1, matches: 0, chains: 1, bytes: 1e9 }, 'legacy', Number.POSITIVE_INFINITY),
    ).toMatchObject({
      'ipt.uncachedBytes': 0,
    })
  })
})

describe('walk cost keys of an iptables-nft node', () => {
  const nftRule = profile({ 'ipt.rule': constant(10), 'ipt.rule:nft': constant(25) })

  it('counts under the :nft keys, priced by the nft constant', () => {
    const t = make(forward(20), { backend: 'nft', profile: nftRule }).classify(IN, { steps: false })
    expect(t.cost.counts['ipt.rule:nft']).toBe(20)
    expect(t.cost.counts['ipt.rule']).toBeUndefined()
    expect(t.cost.ns).toBeCloseTo(20 * 25)
  })

  it('falls back to the legacy constant when the profile has no nft one', () => {
    const t = make(forward(20), { backend: 'nft', profile: profile({ 'ipt.rule': constant(10) }) }).classify(
      IN,
      { steps: false },
    )
    expect(t.cost.ns).toBeCloseTo(20 * 10)
  })

  it('takes the nft cache-resident size before the legacy one', () => {
    const p = profile({
      [CACHE_BYTES_KEY]: constant(100, 'bytes'),
      [`${CACHE_BYTES_KEY}:nft`]: constant(7, 'bytes'),
    })
    expect(cacheBytesOf(p, 'nft')).toBe(7)
    expect(cacheBytesOf(p, 'legacy')).toBe(100)
  })

  it('is what buildIptablesNode gives a node built for nft', () => {
    const p = parsePacket('tcp 10.244.1.9:40000 -> 10.96.0.10:80')
    const legacy = buildIptablesNode(policyCluster(), 'node-a', { profile: nftRule }).classify(p)
    const nft = buildIptablesNode(policyCluster(), 'node-a', { backend: 'nft', profile: nftRule }).classify(p)
    expect(nft.cost.counts['ipt.rule:nft']).toBe(legacy.cost.counts['ipt.rule'])
    expect(nft.cost.counts['ipt.rule:nft']).toBeGreaterThan(0)
    expect(nft.cost.ns).toBeGreaterThan(legacy.cost.ns)
  })
})

describe('walk cost of an iptables-nft node: the nft_compat objects a walk reads', () => {
  /** filter FORWARD with `n` rules whose ip part passes for IN and whose `-m <module>` match then fails */
  const matching = (n: number, match: string) =>
    forward(0).replace('COMMIT', `${Array(n).fill(`-A FORWARD -p tcp ${match} -j DROP`).join('\n')}\nCOMMIT`)

  it('counts one compat object per match iptables-nft runs through nft_compat, none for native ones', () => {
    const compat = make(matching(7, '-m multiport --dports 81,82'), { backend: 'nft' }).classify(IN, {
      steps: false,
    })
    expect(compat.cost.counts['ipt.match:nft']).toBe(7)
    expect(compat.cost.counts['ipt.compat:nft']).toBe(7)
    expect(compat.cost.counts['ipt.scatteredBytes:nft']).toBe(7 * NFT_COMPAT_OPS_BYTES)
    const native = make(matching(7, '-m tcp --dport 81'), { backend: 'nft' }).classify(IN, { steps: false })
    expect(native.cost.counts['ipt.match:nft']).toBe(7)
    expect(native.cost.counts['ipt.compat:nft']).toBe(0)
    // rules failing in their ip part never reach their comment match (nft: protocol and addresses first)
    const ipFail = make(forward(7), { backend: 'nft' }).classify(IN, { steps: false })
    expect(ipFail.cost.counts['ipt.compat:nft']).toBe(0)
  })

  it('names which matches stay xtables matches under iptables-nft 1.8.9', () => {
    expect(['tcp', 'udp', 'mark'].filter((m) => isNftCompatMatch(m as 'tcp'))).toEqual([])
    expect(['comment', 'icmp', 'statistic', 'conntrack'].every((m) => isNftCompatMatch(m as 'tcp'))).toBe(
      true,
    )
  })

  it('misses every compat object once one walk has more than the cache holds (a cyclic walk under LRU)', () => {
    const w = { rules: 100, matches: 100, chains: 1, bytes: 100 * 192, compatMatches: 100 }
    const held = 100 * NFT_COMPAT_OPS_BYTES
    expect(walkMemoryBytes(w, 'nft')).toBe(held)
    expect(uncachedBytes(held, 'nft', held)).toBe(0)
    expect(walkCounts(w, 'nft', held - 1)['ipt.uncachedBytes:nft']).toBe(held)
    // legacy's blob, read in order, pays only for the bytes beyond the resident size
    expect(walkMemoryBytes(w, 'legacy')).toBe(100 * 192)
    expect(walkCounts(w, 'legacy', 100 * 192 - 1)['ipt.uncachedBytes']).toBe(1)
  })

  it('prices an nft node with the :nft cache constants, falling back to the legacy ones', () => {
    const p = profile({
      'ipt.rule': constant(10),
      'ipt.uncachedBytes': constant(0.5, 'ns/byte'),
      [CACHE_BYTES_KEY]: constant(1e9, 'bytes'),
      [`${CACHE_BYTES_KEY}:nft`]: constant(10 * NFT_COMPAT_OPS_BYTES, 'bytes'),
    })
    const t = make(matching(20, '-m multiport --dports 81,82'), { backend: 'nft', profile: p }).classify(IN, {
      steps: false,
    })
    expect(t.cost.counts['ipt.uncachedBytes:nft']).toBe(20 * NFT_COMPAT_OPS_BYTES)
    expect(t.cost.ns).toBeCloseTo(
      // no ipt.match constant in this profile: rules and uncached bytes only
      20 * 10 + 0.5 * 20 * NFT_COMPAT_OPS_BYTES,
      0,
    )
  })
})

describe('cold walks beyond one CPU’s share of the last-level cache', () => {
  const oneRule = ruleBlobBytes(parseIptablesSave(forward(1)).tables[0].chains[1].rules[0])
  const p = profile({
    'ipt.rule': constant(10),
    'ipt.uncachedBytes': constant(0.5, 'ns/byte'),
    'ipt.llcMissBytes': constant(2, 'ns/byte'),
    [CACHE_BYTES_KEY]: constant(1e9, 'bytes'),
    [LLC_SHARE_BYTES_KEY]: constant(10 * oneRule, 'bytes'),
  })

  it('counts nothing beyond the share for a cold walk that fits it', () => {
    const t = make(forward(10), { profile: p }).classify(IN, { steps: false, cold: true })
    expect(t.cost.counts['ipt.llcMissBytes']).toBe(0)
    expect(t.cost.counts['ipt.uncachedBytes']).toBe(10 * oneRule)
    expect(t.cost.ns).toBeCloseTo(10 * 10 + 0.5 * 10 * oneRule)
  })

  it('prices the bytes of a cold walk beyond the share at ipt.llcMissBytes, on top of ipt.uncachedBytes', () => {
    const t = make(forward(30), { profile: p }).classify(IN, { steps: false, cold: true })
    expect(t.cost.counts['ipt.llcMissBytes']).toBe(20 * oneRule)
    expect(t.cost.counts['ipt.uncachedBytes']).toBe(30 * oneRule)
    expect(t.cost.ns).toBeCloseTo(30 * 10 + 0.5 * 30 * oneRule + 2 * 20 * oneRule)
  })

  it('leaves warm walks as they were: no LLC term however large the walk', () => {
    const t = make(forward(30), { profile: p }).classify(IN, { steps: false })
    expect(t.cost.counts['ipt.llcMissBytes']).toBe(0)
    expect(t.cost.ns).toBeCloseTo(30 * 10)
    expect(
      walkCounts({ rules: 1, matches: 0, chains: 1, bytes: 1e9 }, 'legacy', 1e9)['ipt.llcMissBytes'],
    ).toBe(0)
  })

  it('changes nothing for a profile without the share (a cold walk costs what it did)', () => {
    const { [LLC_SHARE_BYTES_KEY]: _share, ...rest } = p.constants
    const without = profile(rest)
    expect(llcShareBytesOf(without, 'legacy')).toBe(Number.POSITIVE_INFINITY)
    const t = make(forward(30), { profile: without }).classify(IN, { steps: false, cold: true })
    expect(t.cost.counts['ipt.llcMissBytes']).toBe(0)
    expect(t.cost.ns).toBeCloseTo(30 * 10 + 0.5 * 30 * oneRule)
  })

  it('measures an nft cold walk by its compat objects, under the :nft key, with the share falling back', () => {
    const w = { rules: 100, matches: 100, chains: 1, bytes: 100 * 192, compatMatches: 100 }
    const share = 40 * NFT_COMPAT_OPS_BYTES
    expect(walkCounts(w, 'nft', 0, share)['ipt.llcMissBytes:nft']).toBe(60 * NFT_COMPAT_OPS_BYTES)
    expect(llcShareBytesOf(p, 'nft')).toBe(10 * oneRule)
    const nftOwn = profile({ ...p.constants, [`${LLC_SHARE_BYTES_KEY}:nft`]: constant(7, 'bytes') })
    expect(llcShareBytesOf(nftOwn, 'nft')).toBe(7)
  })
})

describe('llcMissedBytes: a cold walk’s pages placed at random among the sets of an associative L3 share', () => {
  const MiB = 2 ** 20
  const share = 16 * MiB

  it('gives the values worked by hand from E[(N − A)⁺] with N ~ Poisson(A × memory ÷ share)', () => {
    // one way: E[(N − 1)⁺] = λ − 1 + e^−λ, so memory × (λ − 1 + e^−λ) ÷ λ
    for (const memory of [share / 4, share, 3 * share]) {
      const lambda = memory / share
      expect(llcMissedBytes(memory, share, 1)).toBeCloseTo(
        (memory * (lambda - 1 + Math.exp(-lambda))) / lambda,
        3,
      )
    }
    // 8 ways, memory = share (λ = 8): Σ_{k≥9} (k − 8) e^−8 8^k / k! = 1.116692… (summed term by term), ÷ 8
    let tail = 0
    let p = Math.exp(-8)
    for (let k = 0; k < 200; k++) {
      if (k > 8) tail += (k - 8) * p
      p *= 8 / (k + 1)
    }
    expect(tail).toBeCloseTo(1.116692, 5)
    expect(llcMissedBytes(share, share, 8) / share).toBeCloseTo(tail / 8, 9)
  })

  it('lies between the bytes beyond the share and the whole walk, and grows with the walk', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 64 * MiB, noNaN: true }),
        fc.double({ min: 1, max: 64 * MiB, noNaN: true }),
        fc.integer({ min: 1, max: 32 }),
        (a, b, ways) => {
          const [small, large] = a < b ? [a, b] : [b, a]
          const missed = llcMissedBytes(small, share, ways)
          // Jensen: E[(N − A)⁺] ≥ (λ − A)⁺, i.e. never less than the bytes beyond the share
          expect(missed).toBeGreaterThanOrEqual(Math.max(0, small - share) * (1 - 1e-9) - 1e-6)
          expect(missed).toBeLessThanOrEqual(small)
          expect(llcMissedBytes(large, share, ways)).toBeGreaterThanOrEqual(missed - 1e-6)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('misses some bytes of a walk smaller than the share, and fewer the more ways each set has', () => {
    const memory = 30000 * 488 // 30k kube-proxy services: 14.6 MB of a 16 MiB share
    expect(llcMissedBytes(memory, share, 8) / memory).toBeCloseTo(0.0908, 3)
    expect(llcMissedBytes(memory, share, 16)).toBeLessThan(llcMissedBytes(memory, share, 8))
    expect(llcMissedBytes(10000 * 488, share, 8) / (10000 * 488)).toBeLessThan(0.001)
  })

  it('tends to the bytes beyond the share as the ways grow, which is what unknown ways give', () => {
    expect(llcMissedBytes(2 * share, share, Number.POSITIVE_INFINITY)).toBe(share)
    expect(llcMissedBytes(share / 2, share)).toBe(0)
    expect(llcMissedBytes(2 * share, share, 4096) / share).toBeCloseTo(1, 1)
    expect(llcMissedBytes(0, share, 8)).toBe(0)
    // a 1k-rule table (0.5 MB) expects ~1e-9 bytes: less than a line is none
    expect(llcMissedBytes(1000 * 488, share, 8)).toBe(0)
    expect(llcMissedBytes(share, Number.POSITIVE_INFINITY, 8)).toBe(0)
  })

  it('prices a cold walk with the profile’s ways and leaves warm walks alone', () => {
    const oneRule = ruleBlobBytes(parseIptablesSave(forward(1)).tables[0].chains[1].rules[0])
    const p = profile({
      'ipt.rule': constant(10),
      'ipt.llcMissBytes': constant(2, 'ns/byte'),
      [CACHE_BYTES_KEY]: constant(1e9, 'bytes'),
      [LLC_SHARE_BYTES_KEY]: constant(40 * oneRule, 'bytes'),
      [LLC_SHARE_WAYS_KEY]: constant(8, 'ways'),
    })
    expect(llcShareWaysOf(p, 'legacy')).toBe(8)
    expect(llcShareWaysOf(p, 'nft')).toBe(8)
    const nf = make(forward(30), { profile: p })
    const counts = nf.classify(IN, { steps: false, cold: true }).cost.counts
    // 30 rules against a share of 40: below it, yet some pages overfill their sets
    expect(counts['ipt.llcMissBytes']).toBeGreaterThan(0)
    expect(counts['ipt.llcMissBytes']).toBeCloseTo(llcMissedBytes(counts['ipt.bytes'], 40 * oneRule, 8), 6)
    expect(nf.classify(IN, { steps: false }).cost.counts['ipt.llcMissBytes']).toBe(0)
  })
})

describe('l2Evicted: the share of the L2 a cold legacy walk streams through', () => {
  it('is memory over the L2, at most 1, and 0 without a finite L2', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 1, max: 1e8, noNaN: true }),
        (m, c) => {
          const f = l2Evicted(m, c)
          expect(f).toBeGreaterThanOrEqual(0)
          expect(f).toBeLessThanOrEqual(1)
          expect(f).toBeCloseTo(Math.min(1, m / c), 12)
          expect(l2Evicted(m * 2, c)).toBeGreaterThanOrEqual(f)
        },
      ),
      { numRuns: 200 },
    )
    expect(l2Evicted(1000 * 488, 512 * 1024)).toBeCloseTo(0.9308, 4)
    expect(l2Evicted(10, Number.POSITIVE_INFINITY)).toBe(0)
    expect(l2Evicted(0, 512 * 1024)).toBe(0)
  })

  it('is counted for cold legacy walks only, under ipt.l2Refill, with the profile’s cache-resident size', () => {
    const oneRule = ruleBlobBytes(parseIptablesSave(forward(1)).tables[0].chains[1].rules[0])
    const p = profile({
      'ipt.rule': constant(10),
      'ipt.l2Refill': constant(3000),
      [CACHE_BYTES_KEY]: constant(40 * oneRule, 'bytes'),
    })
    const cold = make(forward(30), { profile: p }).classify(IN, { steps: false, cold: true }).cost
    expect(cold.counts['ipt.l2Refill']).toBeCloseTo(cold.counts['ipt.bytes'] / (40 * oneRule), 9)
    expect(cold.counts['ipt.l2Refill']).toBeGreaterThan(0.7)
    const big = make(forward(50), { profile: p }).classify(IN, { steps: false, cold: true }).cost
    expect(big.counts['ipt.l2Refill']).toBe(1)
    const warm = make(forward(50), { profile: p }).classify(IN, { steps: false }).cost
    expect(warm.counts['ipt.l2Refill'] ?? 0).toBe(0)
    expect(big.ns - warm.ns).toBeCloseTo(3000, 6)
    const nft = make(forward(50), { profile: p, backend: 'nft' }).classify(IN, {
      steps: false,
      cold: true,
    }).cost
    expect(nft.counts['ipt.l2Refill:nft'] ?? 0).toBe(0)
  })
})

describe('warm walks and the whole L3 (ipt.llcBytes, ipt.llcWays)', () => {
  const oneRule = ruleBlobBytes(parseIptablesSave(forward(1)).tables[0].chains[1].rules[0])
  const p = profile({
    'ipt.rule': constant(10),
    'ipt.llcMissBytes': constant(2, 'ns/byte'),
    [CACHE_BYTES_KEY]: constant(5 * oneRule, 'bytes'),
    [LLC_SHARE_BYTES_KEY]: constant(20 * oneRule, 'bytes'),
    [LLC_SHARE_WAYS_KEY]: constant(8, 'ways'),
    [LLC_BYTES_KEY]: constant(40 * oneRule, 'bytes'),
    [LLC_WAYS_KEY]: constant(16, 'ways'),
  })

  it('prices a warm walk’s bytes that overfill sets of the whole L3, a cold one’s with its CPU’s share', () => {
    const nf = make(forward(30), { profile: p })
    const warm = nf.classify(IN, { steps: false }).cost.counts
    const cold = nf.classify(IN, { steps: false, cold: true }).cost.counts
    expect(warm['ipt.llcMissBytes']).toBeGreaterThan(0)
    expect(warm['ipt.llcMissBytes']).toBeCloseTo(llcMissedBytes(warm['ipt.bytes'], 40 * oneRule, 16), 6)
    expect(cold['ipt.llcMissBytes']).toBeCloseTo(llcMissedBytes(cold['ipt.bytes'], 20 * oneRule, 8), 6)
    expect(cold['ipt.llcMissBytes']).toBeGreaterThan(warm['ipt.llcMissBytes'])
  })

  it('leaves warm walks without an LLC term when the profile has no whole L3 (the default profile)', () => {
    const { [LLC_BYTES_KEY]: _b, [LLC_WAYS_KEY]: _w, ...rest } = p.constants
    const warm = make(forward(30), { profile: profile(rest) }).classify(IN, { steps: false }).cost.counts
    expect(warm['ipt.llcMissBytes']).toBe(0)
    expect(IPTABLES_PACKET_CONSTANTS[LLC_BYTES_KEY]).toBeUndefined()
  })
})
