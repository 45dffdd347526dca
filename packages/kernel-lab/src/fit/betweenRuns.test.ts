import { createRng } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { betweenRunSpread, betweenRunsMarkdown, withBetweenRuns } from './betweenRuns'
import type { ConstantSpread } from './bootstrap'
import { compareReruns } from './compare'
import { studentTQuantile } from './studentT'

const Z = studentTQuantile(0.975, 1e9)

/** A run's spread of one constant with standard error `se`: confidence ± Z·se, rerun ± Z·√2·se. */
const run = (key: string, value: number, se: number): ConstantSpread => ({
  key,
  value,
  lo: value - Z * se,
  hi: value + Z * se,
  rerunLo: Math.max(0, value - Z * Math.SQRT2 * se),
  rerunHi: value + Z * Math.SQRT2 * se,
  samples: 200,
})

describe('betweenRunSpread', () => {
  it('takes the runs’ own variance out of their sample variance (by hand)', () => {
    const [b] = betweenRunSpread([[run('k', 10, 1)], [run('k', 12, 1)], [run('k', 14, 1)]])
    expect(b).toMatchObject({ key: 'k', runs: 3, mean: 12 })
    expect(b.sd).toBeCloseTo(2, 12)
    expect(b.withinVar).toBeCloseTo(1, 9)
    expect(b.tau).toBeCloseTo(Math.sqrt(3), 9)
    expect(b.t).toBeCloseTo(4.303, 3)
  })

  it('finds no run effect where the runs’ own noise explains their differences, and none from one run', () => {
    const [b] = betweenRunSpread([[run('k', 10, 2)], [run('k', 11, 2)]])
    expect(b.tau).toBe(0)
    const [one] = betweenRunSpread([[run('k', 10, 1)], [run('other', 5, 1)]])
    expect(one).toMatchObject({ runs: 1, tau: 0 })
    expect(one.t).toBeNaN()
  })
})

describe('withBetweenRuns', () => {
  it('adds t²·2τ² to each side’s squared half-width (by hand), keeping lower ends ≥ 0', () => {
    const a = run('k', 10, 1)
    const between = betweenRunSpread([[a], [run('k', 12, 1)], [run('k', 14, 1)]])
    const [w] = withBetweenRuns([a], between)
    const h = Z * Math.SQRT2
    const extra = 4.302652729749752 ** 2 * 2 * 3 // t(0.975, 2)² · 2τ², τ² = 3
    expect(w.rerunHi).toBeCloseTo(10 + Math.sqrt(h * h + extra), 6)
    expect(w.rerunLo).toBe(0) // 10 − 11.3 clamps
    expect([w.value, w.lo, w.hi]).toEqual([a.value, a.lo, a.hi])
  })

  it('never narrows an interval, and leaves constants without a between-run figure alone', () => {
    const rng = createRng(3)
    for (let i = 0; i < 50; i++) {
      const runs = Array.from({ length: 2 + rng.int(5) }, () => [
        run('k', 50 + 20 * rng.float(), 0.5 + 3 * rng.float()),
      ])
      const a = [run('k', 60, 1), run('lonely', 3, 0.1)]
      const w = withBetweenRuns(a, betweenRunSpread([a.slice(0, 1), ...runs]))
      expect(w[0].rerunLo).toBeLessThanOrEqual(a[0].rerunLo)
      expect(w[0].rerunHi).toBeGreaterThanOrEqual(a[0].rerunHi)
      expect(w[1]).toEqual(a[1])
    }
  })

  it('has its nominal coverage where runs differ by more than their own noise (simulated random-effects runs)', () => {
    // each run's estimate = μ + r + e, r ~ N(0, τ²) for the whole run, e ~ N(0, se²) its own noise; reference run
    // A, five history runs, then B checked against A's interval. The bootstrap interval alone knows only se.
    const rng = createRng(11)
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float())
    const tau = 5
    const se = 2
    const draw = () => run('k', 100 + tau * normal() + se * normal(), se)
    let inside = 0
    let insideAlone = 0
    const trials = 2000
    for (let i = 0; i < trials; i++) {
      const a = [draw()]
      const history = Array.from({ length: 5 }, () => [draw()])
      const b = [draw()]
      const widened = withBetweenRuns(a, betweenRunSpread([a, ...history]))
      inside += compareReruns(widened, b).within
      insideAlone += compareReruns(a, b).within
    }
    expect(inside / trials).toBeGreaterThan(0.93)
    expect(inside / trials).toBeLessThan(0.995)
    expect(insideAlone / trials).toBeLessThan(0.6)
  })
})

describe('betweenRunsMarkdown', () => {
  it('prints each constant’s runs, τ and widened interval, and the count inside', () => {
    const a = [run('ipt.rule', 6, 0.1)]
    const between = betweenRunSpread([a, [run('ipt.rule', 7, 0.1)], [run('ipt.rule', 5.5, 0.1)]])
    const c = compareReruns(withBetweenRuns(a, between), [run('ipt.rule', 6.8, 0.1)])
    const md = betweenRunsMarkdown(c, between, { a: 'A', b: 'B', runs: 'A, H1 and H2' })
    expect(md).toContain('## Rerun check with the between-run spread: B against A')
    expect(md).toContain('τ from A, H1 and H2. 1 of 1 constants of B')
    expect(md).toMatch(
      /\| `ipt.rule` \| 3 \| 6\.167 \| 0\.7638 \| 0\.1 \| 0\.7572 \| 4\.30 \| 6 \| 6\.8 \| .* \| yes \|/,
    )
  })
})
