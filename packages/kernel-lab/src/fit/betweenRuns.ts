import type { ConstantSpread } from './bootstrap'
import { coverageNote, num, pct, RERUN_LEVEL, type RerunComparison, relativeWidth } from './compare'
import { studentTQuantile } from './studentT'

/**
 * What moves a constant between calibrations of one machine beyond each run's own noise, measured from runs of
 * other hours: the host running slower or faster for a whole run (noisy neighbours, another placement) moves every
 * point of that run together, which no bootstrap over one run's passes can see. Random-effects model per
 * constant: run j's estimate = μ + r_j + e_j, the run effect r_j of variance τ², the run's own error e_j of the
 * variance its bootstrap confidence interval gives.
 */
export interface BetweenRunSpread {
  key: string
  /** runs that fitted this constant */
  runs: number
  /** their mean and sample standard deviation */
  mean: number
  sd: number
  /** the mean of the runs' own variances, each (confidence interval width ÷ 2z)² */
  withinVar: number
  /** the between-run standard deviation, √max(0, sd² − withinVar) (method of moments; 0 with one run) */
  tau: number
  /** Student t quantile at the level with runs − 1 degrees of freedom (τ is estimated from few runs); NaN with one run */
  t: number
}

/** The standard normal's p-quantile (Student t with a very large df: 1.95996 at 0.975). */
const normalQuantile = (p: number) => studentTQuantile(p, 1e9)

/**
 * Each constant's between-run spread over `runs` (each a calibration's `ConstantSpread[]`, re-fitted with the same
 * model). Constants are matched by key; a run that did not fit a constant does not count for it.
 */
export function betweenRunSpread(
  runs: ReadonlyArray<readonly ConstantSpread[]>,
  level = RERUN_LEVEL,
): BetweenRunSpread[] {
  const z = normalQuantile(1 - (1 - level) / 2)
  const byKey = new Map<string, ConstantSpread[]>()
  for (const run of runs)
    for (const s of run) {
      const list = byKey.get(s.key)
      if (list) list.push(s)
      else byKey.set(s.key, [s])
    }
  return [...byKey].map(([key, list]) => {
    const n = list.length
    const mean = list.reduce((a, s) => a + s.value, 0) / n
    const sd = n > 1 ? Math.sqrt(list.reduce((a, s) => a + (s.value - mean) ** 2, 0) / (n - 1)) : 0
    const withinVar = list.reduce((a, s) => a + ((s.hi - s.lo) / (2 * z)) ** 2, 0) / n
    return {
      key,
      runs: n,
      mean,
      sd,
      withinVar,
      tau: n > 1 ? Math.sqrt(Math.max(0, sd * sd - withinVar)) : 0,
      t: n > 1 ? studentTQuantile(1 - (1 - level) / 2, n - 1) : Number.NaN,
    }
  })
}

/**
 * A calibration's rerun intervals with the between-run spread added: a second calibration at another hour
 * differs from this one by both runs' own noise (the bootstrap rerun interval, half-width h on each side) and
 * both runs' effects (variance 2τ²), so each side becomes √(h² + t²·2τ²), t the Student quantile of the runs τ
 * came from; lower ends stay ≥ 0 as the fit's constants do. Constants without a between-run figure (fewer than
 * two runs fitted them) keep their interval. Nothing else changes.
 */
export function withBetweenRuns(
  spread: readonly ConstantSpread[],
  between: readonly BetweenRunSpread[],
): ConstantSpread[] {
  return eachWithBetween(spread, between, (s, b) => {
    const extra = b.t * b.t * 2 * b.tau * b.tau
    return {
      ...s,
      rerunLo: Math.max(0, s.value - Math.sqrt((s.value - s.rerunLo) ** 2 + extra)),
      rerunHi: s.value + Math.sqrt((s.rerunHi - s.value) ** 2 + extra),
    }
  })
}

/** `spread` with `f` applied to each constant that at least two runs of `between` fitted; the others as they are. */
function eachWithBetween(
  spread: readonly ConstantSpread[],
  between: readonly BetweenRunSpread[],
  f: (s: ConstantSpread, b: BetweenRunSpread) => ConstantSpread,
): ConstantSpread[] {
  const byKey = new Map(between.map((b) => [b.key, b]))
  return spread.map((s) => {
    const b = byKey.get(s.key)
    return !b || b.runs < 2 ? s : f(s, b)
  })
}

/**
 * A pool's intervals for a new calibration (run/pool.ts): the pooled runs are n draws of one constant, each run's
 * estimate μ + r + e with variance τ² + its own (withinVar) about μ, so a new run lands within the classic
 * prediction interval of one more draw, value ± t·√((τ² + withinVar)·(1 + 1/n)), t the Student quantile with n − 1
 * degrees of freedom. (withBetweenRuns fits a single reference run, whose bootstrap rerun interval already holds
 * both runs' own noise; a pool's bootstrap over all its passes is narrow and holds neither the new run's noise nor
 * its hour.) Lower ends stay ≥ 0; constants fewer than two pooled runs fitted keep their interval.
 */
export function withPoolPrediction(
  spread: readonly ConstantSpread[],
  between: readonly BetweenRunSpread[],
): ConstantSpread[] {
  return eachWithBetween(spread, between, (s, b) => {
    const half = b.t * Math.sqrt((b.tau * b.tau + b.withinVar) * (1 + 1 / b.runs))
    return { ...s, rerunLo: Math.max(0, s.value - half), rerunHi: s.value + half }
  })
}

