import { describe, expect, it } from 'vitest'
import { generateArrivals } from './arrivals'
import { simulateChurn, sweepChurn } from './simulate'

describe('generateArrivals', () => {
  it('is deterministic for a seed and keeps the mean rate including bursts', () => {
    const a = generateArrivals({ rate: 20, duration: 500, services: 100, seed: 3 })
    const b = generateArrivals({ rate: 20, duration: 500, services: 100, seed: 3 })
    expect(a.times).toEqual(b.times)
    expect(a.times.length / 500).toBeGreaterThan(16)
    expect(a.times.length / 500).toBeLessThan(24)
    for (let i = 1; i < a.times.length; i++) expect(a.times[i]).toBeGreaterThanOrEqual(a.times[i - 1])
  })

  it('gives another stream for another seed', () => {
    const a = generateArrivals({ rate: 5, duration: 50, services: 10, seed: 1 })
    const b = generateArrivals({ rate: 5, duration: 50, services: 10, seed: 2 })
    expect(a.times).not.toEqual(b.times)
  })
})

describe('simulateChurn / sweepChurn', () => {
  const syncSeconds = ({ services }: { services: number }) => services * 1e-4 // 10k services → 1 s

  it('keeps kube-proxy within minSyncPeriod + restore at small scale, Cilium within its per-change cost', () => {
    const r = simulateChurn({
      services: 1000,
      rate: 5,
      duration: 60,
      seed: 1,
      kubeProxy: { syncSeconds },
      ciliumChangeSeconds: 1e-4,
    })
    expect(r.kubeProxy.keepsUp).toBe(true)
    expect(r.kubeProxy.p99).toBeLessThanOrEqual(1 + 0.1 + 0.1 + 1e-9)
    expect(r.cilium.p50).toBeLessThan(0.01)
    expect(r.cilium.keepsUp).toBe(true)
  })

  it('finds the service count at which the kube-proxy sync loop saturates', () => {
    const s = sweepChurn({
      services: [1000, 5000, 20_000, 50_000],
      rates: [10],
      duration: 60,
      seed: 2,
      syncSeconds,
      ciliumChangeSeconds: () => 1e-4,
    })
    // restore time crosses minSyncPeriod (1 s) at 10k services → back-to-back syncs from there on
    expect(s.kubeProxyLimit).toEqual([{ rate: 10, services: 20_000 }])
    expect(s.ciliumLimit).toEqual([{ rate: 10, services: null }])
    const at50k = s.points.find((p) => p.services === 50_000)!
    expect(at50k.kubeProxy.p50).toBeGreaterThan(5)
  })
})
