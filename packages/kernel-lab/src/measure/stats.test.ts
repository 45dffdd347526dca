import { describe, expect, it } from 'vitest'
import { quantile, quantileMean, summarize, trimmedMean } from './stats'

describe('summarize', () => {
  it('takes the middle of an odd count and the mean of the two middles of an even count', () => {
    expect(summarize([5, 1, 3]).median).toBe(3)
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5)
  })

  it('reports nearest-rank percentiles and the relative spread', () => {
    const s = summarize(Array.from({ length: 11 }, (_, i) => 10 + i))
    expect(s).toMatchObject({ n: 11, median: 15, p10: 11, p90: 19, min: 10, max: 20 })
    expect(s.spread).toBeCloseTo(8 / 15)
  })

  it('gives NaN for no values instead of throwing', () => {
    expect(summarize([]).median).toBeNaN()
    expect(quantile([], 0.5)).toBeNaN()
  })
})

describe('trimmedMean', () => {
  it('ignores the outer tenths, so one scheduling outlier does not move it', () => {
    const v = [10, 10, 11, 11, 11, 12, 12, 12, 13, 5000]
    expect(trimmedMean(v)).toBeCloseTo((10 + 11 + 11 + 11 + 12 + 12 + 12 + 13) / 8)
  })
  it('resolves less than the 1 µs step of its inputs', () => {
    expect(trimmedMean([3, 3, 3, 4, 4, 3, 3, 3, 3, 3], 0)).toBeCloseTo(3.2)
  })
})

describe('quantileMean', () => {
  it('averages the values between two quantiles, ignoring the delays above them', () => {
    // 20 round trips of 10 µs, half of them delayed by the scheduler
    const rtts = Array.from({ length: 20 }, (_, i) => (i % 2 ? 10 + 50 * i : 10))
    expect(quantileMean(rtts, 0.05, 0.5)).toBe(10)
    expect(quantileMean([1, 2, 3, 4], 0, 1)).toBe(2.5)
    expect(quantileMean([], 0, 1)).toBeNaN()
  })
})