/** What the between-run check means: said once, in every README that shows it. */
export const BETWEEN_RUNS_MEANING =
  'Each run’s bootstrap sees only its own passes, so a host that runs slower or faster for a whole calibration ' +
  '(another hour, other neighbours) moves every constant of that run at once and no interval built from one run ' +
  'contains it. The between-run spread is measured instead, from calibrations of this machine at other hours, ' +
  'each re-fitted from its raw data with today’s model: per constant, τ² = max(0, s² − mean within-run ' +
  'variance) (s the runs’ sample standard deviation, a run’s own variance its confidence interval’s (width ÷ ' +
  '2 × 1.96)²: a random-effects model, method of moments). The widened rerun interval is the reference run’s value ' +
  '± √(h² + t² × 2τ²), h its bootstrap rerun half-width on that side and t the Student quantile with runs − 1 degrees ' +
  'of freedom (τ comes from few runs). τ is taken from the reference run and the history, never from the run ' +
  'checked.'

/** A constant's between-run cells of both tables: runs, mean, s, within-run SD, τ, t (— where absent). */
function betweenCells(b: BetweenRunSpread | undefined): string {
  return (
    `${b?.runs ?? 0} | ${num(b?.mean)} | ${num(b?.sd)} | ${num(b && Math.sqrt(b.withinVar))} | ${num(b?.tau)} | ` +
    `${b && Number.isFinite(b.t) ? b.t.toFixed(2) : '—'}`
  )
}

/**
 * The rerun check with the between-run spread, as Markdown: per constant the runs τ came from, their mean, s, the
 * mean within-run standard deviation, τ, t, the widened interval around the reference run's value, the checked
 * run's value and whether it lies inside.
 */
export function betweenRunsMarkdown(
  c: RerunComparison,
  between: readonly BetweenRunSpread[],
  names: { a: string; b: string; runs: string },
): string {
  const byKey = new Map(between.map((b) => [b.key, b]))
  const out = [
    `## Rerun check with the between-run spread: ${names.b} against ${names.a}`,
    '',
    `τ from ${names.runs}. ${c.within} of ${c.total} constants of ${names.b} lie inside ${names.a}’s widened ` +
      `95% rerun interval; the median widened interval is ${pct(c.medianWidth)} of its constant wide. ` +
      coverageNote(c),
    '',
    `| constant | runs | mean | s | within-run SD | τ | t | ${names.a} | ${names.b} | ${names.a}’s widened rerun interval | width | within |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|',
  ]
  for (const r of c.rows) {
    out.push(
      `| \`${r.key}\` | ${betweenCells(byKey.get(r.key))} | ${num(r.a)} | ${num(r.b)} | ` +
        `${num(r.lo)} – ${num(r.hi)} | ${pct(relativeWidth(r.a, r.lo, r.hi))} | ${r.within ? 'yes' : 'no'} |`,
    )
  }
  return `${out.join('\n')}\n`
}

/**
 * One calibration's constants with the between-run spread of it and earlier runs of the machine (what
 * `dpsim calibrate --raw-dir D --history H...` adds to D/README.md): per constant the run's value and rerun
 * interval, the runs' mean, s, mean within-run SD and τ, and the rerun interval widened by τ (withBetweenRuns).
 */
export function betweenRunSpreadMarkdown(
  spread: readonly ConstantSpread[],
  between: readonly BetweenRunSpread[],
  sources: readonly string[],
  /** `spread` is a pool's fit (run/pool.ts) and `sources` the calibrations it pooled: τ is theirs alone */
  pooled = false,
): string {
  const byKey = new Map(between.map((b) => [b.key, b]))
  const widened = pooled ? withPoolPrediction(spread, between) : withBetweenRuns(spread, between)
  const out = [
    '## Between calibrations',
    '',
    pooled
      ? `The ${sources.length} calibrations this profile pools (${sources.map((s) => `\`${s}\``).join(', ')}), ` +
        'each also re-fitted on its own from its raw data ' +
        'with today’s model; “this run” is the pool. Its interval with τ is where a new calibration of this ' +
        'machine, at another hour, should land: the prediction interval of one more run, the pool’s value ± ' +
        't × √((τ² + within-run variance) × (1 + 1/runs)), t the Student quantile with runs − 1 degrees of freedom ' +
        '(for a pool this replaces the widening below, which is for one reference run).'
      : `This run and ${sources.length} earlier calibration${sources.length === 1 ? '' : 's'} of the machine, each ` +
        `re-fitted from its raw data with today’s model (\`${sources.map((s) => `--history ${s}`).join(' ')}\`).`,
    '',
    BETWEEN_RUNS_MEANING,
    '',
    '| constant | this run | 95% rerun interval | runs | mean | s | within-run SD | τ | t | rerun interval with τ | width |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|',
  ]
  spread.forEach((s, i) => {
    const w = widened[i]
    out.push(
      `| \`${s.key}\` | ${num(s.value)} | ${num(s.rerunLo)} – ${num(s.rerunHi)} | ` +
        `${betweenCells(byKey.get(s.key))} | ${num(w.rerunLo)} – ${num(w.rerunHi)} | ` +
        `${pct(relativeWidth(w.value, w.rerunLo, w.rerunHi))} |`,
    )
  })
  return `${out.join('\n')}\n`
}
