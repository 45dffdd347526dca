import { createRng } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { summarize } from '../measure/stats'
import type { Measurement } from '../measure/types'
import { bootstrapConstants, type ConstantSpread } from './bootstrap'
import { binomialUpperTail, compareReruns, coverageNote, RERUN_LEVEL, rerunMarkdown } from './compare'
import { restoreCounts } from './counts'

const spread = (
  key: string,
  value: number,
  lo: number,
  hi: number,
  rerunLo = lo,
  rerunHi = hi,
): ConstantSpread => ({ key, value, lo, hi, rerunLo, rerunHi, samples: 100 })

describe('compareReruns', () => {
  const a = [
    spread('ipt.rule', 6, 5.5, 6.5),
    spread('ipt.match', 20, 18, 22),
    spread('bpf.lookup.hash', 80, 75, 85),
  ]

  it('says which constants of run B lie inside run A’s interval', () => {
    const b = [
      spread('ipt.rule', 6.4, 6, 7),
      spread('ipt.match', 25, 23, 27),
      spread('bpf.lookup.hash', 86, 80, 90),
    ]
    const c = compareReruns(a, b)
    expect(c.rows.map((r) => [r.key, r.within, r.overlap])).toEqual([
      ['ipt.rule', true, true],
      ['ipt.match', false, false],
      ['bpf.lookup.hash', false, true],
    ])
    expect(c.within).toBe(1)
    expect(c.total).toBe(3)
  })

  it('checks run B against A’s rerun interval, not A’s narrower confidence interval', () => {
    const wide = [spread('ipt.rule', 6, 5.8, 6.2, 5.4, 6.6)]
    const c = compareReruns(wide, [spread('ipt.rule', 6.5, 6.3, 6.7)])
    expect(c.rows[0]).toMatchObject({ within: true, overlap: false, lo: 5.4, hi: 6.6, ciLo: 5.8, ciHi: 6.2 })
    expect(c.medianWidth).toBeCloseTo(1.2 / 6)
    expect(compareReruns(wide, [spread('ipt.rule', 6.7, 6.6, 6.8)]).within).toBe(0)
  })

  it('counts a constant the second run did not fit as outside', () => {
    const c = compareReruns(a, [spread('ipt.rule', 6, 6, 6)])
    expect(c.rows.find((r) => r.key === 'ipt.match')).toMatchObject({
      b: undefined,
      within: false,
      overlap: false,
    })
  })

  it('prints run A, run B, A’s interval and within yes/no per constant', () => {
    const md = rerunMarkdown(compareReruns(a, [spread('ipt.rule', 6.4, 6, 7)]), { a: 'A.json', b: 'B.json' })
    expect(md).toContain('| `ipt.rule` | 6 | 6.4 | 5.5 – 6.5 | 17% | 5.5 – 6.5 | 6 – 7 | yes | yes |')
    expect(md).toContain('| `ipt.match` | 20 | — | 18 – 22 | 20% | 18 – 22 | — | no | no |')
    expect(md).toContain('1 of 3 constants')
    expect(md).toContain('rerun (prediction) interval')
  })

  it('says how likely this many constants outside are when every interval has its nominal coverage', () => {
    // 21 constants at 95 %: P(X ≥ 2) = 1 − 0.95^21 − 21 × 0.05 × 0.95^20 ≈ 0.283, worked by hand
    expect(binomialUpperTail(2, 21, 0.05)).toBeCloseTo(1 - 0.95 ** 21 - 21 * 0.05 * 0.95 ** 20, 12)
    expect(binomialUpperTail(2, 21, 0.05)).toBeCloseTo(0.283, 3)
    expect(binomialUpperTail(0, 21, 0.05)).toBe(1)
    expect(binomialUpperTail(22, 21, 0.05)).toBe(0)
    expect(binomialUpperTail(21, 21, 0.05)).toBeCloseTo(0.05 ** 21, 30)
    expect(RERUN_LEVEL).toBe(0.95)
    const all = compareReruns(a, a)
    expect(all.outsideChance).toBe(1)
    expect(coverageNote(all)).toBe('At 95% about 0.2 of 3 are expected outside; none is.')
    // 2 of 3 outside at 95 %: P = 3 × 0.05² × 0.95 + 0.05³ ≈ 0.7 %, too many to be chance
    const two = compareReruns(a, [spread('ipt.rule', 6.4, 6, 7), spread('ipt.match', 25, 23, 27)])
    expect(two.outsideChance).toBeCloseTo(3 * 0.05 ** 2 * 0.95 + 0.05 ** 3, 12)
    expect(coverageNote(two)).toMatch(/2 or more happen with probability 1% .*too many to blame on chance/)
    expect(rerunMarkdown(two, { a: 'A', b: 'B' })).toContain('about 0.2 of 3 are expected outside')
  })
})

