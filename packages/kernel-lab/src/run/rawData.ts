import { type CostProfile, InputError } from '@dataplane-sim/cluster'
import { type CacheSizes, machineCaches } from '../env/machine'
import {
  BETWEEN_RUNS_MEANING,
  type BetweenRunSpread,
  betweenRunSpread,
  betweenRunSpreadMarkdown,
  betweenRunsMarkdown,
  withBetweenRuns,
} from '../fit/betweenRuns'
import { cachesFromNote } from '../fit/calibrate'
import { compareReruns, type RerunComparison, rerunMarkdown } from '../fit/compare'
import type { Measurement } from '../measure/types'
import { labReport } from '../report/labReport'
import type { VerdictResult } from '../verdict/differential'
import { analyzeCalibration, type CalibrationRun } from './runCalibration'

/** What `dpsim calibrate --raw-dir` writes to raw.json: every measurement and verdict of a run. */
export interface RawData {
  provenance: CostProfile['provenance']
  measurements: Measurement[]
  verdicts: VerdictResult[]
}

export function rawDataOf(run: CalibrationRun): RawData {
  return {
    provenance: { ...run.profile.provenance, data: undefined },
    measurements: run.measurements,
    verdicts: run.verdicts,
  }
}

/** A raw.json's data, or an InputError naming `source` when it is not JSON with a measurements array. */
export function parseRaw(text: string, source: string): Partial<RawData> & Pick<RawData, 'measurements'> {
  let raw: Partial<RawData>
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw new InputError(`expected raw.json of dpsim calibrate: ${(e as Error).message}`, source, 1)
  }
  if (!raw || !Array.isArray(raw.measurements))
    throw new InputError('expected raw.json of dpsim calibrate, with a "measurements" array', source, 1)
  return raw as Partial<RawData> & Pick<RawData, 'measurements'>
}

/**
 * Re-fits a run from its raw.json (no kernel needed): what `dpsim calibrate --from-raw` and the bench report
 * use to show the committed measurements (reports/kernel/pooled/raw.json) against the models.
 */
export function analyzeRaw(
  text: string,
  source: string,
  opts: { rawDataPath?: string; compareWith?: Array<{ name: string; profile: CostProfile }> } = {},
): CalibrationRun {
  const raw = parseRaw(text, source)
  const p = raw.provenance ?? { method: 'calibrate' }
  const notes = p.notes ?? ''
  return analyzeCalibration({
    measurements: raw.measurements,
    verdicts: raw.verdicts ?? [],
    machine: {
      kernel: p.kernel ?? 'unknown',
      cpu: p.cpu ?? 'unknown',
      date: p.date ?? new Date(0).toISOString(),
      cpus: Number(/on (\d+) CPUs/.exec(notes)?.[1] ?? 0),
      node: /Node (v[\d.]+)/.exec(notes)?.[1] ?? 'unknown',
      load1: Number(/and ([\d.]+) at the end/.exec(notes)?.[1] ?? Number.NaN),
      loadAtStart: Number(/load average ([\d.]+) at the start/.exec(notes)?.[1] ?? Number.NaN),
      caches: notedCaches(notes),
      pooled: POOLED_CLAUSE.exec(notes)?.[1],
    },
    quick: sweepOfNotes(notes) === 'quick',
    rawDataPath: opts.rawDataPath ?? source,
    compareWith: opts.compareWith,
  })
}

/** The clause a pooled fit's notes carry (run/pool.ts poolRaw), read back so a re-fit writes the same notes. */
const POOLED_CLAUSE = /; (pooled: [^;]*)/

/**
 * Refuses (InputError naming the file) raw data that is a pool of calibrations where one calibration is expected:
 * a pool's bootstrap is over all its runs' passes and it has no hour of its own, so it is neither a run to check
 * nor a run of the between-run spread (pass its runs as --from-raw each instead).
 */
export function expectOneCalibration(notes: string | undefined, source: string): void {
  if (POOLED_CLAUSE.test(notes ?? ''))
    throw new InputError(
      'expected one calibration, got a pool of several (its notes say “pooled:”): give the pooled runs’ raw.json as --from-raw each',
      source,
      1,
    )
}

/**
 * The cache sizes a raw file's provenance recorded. Raw data written before it recorded them (or before it
 * recorded the CPUs sharing the L3, or its ways) takes this machine's, the same machine kind — the sharing count
 * and the ways only when the recorded L3 is this machine's size.
 */
