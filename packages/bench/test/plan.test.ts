import type { Cluster, FootprintItem, NodeDataplane } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { mergeFixes, planCapacity } from '../src/plan/plan'
import { policyMapFix } from '../src/plan/warnings'
import type { SuiteBuilders } from '../src/suites/builders'
import { fakeBuilders, fakeDataplane, fakeProfile } from './fakes'

/** Fake builders whose eBPF footprint is `items` (with sizes chosen by the test). */
function withMaps(items: (c: Cluster, o?: Record<string, unknown>) => FootprintItem[]): SuiteBuilders {
  return {
    ...fakeBuilders,
    ebpf: (c, n, _p, o): NodeDataplane => {
      const dp = fakeDataplane(c, n, false)
      return {
        ...dp,
        footprint: () => {
          const it = items(c, o)
          return {
            kind: 'ebpf',
            items: it,
            totalEntries: it.reduce((a, i) => a + i.entries, 0),
            totalBytes: it.reduce((a, i) => a + i.bytes, 0),
          }
        },
      }
    },
  }
}

const lb = (entries: number, max = 65536): FootprintItem => ({
  name: 'cilium_lb4_services_v2',
  entries,
  max,
  bytes: entries * 40,
})
const ct = (max: number): FootprintItem => ({ name: 'cilium_ct4_global', entries: 0, max, bytes: max * 100 })
const policy = (id: number, entries: number, max = 16384): FootprintItem => ({
  name: `cilium_policy_${String(id).padStart(5, '0')}`,
  entries,
  max,
  bytes: entries * 32,
})

describe('planCapacity warnings', () => {
  it('reports an overflowing endpoint policy map with --bpf-policy-map-max as the fix', () => {
    const plan = planCapacity(
      { services: 20, seed: 1 },
      {
        profile: fakeProfile,
        builders: withMaps(() => [
          lb(100),
          ct(524288),
          policy(101, 20_000),
          policy(102, 30_000),
          policy(103, 10),
        ]),
      },
    )
    const w = plan.warnings.find((x) => x.subject.startsWith('cilium_policy'))!
    expect(w.severity).toBe('error')
    expect(w.subject).toBe('cilium_policy_00102')
    expect(w.message).toMatch(/2 endpoint policy map\(s\) overflow/)
    expect(w.message).toMatch(/Policy denied/)
    expect(w.fix).toBe(
      '--bpf-policy-map-max 65536 (bpf.policyMapMax in Helm), or fewer/broader policy selectors',
    )
    expect(plan.verdict.lines.join(' ')).toMatch(/must be fixed/)
  })

  it('reports an overflowing LB map: services beyond it are not programmed; fix --bpf-lb-map-max', () => {
    const plan = planCapacity(
      { services: 20 },
      { profile: fakeProfile, builders: withMaps(() => [lb(70_000), ct(524288)]) },
    )
    const w = plan.warnings.find((x) => x.subject === 'cilium_lb4_services_v2')!
    expect(w.severity).toBe('error')
    expect(w.message).toMatch(/E2BIG.*not programmed/)
    expect(w.fix).toBe('--bpf-lb-map-max 131072')
  })

  it('warns when a map is nearly full but still fits', () => {
    const plan = planCapacity(
      { services: 20 },
      { profile: fakeProfile, builders: withMaps(() => [lb(60_000), ct(524288)]) },
    )
    expect(plan.warnings.map((w) => [w.severity, w.subject])).toEqual([['warning', 'cilium_lb4_services_v2']])
  })

  it('reports CT maps too small for the connections, with more memory or a larger CT max as the fix', () => {
    const plan = planCapacity(
      { services: 20 },
      {
        profile: fakeProfile,
        builders: withMaps(() => [lb(10), ct(65536)]),
        connections: 100_000,
        nodeMemory: 2 * 2 ** 30,
      },
    )
    const w = plan.warnings.find((x) => x.subject === 'cilium_ct4_global')!
    expect(w.severity).toBe('error')
    expect(w.message).toMatch(/200000 BPF conntrack entries but the CT maps hold 65536/)
    expect(w.fix).toMatch(/--bpf-ct-global-tcp-max 262144, or 3\.1× more node memory/)
  })

  it('warns when the CT maps take a large share of node memory', () => {
    const plan = planCapacity(
      { services: 20 },
      {
        profile: fakeProfile,
        builders: withMaps(() => [lb(10), ct(4_000_000)]),
        connections: 10,
        nodeMemory: 4 * 2 ** 30,
      },
    )
    expect(plan.warnings.find((w) => w.subject === 'cilium_ct4_global')?.message).toMatch(
      /% of the node's memory/,
    )
  })

  it('passes the node memory and cilium options to the eBPF model', () => {
    let seen: Record<string, unknown> | undefined
    planCapacity(
      { services: 5 },
      {
        profile: fakeProfile,
        builders: withMaps((_c, o) => {
          seen = o
          return [lb(1)]
        }),
        nodeMemory: 8 * 2 ** 30,
        ciliumOptions: { bpfPolicyMapMax: 32768 },
      },
    )
    expect(seen).toEqual({ nodeMemoryBytes: 8 * 2 ** 30, bpfPolicyMapMax: 32768 })
  })
})

