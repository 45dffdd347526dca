import { describe, expect, it } from 'vitest'
import { runScalingSuite } from '../src/suites/scaling'
import { updatePairs } from '../src/suites/workload'
import { fakeBuilders, fakeCluster, fakeProfile } from './fakes'

const size = (services: number) => ({ services, endpoints: 2, policies: 1, nodes: 2, seed: 1 })
// (an update budget far above what the fakes need: every op gets its iterations whatever the machine's load;
// with the 1 ms of timeMs a slow moment left an op 2 samples and failed the count below)
const timing = { timeMs: 1, iterations: 3, updateBudgetMs: 10_000 }

describe('runScalingSuite', () => {
  const points = runScalingSuite({
    sizes: [size(50), size(500)],
    profile: fakeProfile,
    builders: fakeBuilders,
    timing,
    packets: 8,
  })

  it('reports every update, match class and the footprint for both dataplanes at every point', () => {
    expect(points.map((p) => p.services)).toEqual([50, 500])
    for (const p of points) {
      for (const f of [p.iptables, p.ebpf]) {
        expect(f.update.map((u) => u.op)).toEqual([
          'addService',
          'removeService',
          'scaleEndpoints',
          'changePolicy',
        ])
        expect(f.match.map((m) => m.kind)).toEqual(['random', 'worst', 'established'])
        for (const u of f.update) expect(u.js.samples).toBeGreaterThanOrEqual(3)
        for (const m of f.match) expect(m.js.medianNs).toBeGreaterThan(0)
      }
    }
  })

  it('takes the modeled cost from the traces: worst-placed is the last service, established hits conntrack', () => {
    const at500 = points[1]
    const worst = at500.iptables.match.find((m) => m.kind === 'worst')!
    expect(worst.modeledNs).toBe(500 * 10)
    expect(at500.iptables.match.find((m) => m.kind === 'established')!.modeledNs).toBe(50)
  })

  it('computes the gap from modeled and measured figures, growing with the table for the sequential model', () => {
    expect(points[1].gap.worstPacketModeled).toBe(50)
    expect(points[1].gap.firstPacketModeled).toBeGreaterThan(points[0].gap.firstPacketModeled * 5)
    expect(points[1].gap.updateModeled).toBeGreaterThan(points[0].gap.updateModeled * 5)
  })

  it('leaves each dataplane as it found it after timing the updates', () => {
    expect(points[0].iptables.footprint.totalEntries).toBe(50)
  })
})

describe('updatePairs', () => {
  it('pairs each update with its inverse: remove the middle service and add it back, scale, change a policy', () => {
    const c = fakeCluster(size(10))
    const pairs = updatePairs(c)
    expect(pairs.map((p) => p.ops)).toEqual([
      ['removeService', 'addService'],
      ['scaleEndpoints', 'scaleEndpoints'],
      ['changePolicy', 'changePolicy'],
    ])
    const svc = pairs[0]
    expect(svc.forward).toEqual({ op: 'delete', kind: 'Service', namespace: 'default', name: 'svc-5' })
    expect(svc.backward.op === 'upsert' && svc.backward.object).toEqual(c.services[5])
  })

  it('skips changePolicy when the cluster has no policy', () => {
    expect(updatePairs(fakeCluster({ ...size(3), policies: 0 })).flatMap((p) => p.ops)).not.toContain(
      'changePolicy',
    )
  })
})
