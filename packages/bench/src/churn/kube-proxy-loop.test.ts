import { describe, expect, it } from 'vitest'
import { fixedArrivals } from './arrivals'
import { simulateKubeProxyLoop } from './kube-proxy-loop'

const constant = (r: number) => () => r
const base = { services: 100, duration: 10 }

describe('simulateKubeProxyLoop', () => {
  it('programs a single change at t=0 after exactly one restore time', () => {
    const r = simulateKubeProxyLoop(fixedArrivals([0]), {
      ...base,
      syncSeconds: constant(0.25),
      minSyncPeriod: 1,
    })
    expect(r.latencies[0]).toBeCloseTo(0.25, 12)
    expect(r.runs).toBe(1)
  })

  it('coalesces a change that arrives during a sync into one follow-up sync when it ends', () => {
    // sync 1: [0, 0.5]; the change at 0.1 waits; a token is left (burst 2) so sync 2 runs [0.5, 1.0]
    const r = simulateKubeProxyLoop(fixedArrivals([0, 0.1, 0.2]), {
      ...base,
      syncSeconds: constant(0.5),
      minSyncPeriod: 1,
    })
    expect(r.latencies[0]).toBeCloseTo(0.5, 12)
    expect(r.latencies[1]).toBeCloseTo(0.9, 12)
    expect(r.latencies[2]).toBeCloseTo(0.8, 12)
    expect(r.runs).toBe(2)
    expect(r.maxBatch).toBe(2)
  })

  it('holds a change back until minSyncPeriod after the end of the last sync when no token is left', () => {
    // burst 1: sync [0, 0.1]; at 0.3 the bucket holds 0.3 tokens; retry at lastRun + 1 = 1.1; sync [1.1, 1.2]
    const r = simulateKubeProxyLoop(fixedArrivals([0, 0.3]), {
      ...base,
      syncSeconds: constant(0.1),
      minSyncPeriod: 1,
      burstSyncs: 1,
    })
    expect(r.latencies[1]).toBeCloseTo(0.9, 12)
  })

  it('lets a burst of two syncs through back to back and then rate-limits to one per minSyncPeriod', () => {
    const r = simulateKubeProxyLoop(fixedArrivals([0, 0.2, 0.4]), {
      ...base,
      syncSeconds: constant(0.1),
      minSyncPeriod: 1,
      burstSyncs: 2,
    })
    expect(r.latencies[0]).toBeCloseTo(0.1, 12)
    expect(r.latencies[1]).toBeCloseTo(0.1, 12)
    // tokens after 2nd sync start: 0.2; at 0.4 → 0.4; nextPossible = 1 − (0.4 − 0.3) = 0.9 → sync at 1.3
    expect(r.latencies[2]).toBeCloseTo(1.0, 12)
  })

  it('syncs every syncPeriod when nothing changes', () => {
    const r = simulateKubeProxyLoop(fixedArrivals([]), {
      services: 10,
      duration: 100,
      syncSeconds: constant(1),
      syncPeriod: 30,
    })
    // 30→31, 61→62, 92→93
    expect(r.runs).toBe(3)
    expect(r.end).toBeCloseTo(93, 9)
  })

  it('runs back to back and never idles when changes come faster than a restore takes', () => {
    const times = Array.from({ length: 40 }, (_, i) => i * 0.5)
    const r = simulateKubeProxyLoop(fixedArrivals(times), {
      services: 10_000,
      duration: 20,
      syncSeconds: constant(2),
    })
    expect(r.busyFraction).toBeGreaterThan(0.95)
    // each sync carries the four changes that arrived during the previous one
    expect(r.maxBatch).toBe(4)
    for (let i = 4; i < 36; i++) {
      expect(r.latencies[i]).toBeGreaterThanOrEqual(2 - 1e-9)
      expect(r.latencies[i]).toBeLessThanOrEqual(4 + 1e-9)
    }
  })

  it('builds a growing backlog when each changed service makes the partial sync longer', () => {
    const times = Array.from({ length: 200 }, (_, i) => i * 0.2)
    const r = simulateKubeProxyLoop(fixedArrivals(times), {
      services: 1000,
      duration: 40,
      syncSeconds: ({ changedServices }) => 0.1 + 0.3 * changedServices,
    })
    const early = r.latencies[10]
    const late = r.latencies[190]
    expect(late).toBeGreaterThan(5 * early)
  })

  it('forces full syncs when partial sync is off and counts them', () => {
    const seen: boolean[] = []
    simulateKubeProxyLoop(fixedArrivals([0, 5]), {
      ...base,
      partialSync: false,
      syncSeconds: (w) => {
        seen.push(w.full)
        return 0.1
      },
    })
    expect(seen).toEqual([true, true])
  })

  it('passes the number of distinct changed services to the cost function', () => {
    const seen: number[] = []
    simulateKubeProxyLoop(fixedArrivals([0, 0.01, 0.02, 0.03], [7, 7, 7, 8]), {
      ...base,
      syncSeconds: (w) => {
        seen.push(w.changedServices)
        return 0.5
      },
    })
    expect(seen).toEqual([1, 2])
  })
})