describe('planCapacity verdict', () => {
  // fake iptables: 10 ns per rule walked in service order; established 50 ns; legacy partial = N × 5e-6 s
  it('finds where the iptables first-packet p99 passes the latency budget, by linear extrapolation', () => {
    const plan = planCapacity(
      { services: 1000, seed: 3 },
      { profile: fakeProfile, builders: fakeBuilders, latencyBudgetNs: 20_000 },
    )
    const p99 = plan.iptables.firstPacket.p99Ns
    expect(p99).toBeLessThanOrEqual(10_000)
    const expected = Math.floor((20_000 - 50) / ((p99 - 50) / 1000))
    expect(plan.verdict.iptablesLatencyLimit).toBe(expected)
    expect(plan.verdict.lines[0]).toMatch(/within budget; it passes the budget at about/)
  })

  it('says OVER budget when the size already exceeds it', () => {
    const plan = planCapacity(
      { services: 1000 },
      { profile: fakeProfile, builders: fakeBuilders, latencyBudgetNs: 1000 },
    )
    expect(plan.verdict.lines[0]).toMatch(/OVER budget/)
    expect(plan.verdict.iptablesLatencyLimit).toBeLessThan(1000)
  })

  it('finds the service count where kube-proxy programming latency passes the budget', () => {
    // partial sync = services × 5e-6 s: ~1 s at 200k services; budget 2 s
    const plan = planCapacity(
      { services: 1000 },
      { profile: fakeProfile, builders: fakeBuilders, programmingBudgetSeconds: 2 },
    )
    const limit = plan.verdict.iptablesProgrammingLimit!
    expect(limit).toBeGreaterThan(100_000)
    expect(limit).toBeLessThan(1_000_000)
    expect(plan.verdict.lines[1]).toMatch(/within budget; it passes the budget at about/)
  })
})

describe('planCapacity with refused insertions', () => {
  it('counts what a full map refused: entries needed = max + what each refused object still needed', () => {
    const builders = {
      ...withMaps(() => [lb(32, 32), ct(524288)]),
      overflows: () => [
        {
          map: 'cilium_lb4_services_v2',
          owner: 'ns/a',
          needed: 35,
          max: 32,
          consequence: 'frontend A not programmed',
        },
        {
          map: 'cilium_lb4_services_v2',
          owner: 'ns/b',
          needed: 34,
          max: 32,
          consequence: 'frontend B not programmed',
        },
      ],
    }
    const plan = planCapacity({ services: 20 }, { profile: fakeProfile, builders })
    const m = plan.ebpf.maps.find((x) => x.name === 'cilium_lb4_services_v2')!
    expect(m.entries).toBe(32 + 3 + 2)
    const w = plan.warnings.find((x) => x.subject === 'cilium_lb4_services_v2')!
    expect(w.severity).toBe('error')
    expect(w.message).toMatch(/refused 2 insertion\(s\), e\.g\. ns\/a: frontend A not programmed/)
    expect(w.fix).toBe('--bpf-lb-map-max 64')
  })
})

describe('mergeFixes', () => {
  it('keeps the largest size per option and other fixes once', () => {
    expect(
      mergeFixes([
        '--bpf-lb-map-max 8192',
        '--bpf-lb-map-max 2048 (x)',
        'more memory',
        '--bpf-policy-map-max 32768',
        'more memory',
      ]),
    ).toEqual(['--bpf-lb-map-max 8192', '--bpf-policy-map-max 32768', 'more memory'])
  })
})

describe('policyMapFix', () => {
  it('suggests a larger policy map only up to the 65536 Cilium accepts', () => {
    expect(policyMapFix(20_000)).toBe(
      '--bpf-policy-map-max 32768 (bpf.policyMapMax in Helm), or fewer/broader policy selectors',
    )
    expect(policyMapFix(76_495)).toMatch(/^fewer\/broader policy selectors: 76495 entries .* capped at 65536/)
  })
})
