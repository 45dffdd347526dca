import { createRng } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { restoreCounts } from './counts'
import { fitNonNegative } from './leastSquares'
import { selectTerms } from './selectTerms'

const noisy = (seed: number) => {
  const rng = createRng(seed)
  return (v: number, amp: number) => v * (1 + amp * (2 * rng.float() - 1))
}

/** A legacy-restore-like kernel: 3 ms per invocation, 2.4 µs per line, 12 ns per table byte, no lineChain. */
const kernel = {
  'restore.legacy.invocation': 0.003,
  'restore.legacy.line': 2.4e-6,
  'restore.legacy.tableByte': 1.2e-8,
}
const keys = [
  'restore.legacy.invocation',
  'restore.legacy.line',
  'restore.legacy.tableByte',
  'restore.legacy.lineChain',
]
const restoreRows = (services: number[], seed: number) => {
  const jitter = noisy(seed)
  return services.map((n) => {
    const counts = restoreCounts(
      { lines: 10 * n + 8, rulesAfter: 5 * n + 2, chainsAfter: 2 * n + 4, bytesAfter: 4360 * n + 3000 },
      'legacy',
    )
    const y = Object.entries(kernel).reduce((a, [k, c]) => a + (counts[k] ?? 0) * c, 0)
    return { counts, y: jitter(y, 0.1) }
  })
}

describe('selectTerms', () => {
  it('leaves out an intercept the sweep cannot see under tens of ms of restore, at 0', () => {
    const rows = restoreRows([1000, 5000, 10000, 20000, 50000, 1000, 5000, 10000, 20000, 50000], 4)
    const { fit, dropped } = selectTerms(rows, keys, fitNonNegative(rows, keys))
    expect(dropped).toContain('restore.legacy.invocation')
    expect(fit.constants['restore.legacy.invocation']).toBe(0)
    // lines and table bytes of this shape are both linear in services: the per-service cost stays explained
    expect(fit.rmsRelativeError).toBeLessThan(0.1)
  })

  it('keeps the intercept once the sweep has an empty table (its restore is nearly all invocation)', () => {
    const rows = restoreRows([0, 1000, 5000, 10000, 20000, 50000, 0, 1000, 5000, 10000, 20000, 50000], 4)
    const { fit, dropped } = selectTerms(rows, keys, fitNonNegative(rows, keys))
    expect(dropped).not.toContain('restore.legacy.invocation')
    expect(fit.constants['restore.legacy.invocation']).toBeGreaterThan(0.002)
    expect(fit.constants['restore.legacy.invocation']).toBeLessThan(0.004)
  })

  it('keeps every key the data need, and the last key whatever the data', () => {
    const jitter = noisy(5)
    const rows = Array.from({ length: 12 }, (_, i) => ({
      counts: { a: 1 + i, b: (1 + i) ** 2 },
      y: jitter(3 * (1 + i) + (1 + i) ** 2, 0.01),
    }))
    expect(selectTerms(rows, ['a', 'b'], fitNonNegative(rows, ['a', 'b'])).dropped).toEqual([])
    const flat = rows.map((r) => ({ ...r, y: 5 }))
    const one = selectTerms(flat, ['a'], fitNonNegative(flat, ['a']))
    expect(one.dropped).toEqual([])
  })
})