export function notedCaches(notes: string, here: CacheSizes = machineCaches()): CacheSizes {
  const noted = cachesFromNote(notes)
  if (!noted) return here
  const out = { ...noted }
  const sameL3 = noted.l3 !== undefined && noted.l3 === here.l3
  if (out.l3Shared === undefined && sameL3 && here.l3Shared) out.l3Shared = here.l3Shared
  if (out.l3Ways === undefined && sameL3 && here.l3Ways) out.l3Ways = here.l3Ways
  return out
}

/** A run's measurements priced by `profiles` (1k–50k), the points its own fit left out marked as such. */
export function pricedBy(
  run: CalibrationRun,
  profiles: ReadonlyArray<{ name: string; profile: CostProfile }>,
): ReturnType<typeof labReport> {
  return labReport(run.measurements, profiles, undefined, new Set(run.fits.flatMap((f) => f.excluded)))
}

/** What one calibration's provenance says about when and how it ran, one line. */
export function provenanceLine(name: string, source: string, run: CalibrationRun): string {
  const p = run.profile.provenance
  return `- run ${name}: \`${source}\`, ${p.date ?? '?'}: ${p.notes ?? ''}`
}

/**
 * The rerun check between two calibrations' raw data (`dpsim calibrate --from-raw A --compare-raw B`): both
 * re-fitted with today's model, each constant of B against A's rerun interval and each of A against B's, and
 * B's measurements priced by both profiles. `markdown` is the whole README of a rerun directory
 * (reports/kernel/rerun/README.md), nothing hand-written.
 */
export function compareRaw(
  a: { text: string; source: string },
  b: { text: string; source: string },
  /** where the README goes, for the command line it shows (default README.md) */
  output = 'README.md',
  /**
   * earlier calibrations of the same machine (`--history`, raw.json each), neither A nor B: with them the check
   * is also made against rerun intervals widened by the measured between-run spread (fit/betweenRuns.ts)
   */
  history: ReadonlyArray<{ text: string; source: string }> = [],
): RerunComparison & { reverse: RerunComparison; markdown: string; betweenRuns?: BetweenRunsCheck } {
  const runA = analyzeRaw(a.text, a.source)
  const runB = analyzeRaw(b.text, b.source)
  expectOneCalibration(runA.profile.provenance.notes, a.source)
  expectOneCalibration(runB.profile.provenance.notes, b.source)
  const c = compareReruns(runA.spread, runB.spread)
  const reverse = compareReruns(runB.spread, runA.spread)
  const hist = historyRuns(
    sweepOf(runA),
    [
      { name: 'run A', ...a },
      { name: 'run B', ...b },
    ],
    history,
  )
  const between = hist.length ? betweenRunsCheck(runA, runB, hist) : undefined
  const histNames = hist.map((_, i) => `H${i + 1}`)
  const width = (x: RerunComparison) => `median rerun-interval width ${(x.medianWidth * 100).toFixed(0)}%`
  const priced = pricedBy(runB, [
    { name: 'B', profile: runB.profile },
    { name: 'A', profile: runA.profile },
  ])
  const markdown = [
    `# Rerun check: ${b.source} against ${a.source}`,
    '',
    'Two calibrations of the same machine, both re-fitted from their raw data with today’s model. Written by:',
    '',
    '```',
    `npx --yes pnpm@10 dpsim calibrate --from-raw ${a.source} --compare-raw ${b.source}${history.map((h) => ` --history ${h.source}`).join('')} -o ${output}`,
    '```',
    '',
    provenanceLine('A', a.source, runA),
    provenanceLine('B', b.source, runB),
    ...history.map((h, i) => provenanceLine(histNames[i], h.source, hist[i])),
    '',
    `- B inside A’s 95% rerun intervals: **${c.within} of ${c.total}** (${width(c)})`,
    `- A inside B’s 95% rerun intervals: **${reverse.within} of ${reverse.total}** (${width(reverse)})`,
    ...(between
      ? [
          `- B inside A’s rerun intervals widened by the between-run spread of A and the ${hist.length} history runs: ` +
            `**${between.forward.within} of ${between.forward.total}** (${width(between.forward)})`,
          `- A inside B’s, widened by that of B and the history: **${between.reverse.within} of ` +
            `${between.reverse.total}** (${width(between.reverse)})`,
        ]
      : []),
    '',
    rerunMarkdown(c, { a: 'A', b: 'B' }),
    rerunMarkdown(reverse, { a: 'B', b: 'A' }),
    ...(between
      ? [
          '## Between calibrations',
          '',
          BETWEEN_RUNS_MEANING,
          '',
          betweenRunsMarkdown(between.forward, between.spreadA, {
            a: 'A',
            b: 'B',
            runs: `A and ${histNames.join(', ')}`,
          }),
          betweenRunsMarkdown(between.reverse, between.spreadB, {
            a: 'B',
            b: 'A',
            runs: `B and ${histNames.join(', ')}`,
          }),
        ]
      : []),
    '## Run B’s measurements priced by both profiles',
    '',
    'Profile `B` is run B’s own fit, `A` the first run’s.',
    '',
    priced.markdown,
  ].join('\n')
  return { ...c, reverse, markdown: `${markdown.trimEnd()}\n`, ...(between ? { betweenRuns: between } : {}) }
}

