import type { ConstantSpread } from './bootstrap'

/** One constant of two calibrations: is run B's value inside run A's bootstrap interval? */
export interface RerunRow {
  key: string
  a: number
  b: number | undefined
  lo: number
  hi: number
  /** B's own interval, when B's spread was computed too */
  bLo?: number
  bHi?: number
  /** B inside A's interval */
  within: boolean
  /** the two intervals share some values (a weaker test: both runs' noise accounted for) */
  overlap: boolean
}

export interface RerunComparison {
  rows: RerunRow[]
  /** constants of A with a B value inside A's interval, of all of A's constants */
  within: number
  total: number
}

/**
 * The rerun check of issue 7 ("rerunning gives constants within the measured spread"): every constant A's
 * calibration fitted, with A's bootstrap interval, and whether a second calibration B landed inside it.
 * A constant B did not fit counts as outside.
 */
export function compareReruns(a: readonly ConstantSpread[], b: readonly ConstantSpread[]): RerunComparison {
  const byKey = new Map(b.map((s) => [s.key, s]))
  const rows = a.map((s): RerunRow => {
    const o = byKey.get(s.key)
    const within = o !== undefined && o.value >= s.lo && o.value <= s.hi
    const overlap = o !== undefined && o.lo <= s.hi && o.hi >= s.lo
    return {
      key: s.key,
      a: s.value,
      b: o?.value,
      lo: s.lo,
      hi: s.hi,
      ...(o ? { bLo: o.lo, bHi: o.hi } : {}),
      within,
      overlap,
    }
  })
  return { rows, within: rows.filter((r) => r.within).length, total: rows.length }
}

const num = (v: number | undefined) => (v === undefined ? '—' : Number(v.toPrecision(4)).toString())

/** The spread of every constant of one calibration, as a Markdown table. */
export function spreadMarkdown(spread: readonly ConstantSpread[], samples: number): string {
  const out = [
    '## Fitted constants and their spread',
    '',
    `Bootstrap over runs (${samples} resamples, seeded): every point's runs resampled with replacement, every ` +
      'group re-fitted. What the interval means: each point’s runs come from separate passes over all sizes, ' +
      'minutes apart, so the interval is the constant’s spread over independent passes through this ' +
      'calibration — the noise of each measurement and the machine’s drift during the run, nothing widened by ' +
      'hand. It does not hold what differs only between calibrations (another boot, another VM placement); a ' +
      'rerun on the same machine should give constants inside these intervals, and ' +
      '`dpsim calibrate --from-raw A --compare-raw B` checks it.',
    '',
    '| constant | value | 95% interval | relative width |',
    '|---|---:|---|---:|',
  ]
  for (const s of spread) {
    const width = s.value ? ((s.hi - s.lo) / s.value) * 100 : 0
    out.push(`| \`${s.key}\` | ${num(s.value)} | ${num(s.lo)} – ${num(s.hi)} | ${width.toFixed(0)}% |`)
  }
  return `${out.join('\n')}\n`
}

/** The rerun check as Markdown: per constant run A, run B, A's interval, within yes/no. */
export function rerunMarkdown(c: RerunComparison, names: { a: string; b: string }): string {
  const out = [
    `## Rerun check: ${names.b} against ${names.a}`,
    '',
    `${c.within} of ${c.total} constants of the second run lie inside the first run's 95% bootstrap interval.`,
    '',
    '| constant | run A | run B | A’s interval | B’s interval | within | intervals overlap |',
    '|---|---:|---:|---|---|---|---|',
  ]
  for (const r of c.rows)
    out.push(
      `| \`${r.key}\` | ${num(r.a)} | ${num(r.b)} | ${num(r.lo)} – ${num(r.hi)} | ` +
        `${r.bLo === undefined ? '—' : `${num(r.bLo)} – ${num(r.bHi)}`} | ${r.within ? 'yes' : 'no'} | ${r.overlap ? 'yes' : 'no'} |`,
    )
  return `${out.join('\n')}\n`
}
