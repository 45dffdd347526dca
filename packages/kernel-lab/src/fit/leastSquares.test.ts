import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type FitRow, fitNonNegative, predict } from './leastSquares'

describe('fitNonNegative', () => {
  it('recovers the constants that generated exact data', () => {
    const rows = [1000, 5000, 10000, 20000].map((n) => ({
      counts: { 'restore.exec': 1, 'restore.line': n * 10 },
      y: 2e6 + n * 10 * 6000,
    }))
    const fit = fitNonNegative(rows, ['restore.exec', 'restore.line'])
    expect(fit.constants['restore.exec']).toBeCloseTo(2e6, -1)
    expect(fit.constants['restore.line']).toBeCloseTo(6000, 3)
    expect(fit.rmsRelativeError).toBeLessThan(1e-9)
  })

  it('separates two constants from two experiments with different mixes', () => {
    const rows: FitRow[] = [1000, 5000].flatMap((n) => [
      { counts: { 'ipt.rule': 2 * n, 'ipt.match': 0 }, y: 2 * n * 4 },
      { counts: { 'ipt.rule': 2 * n, 'ipt.match': 2 * n }, y: 2 * n * (4 + 7) },
    ])
    const fit = fitNonNegative(rows, ['ipt.rule', 'ipt.match'])
    expect(fit.constants['ipt.rule']).toBeCloseTo(4, 6)
    expect(fit.constants['ipt.match']).toBeCloseTo(7, 6)
  })

  it('pins a constant at zero rather than letting it go negative', () => {
    // the second key only ever lowers the value: the best non-negative answer ignores it
    const rows = [
      { counts: { a: 1, b: 0 }, y: 10 },
      { counts: { a: 2, b: 1 }, y: 18 },
      { counts: { a: 3, b: 2 }, y: 27 },
    ]
    const fit = fitNonNegative(rows, ['a', 'b'])
    expect(fit.constants.b).toBe(0)
    expect(fit.constants.a).toBeGreaterThan(8)
  })

  it('leaves out keys no row counts', () => {
    const fit = fitNonNegative([{ counts: { a: 1 }, y: 3 }], ['a', 'never'])
    expect(Object.keys(fit.constants)).toEqual(['a'])
  })

  it('never returns a negative constant and fits noiseless data exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 3, maxLength: 6 }),
        (exec, line, sizes) => {
          const rows = sizes.map((n, i) => ({ counts: { exec: 1, line: n + i }, y: exec + (n + i) * line }))
          const fit = fitNonNegative(rows, ['exec', 'line'])
          for (const v of Object.values(fit.constants)) expect(v).toBeGreaterThanOrEqual(0)
          for (const r of rows)
            expect(Math.abs(predict(r.counts, fit.constants) - r.y) / r.y).toBeLessThan(1e-3)
        },
      ),
      { numRuns: 50 },
    )
  })
})
