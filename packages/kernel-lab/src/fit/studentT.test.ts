import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { regularizedBeta, studentTCdf, studentTQuantile } from './studentT'

describe('Student t', () => {
  it('gives the tables’ two-sided 95 % and 99 % factors', () => {
    // the usual t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
    const table: Array<[number, number, number]> = [
      [1, 12.706, 63.657],
      [2, 4.303, 9.925],
      [5, 2.571, 4.032],
      [6, 2.447, 3.707],
      [10, 2.228, 3.169],
      [30, 2.042, 2.75],
    ]
    for (const [df, q975, q995] of table) {
      expect(studentTQuantile(0.975, df)).toBeCloseTo(q975, 3)
      expect(studentTQuantile(0.995, df)).toBeCloseTo(q995, 3)
    }
    expect(studentTQuantile(0.975, 1e9)).toBeCloseTo(1.95996, 5)
  })

  it('inverts its CDF and is symmetric', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        (p, df) => {
          const t = studentTQuantile(p, df)
          expect(studentTCdf(t, df)).toBeCloseTo(p, 9)
          expect(studentTQuantile(1 - p, df)).toBeCloseTo(-t, 6)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('has the incomplete beta’s closed forms', () => {
    // I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a
    for (const x of [0.1, 0.5, 0.9]) {
      expect(regularizedBeta(x, 1, 3)).toBeCloseTo(1 - (1 - x) ** 3, 12)
      expect(regularizedBeta(x, 2.5, 1)).toBeCloseTo(x ** 2.5, 12)
    }
    expect(studentTCdf(0, 4)).toBe(0.5)
  })

  it('refuses p outside (0, 1) and df below 1', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(/p in \(0, 1\)/)
    expect(() => studentTQuantile(0.9, 0.5)).toThrow(/df ≥ 1/)
  })
})
