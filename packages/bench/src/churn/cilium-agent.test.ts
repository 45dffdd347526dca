import { describe, expect, it } from 'vitest'
import { fixedArrivals } from './arrivals'
import { simulateCiliumAgent } from './cilium-agent'

describe('simulateCiliumAgent', () => {
  it('programs each change after its own map operations, queueing simultaneous ones in order', () => {
    const r = simulateCiliumAgent(fixedArrivals([0, 0, 1]), { changeSeconds: () => 0.01, duration: 2 })
    expect(r.latencies[0]).toBeCloseTo(0.01, 12)
    expect(r.latencies[1]).toBeCloseTo(0.02, 12)
    expect(r.latencies[2]).toBeCloseTo(0.01, 12)
    expect(r.busyFraction).toBeCloseTo(0.015, 12)
  })

  it('adds the handler delay to every change', () => {
    const r = simulateCiliumAgent(fixedArrivals([0, 5]), {
      changeSeconds: () => 0.001,
      handlerDelay: 0.1,
      duration: 10,
    })
    expect(r.latencies[0]).toBeCloseTo(0.101, 12)
    expect(r.latencies[1]).toBeCloseTo(0.101, 12)
  })
})