/** The rerun check both ways with the between-run spread: τ from the reference run and the history, never the run checked. */
export interface BetweenRunsCheck {
  /** B against A's widened intervals, and the spread (of A and the history) that widened them */
  forward: RerunComparison
  spreadA: BetweenRunSpread[]
  /** A against B's, widened by the spread of B and the history */
  reverse: RerunComparison
  spreadB: BetweenRunSpread[]
}

function betweenRunsCheck(
  runA: CalibrationRun,
  runB: CalibrationRun,
  hist: readonly CalibrationRun[],
): BetweenRunsCheck {
  const others = hist.map((h) => h.spread)
  const spreadA = betweenRunSpread([runA.spread, ...others])
  const spreadB = betweenRunSpread([runB.spread, ...others])
  return {
    forward: compareReruns(withBetweenRuns(runA.spread, spreadA), runB.spread),
    spreadA,
    reverse: compareReruns(withBetweenRuns(runB.spread, spreadB), runA.spread),
    spreadB,
  }
}

/** Which sweep a calibration ran: its provenance notes begin with it. */
export const sweepOf = (r: CalibrationRun): 'quick' | 'full' => sweepOfNotes(r.profile.provenance.notes)

/** Which sweep provenance `notes` record: they begin with it ("quick sweep …", "full sweep …"). */
export const sweepOfNotes = (notes: string | undefined): 'quick' | 'full' =>
  notes?.startsWith('quick') ? 'quick' : 'full'

/**
 * Earlier calibrations (`--history`, raw.json each) re-fitted. Each is refused (InputError naming it) when it is one
 * of the runs `refs` names (same file or same text: the between-run spread never comes from a run it checks), or
 * unless of the sweep `sweep` (quick or full) that the first of them is: the two sweeps fit their constants on
 * different sizes. Every file is checked against `refs` before any is re-fitted.
 */
export function historyRuns(
  sweep: 'quick' | 'full',
  refs: ReadonlyArray<{ name: string; source: string; text?: string }>,
  history: ReadonlyArray<{ text: string; source: string }>,
): CalibrationRun[] {
  for (const h of history) {
    const same = refs.find((r) => r.source === h.source || r.text === h.text)
    if (same)
      throw new InputError(
        `expected a calibration other than ${same.name} (${same.source}): the between-run spread never comes from the run checked`,
        h.source,
        1,
      )
  }
  return history.map((h) => {
    const r = analyzeRaw(h.text, h.source)
    expectOneCalibration(r.profile.provenance.notes, h.source)
    if (sweepOf(r) !== sweep)
      throw new InputError(
        `expected a ${sweep} calibration as ${refs[0].name} (${refs[0].source}) is, got a ${sweepOf(r)} one: the two sweeps fit their constants on different sizes`,
        h.source,
        1,
      )
    return r
  })
}

/**
 * A calibration with its README's section on the between-run spread of it and earlier runs of the same machine
 * and sweep (`dpsim calibrate --history`, re-fitted by historyRuns): fit/betweenRuns.ts. The profile is unchanged.
 */
export function withHistory(
  run: CalibrationRun,
  history: ReadonlyArray<{ source: string; run: CalibrationRun }>,
  /**
   * the run is a pool of calibrations (run/pool.ts), `history` its inputs (and any earlier runs): the spread is
   * theirs alone, the pool being no run of its own
   */
  pooled = false,
): CalibrationRun & { between: BetweenRunSpread[] } {
  const runs = history.map((h) => h.run.spread)
  const between = betweenRunSpread(pooled ? runs : [run.spread, ...runs])
  const section = betweenRunSpreadMarkdown(
    run.spread,
    between,
    history.map((h) => h.source),
    pooled,
  )
  return { ...run, between, markdown: `${run.markdown.trimEnd()}\n\n${section}` }
}
