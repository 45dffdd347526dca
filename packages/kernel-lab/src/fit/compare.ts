import type { ConstantSpread } from './bootstrap'

/** One constant of two calibrations: is run B's value inside run A's rerun (prediction) interval? */
export interface RerunRow {
  key: string
  a: number
  b: number | undefined
  /** A's rerun interval: where a second calibration is expected to land */
  lo: number
  hi: number
  /** A's confidence interval (its own estimate's spread) */
  ciLo: number
  ciHi: number
  /** B's own confidence interval, when B's spread was computed too */
  bLo?: number
  bHi?: number
  /** B inside A's rerun interval */
  within: boolean
  /** the two confidence intervals share some values */
  overlap: boolean
}

export interface RerunComparison {
  rows: RerunRow[]
  /** constants of A with a B value inside A's rerun interval, of all of A's constants */
  within: number
  total: number
  /** median over constants of A's rerun interval width relative to A's value (a check that passes only because
   * the intervals are huge says nothing: read it beside `within`) */
  medianWidth: number
  /**
   * the chance of at least this many constants outside if every rerun interval had its nominal 95 % coverage
   * (binomial, constants taken as independent): a 95 % interval misses one rerun in 20 by construction, so a
   * check of 21 constants expects one outside, and only a small chance here says the intervals are too narrow
   */
  outsideChance: number
}

/** The nominal coverage of the confidence and rerun intervals (bootstrap.ts's default level). */
export const RERUN_LEVEL = 0.95

/** How many of `total` constants a rerun interval of nominal coverage RERUN_LEVEL is expected to miss. */
export function expectedOutside(total: number): number {
  return total * (1 - RERUN_LEVEL)
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed over the tail (no 1 − sum cancellation for small tails). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1
  if (k > n) return 0
  let term = (1 - p) ** n // P(X = 0)
  let tail = 0
  for (let i = 0; i <= n; i++) {
    if (i >= k) tail += term
    term *= ((n - i) / (i + 1)) * (p / (1 - p))
  }
  return Math.min(1, tail)
}

/** (hi − lo) / |value|; 0 for a zero constant with a zero-width interval, Infinity for a zero with a width. */
export function relativeWidth(value: number, lo: number, hi: number): number {
  if (value !== 0) return (hi - lo) / Math.abs(value)
  return hi > lo ? Number.POSITIVE_INFINITY : 0
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q)
  if (s.length === 0) return 0
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * The rerun check of issue 7 ("rerunning gives constants within the measured spread"): every constant A's
 * calibration fitted, with A's rerun interval (bootstrap prediction interval: the spread of the difference of
 * two calibrations' estimates, around A's value), and whether a second calibration B landed inside it. A
 * constant B did not fit counts as outside.
 */
export function compareReruns(a: readonly ConstantSpread[], b: readonly ConstantSpread[]): RerunComparison {
  const byKey = new Map(b.map((s) => [s.key, s]))
  const rows = a.map((s): RerunRow => {
    const o = byKey.get(s.key)
    const within = o !== undefined && o.value >= s.rerunLo && o.value <= s.rerunHi
    const overlap = o !== undefined && o.lo <= s.hi && o.hi >= s.lo
    return {
      key: s.key,
      a: s.value,
      b: o?.value,
      lo: s.rerunLo,
      hi: s.rerunHi,
      ciLo: s.lo,
      ciHi: s.hi,
      ...(o ? { bLo: o.lo, bHi: o.hi } : {}),
      within,
      overlap,
    }
  })
  const within = rows.filter((r) => r.within).length
  return {
    rows,
    within,
    total: rows.length,
    medianWidth: median(rows.map((r) => relativeWidth(r.a, r.lo, r.hi))),
    outsideChance: binomialUpperTail(rows.length - within, rows.length, 1 - RERUN_LEVEL),
  }
}

/** A constant as the READMEs print it (4 significant digits; — when absent). */
export const num = (v: number | undefined) => (v === undefined ? '—' : Number(v.toPrecision(4)).toString())

/** A relative width as the READMEs print it. */
export const pct = (w: number) => (Number.isFinite(w) ? `${(w * 100).toFixed(0)}%` : '∞')

