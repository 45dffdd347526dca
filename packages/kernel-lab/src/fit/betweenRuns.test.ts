import { createRng } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import {
  betweenRunSpread,
  betweenRunSpreadMarkdown,
  betweenRunsMarkdown,
  withBetweenRuns,
  withPoolPrediction,
} from './betweenRuns'
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

/** Whole-run random effects: SE each run's own noise, TAU the run effect. */
const SE = 2
const TAU = 5

/** Seeded draws of one run's estimate of constant `k`: 100 + r + e, r ~ N(0, TAU²) for the run, e ~ N(0, SE²). */
function randomEffectsRuns(seed: number): () => ConstantSpread {
  const rng = createRng(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float())
  return () => run('k', 100 + TAU * normal() + SE * normal(), SE)
}

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
    const draw = randomEffectsRuns(11)
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

describe('withPoolPrediction', () => {
  it('is the pool’s value ± t·√((τ² + within-run variance)(1 + 1/n)) (by hand), lower ends ≥ 0', () => {
    const between = betweenRunSpread([[run('k', 6, 0.1)], [run('k', 7, 0.1)], [run('k', 5.5, 0.1)]])
    const b = between[0]
    expect(b.runs).toBe(3)
    const [p] = withPoolPrediction([run('k', 6.2, 0.01)], between)
    const half = studentTQuantile(0.975, 2) * Math.sqrt((b.tau ** 2 + b.withinVar) * (1 + 1 / 3))
    expect(p.rerunLo).toBeCloseTo(6.2 - half, 10)
    expect(p.rerunHi).toBeCloseTo(6.2 + half, 10)
    expect(withPoolPrediction([run('k', 0.5, 0.01)], between)[0].rerunLo).toBe(0)
    expect(withPoolPrediction([run('other', 1, 0.01)], between)[0]).toEqual(run('other', 1, 0.01))
  })

  it('has its nominal coverage for a new run against a pool of runs (simulated random-effects runs)', () => {
    // n pooled runs (each μ + r + e, r ~ N(0, τ²) per run, e ~ N(0, se²)); the pool's value their mean, its own
    // bootstrap narrow (se/√n: many passes); a new run checked against the pool's interval. Neither the pool's
    // bootstrap nor the single-run widening (which assumes the reference is one run) covers it.
    const draw = randomEffectsRuns(12)
    const n = 8
    let inside = 0
    let insideBootstrap = 0
    const trials = 2000
    for (let i = 0; i < trials; i++) {
      const pooled = Array.from({ length: n }, () => [draw()])
      const mean = pooled.reduce((a, r) => a + r[0].value, 0) / n
      const pool = [run('k', mean, SE / Math.sqrt(n))]
      const fresh = [draw()]
      inside += compareReruns(withPoolPrediction(pool, betweenRunSpread(pooled)), fresh).within
      insideBootstrap += compareReruns(pool, fresh).within
    }
    expect(inside / trials).toBeGreaterThan(0.93)
    expect(inside / trials).toBeLessThan(0.975)
    expect(insideBootstrap / trials).toBeLessThan(0.5)
  })

  it('is the interval a pool’s README shows, naming the pooled runs', () => {
    const between = betweenRunSpread([[run('k', 6, 0.1)], [run('k', 7, 0.1)]])
    const md = betweenRunSpreadMarkdown([run('k', 6.5, 0.05)], between, ['a.json', 'b.json'], true)
    expect(md).toContain('The 2 calibrations this profile pools (`a.json`, `b.json`)')
    const [p] = withPoolPrediction([run('k', 6.5, 0.05)], between)
    const f = (x: number) => Number(x.toPrecision(4)).toString()
    expect(md).toContain(`${f(p.rerunLo)} – ${f(p.rerunHi)}`)
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