/**
 * A synthetic legacy restore sweep: invocation 5 ms, 3 µs per line, with ±noise per run; `passDrift[r]` scales
 * every point's run r (a pass's machine state moving all points together).
 */
function sweep(seed: number, line = 3e-6, noise = 0.05, passDrift = [1, 1, 1]): Measurement[] {
  const rng = createRng(seed)
  return [1000, 5000, 10000, 20000, 50000].map((n) => {
    const truth = 0.005 + 10 * n * line
    const runs = [0, 1, 2].map((r) => truth * passDrift[r] * (1 + noise * (2 * rng.float() - 1)))
    return {
      experiment: 'restore-full',
      backend: 'legacy',
      size: n,
      unit: 's',
      runs,
      summary: summarize(runs),
      counts: restoreCounts({ lines: 10 * n, rulesAfter: 0, chainsAfter: 0, bytesAfter: 0 }, 'legacy'),
    } satisfies Measurement
  })
}

describe('bootstrapConstants', () => {
  it('gives each fitted constant an interval around its value, the same for the same seed', () => {
    const s = bootstrapConstants(sweep(1), { samples: 100 })
    const line = s.find((c) => c.key === 'restore.legacy.line')!
    expect(line.lo).toBeLessThanOrEqual(line.value)
    expect(line.hi).toBeGreaterThanOrEqual(line.value)
    expect(line.hi - line.lo).toBeGreaterThan(0)
    expect(Math.abs(line.value / 3e-6 - 1)).toBeLessThan(0.05)
    expect(bootstrapConstants(sweep(1), { samples: 100 })).toEqual(s)
  })

  it('accepts a rerun of the same kernel and rejects one whose per-line cost doubled', () => {
    const a = bootstrapConstants(sweep(1), { samples: 100 })
    const line = (c: ReturnType<typeof compareReruns>) => c.rows.find((r) => r.key === 'restore.legacy.line')!
    // the same process measured again, with other noise: inside (or at least overlapping) A's spread
    expect(line(compareReruns(a, bootstrapConstants(sweep(2), { samples: 100 }))).overlap).toBe(true)
    const slower = line(compareReruns(a, bootstrapConstants(sweep(3, 6e-6), { samples: 100 })))
    expect(slower.within).toBe(false)
    expect(slower.overlap).toBe(false)
  })

  it('resamples whole passes: a pass slower on every point reaches the interval, with a wider rerun interval', () => {
    // pass 3 30% slower everywhere: two of three draws from it (7 in 27 resamples) fit that pass's line
    const s = bootstrapConstants(sweep(4, 3e-6, 0.01, [1, 1, 1.3]), { samples: 200 })
    const line = s.find((c) => c.key === 'restore.legacy.line')!
    expect(line.hi).toBeGreaterThan(1.25 * 3e-6)
    expect(line.rerunHi - line.rerunLo).toBeGreaterThan(line.hi - line.lo)
    expect(line.rerunLo).toBeLessThanOrEqual(line.value)
    expect(line.rerunHi).toBeGreaterThanOrEqual(line.value)
  })
})
