import { describe, expect, it } from 'vitest'
import { syncSecondsFromSamples } from './sync-model'

describe('syncSecondsFromSamples', () => {
  const f = syncSecondsFromSamples([
    { services: 1000, fullSeconds: 0.1, partialSeconds: 0.05 },
    { services: 10_000, fullSeconds: 1, partialSeconds: 0.5 },
  ])

  it('returns the sample at a sampled size and interpolates between sizes', () => {
    expect(f({ services: 1000, changedServices: 1, full: true })).toBeCloseTo(0.1, 12)
    expect(f({ services: 5500, changedServices: 1, full: false })).toBeCloseTo(0.275, 12)
  })

  it('scales in proportion to the table outside the samples', () => {
    expect(f({ services: 20_000, changedServices: 1, full: true })).toBeCloseTo(2, 12)
    expect(f({ services: 100, changedServices: 1, full: false })).toBeCloseTo(0.005, 12)
  })

  it('adds each extra changed service its share of a full restore', () => {
    expect(f({ services: 10_000, changedServices: 11, full: false })).toBeCloseTo(0.5 + 10 * 1e-4, 12)
  })
})