/** What the two intervals mean: said the same way in the README and the rerun check. */
export const INTERVAL_MEANING =
  'Block bootstrap over passes: the lab measures every point once per pass, passes minutes apart (in raw data ' +
  'taken from 2026-11-29 02:30 UTC on, each pass also loads the BPF program and its map afresh); a resample draws whole passes with replacement (the same ' +
  'passes for every point, so a pass’s machine state moves all its points together) and re-fits every group. ' +
  'The 95% confidence interval is where this calibration’s estimate could have landed; the 95% rerun ' +
  'interval (a prediction interval: the percentiles of value + fit(resample 1) − fit(resample 2)) is where a ' +
  'second calibration on the same machine is expected to land, both runs’ noise counted. Nothing is widened ' +
  'by hand; with three or four passes (four from 2026-11-29 05:00 UTC on) the bootstrap knows only that many ' +
  'machine states, so what varies only between ' +
  'calibrations (another boot, another VM placement) is not in either interval. ' +
  '`dpsim calibrate --from-raw A --compare-raw B` checks B against A’s rerun intervals.'

/** The spread of every constant of one calibration, as a Markdown table. */
export function spreadMarkdown(spread: readonly ConstantSpread[], samples: number): string {
  const out = [
    '## Fitted constants and their spread',
    '',
    `${INTERVAL_MEANING} ${samples} resamples, seeded.`,
    '',
    '| constant | value | 95% confidence interval | width | 95% rerun interval | width |',
    '|---|---:|---|---:|---|---:|',
  ]
  for (const s of spread) {
    out.push(
      `| \`${s.key}\` | ${num(s.value)} | ${num(s.lo)} – ${num(s.hi)} | ${pct(relativeWidth(s.value, s.lo, s.hi))} | ` +
        `${num(s.rerunLo)} – ${num(s.rerunHi)} | ${pct(relativeWidth(s.value, s.rerunLo, s.rerunHi))} |`,
    )
  }
  return `${out.join('\n')}\n`
}

/**
 * What the count outside says about the intervals' coverage: a 95 % interval misses one rerun in 20, so some
 * constants outside are expected; the binomial tail says how unusual this many is.
 */
export function coverageNote(c: RerunComparison): string {
  const outside = c.total - c.within
  const expected = expectedOutside(c.total).toFixed(1)
  const chance = `${(c.outsideChance * 100).toFixed(0)}%`
  if (outside === 0) return `At 95% about ${expected} of ${c.total} are expected outside; none is.`
  const verdict =
    c.outsideChance < 0.05
      ? 'too many to blame on chance, so the intervals are too narrow for this pair'
      : 'as many as 95% intervals miss by chance'
  return (
    `At 95% about ${expected} of ${c.total} are expected outside; ${outside} or more happen with probability ` +
    `${chance} (binomial, constants taken as independent): ${verdict}.`
  )
}

/** The rerun check as Markdown: per constant run A, run B, A's rerun interval and its width, within yes/no. */
export function rerunMarkdown(c: RerunComparison, names: { a: string; b: string }): string {
  const out = [
    `## Rerun check: ${names.b} against ${names.a}`,
    '',
    `${c.within} of ${c.total} constants of the second run lie inside the first run's 95% rerun (prediction) ` +
      `interval; the median rerun interval is ${pct(c.medianWidth)} of its constant wide. ${coverageNote(c)}`,
    '',
    INTERVAL_MEANING,
    '',
    '| constant | run A | run B | A’s rerun interval | width | A’s confidence interval | B’s confidence interval | within | confidence intervals overlap |',
    '|---|---:|---:|---|---:|---|---|---|---|',
  ]
  for (const r of c.rows)
    out.push(
      `| \`${r.key}\` | ${num(r.a)} | ${num(r.b)} | ${num(r.lo)} – ${num(r.hi)} | ${pct(relativeWidth(r.a, r.lo, r.hi))} | ` +
        `${num(r.ciLo)} – ${num(r.ciHi)} | ` +
        `${r.bLo === undefined ? '—' : `${num(r.bLo)} – ${num(r.bHi)}`} | ${r.within ? 'yes' : 'no'} | ${r.overlap ? 'yes' : 'no'} |`,
    )
  return `${out.join('\n')}\n`
}
