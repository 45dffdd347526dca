import { join, relative } from 'node:path'
import {
  analyzeRaw,
  type CalibrationRun,
  comparePool,
  compareRaw,
  expectedOutside,
  historyRuns,
  LabUnavailableError,
  poolRaw,
  RERUN_LEVEL,
  rawDataOf,
  runCalibration,
  sweepOf,
  withHistory,
} from '@dataplane-sim/kernel-lab'
import type { Command } from 'commander'
import { loadProfile } from '../../profiles/load'
import { emit, readInput, stableJson, writeAtomic } from '../_io'
import { UsageError } from '../_run'

interface CalibrateOptions {
  quick?: boolean
  output?: string
  rawDir?: string
  compare: string[]
  only?: string
  fromRaw: string[]
  compareRaw?: string
  history: string[]
}

const PARTS = ['restore', 'rendered', 'packet', 'bpf', 'verdict'] as const
type Part = (typeof PARTS)[number]

/**
 * `dpsim calibrate`: measures this machine's kernel in network namespaces (packages/kernel-lab) and writes a
 * CostProfile fitted to it. Needs root and the lab's tools; refuses with exit 2 naming the Debian packages.
 * `--from-raw` re-fits an earlier run's raw data without touching the kernel; given several times, it fits the
 * pool of those runs (kernel-lab run/pool.ts), the way the shipped profile is made (reports/kernel/pooled).
 */
export function register(program: Command): void {
  program
    .command('calibrate')
    .description(
      'measure iptables (legacy, nft) and BPF costs on this kernel in throw-away network namespaces and fit a cost profile (root)',
    )
    .option('--quick', 'small sweep (a minute or two) instead of the full 1k–50k services sweep')
    .option('-o, --output <file>', 'write the profile here instead of stdout')
    .option(
      '--raw-dir <dir>',
      'also write raw measurements (raw.json) and the model-vs-measured report (README.md) here',
    )
    .option(
      '--compare <profile>',
      'profile name or path to compare against in the report (repeatable)',
      collect,
      [],
    )
    .option('--only <parts>', `comma-separated subset of ${PARTS.join(',')}`)
    .option(
      '--from-raw <raw.json>',
      're-fit the raw data of an earlier run instead of measuring; repeatable: fit the pool of several runs of the same sweep and machine, each run’s passes as passes of one sweep',
      collect,
      [],
    )
    .option(
      '--compare-raw <raw.json>',
      'with --from-raw A: the rerun check, each constant of this second run against A’s rerun (prediction) interval and back, as a README (Markdown; -o writes it to a file); with several --from-raw, against the pool of those runs (its prediction interval for one more run), and this run priced by the pool’s profile',
    )
    .option(
      '--history <raw.json>',
      'with --compare-raw: an earlier calibration of the same machine, neither A nor B (repeatable); the check is also made with intervals widened by the between-run spread these runs measure',
      collect,
      [],
    )
    .action(async (opts: CalibrateOptions) => {
      if (opts.history.length && !opts.compareRaw && !opts.rawDir)
        throw new UsageError(
          '--history needs --compare-raw (the rerun check it widens) or --raw-dir (the README that shows the between-run spread)',
        )
      if (opts.fromRaw.length > 1 && opts.history.length)
        throw new UsageError(
          '--history with several --from-raw: a pool’s between-run spread comes from the runs it pools; pool those runs too',
        )
      if (opts.compareRaw) {
        if (!opts.fromRaw.length) throw new UsageError('--compare-raw needs --from-raw (the first run)')
        if (opts.fromRaw.length > 1) {
          const p = comparePool(
            opts.fromRaw.map((f) => ({ text: readInput(f), source: f })),
            { text: readInput(opts.compareRaw), source: opts.compareRaw },
            opts.output,
          )
          emit(p.markdown, opts.output)
          process.stderr.write(
            `calibrate: ${p.within} of ${p.total} constants of the new run within the pool's prediction intervals ` +
              `(median width ${(p.medianWidth * 100).toFixed(0)}%; this many or more outside with probability ` +
              `${(p.outsideChance * 100).toFixed(0)}% at ${RERUN_LEVEL * 100}%); its measurements priced by the ` +
              `pool's profile: worst |error| ${(p.priced.worstError.pool * 100).toFixed(1)}% over 1k–50k\n`,
          )
          return
        }
        const c = compareRaw(
          { text: readInput(opts.fromRaw[0]), source: opts.fromRaw[0] },
          { text: readInput(opts.compareRaw), source: opts.compareRaw },
          opts.output,
          opts.history.map((h) => ({ text: readInput(h), source: h })),
        )
        emit(c.markdown, opts.output)
        process.stderr.write(
          `calibrate: ${c.within} of ${c.total} constants of the second run within the first run's rerun intervals ` +
            `(median width ${(c.medianWidth * 100).toFixed(0)}%); the other way ${c.reverse.within} of ` +
            `${c.reverse.total} (${(c.reverse.medianWidth * 100).toFixed(0)}%); at ${RERUN_LEVEL * 100}% about ` +
            `${expectedOutside(c.total).toFixed(1)} are expected outside, this many or more with probability ` +
            `${(c.outsideChance * 100).toFixed(0)}% and ${(c.reverse.outsideChance * 100).toFixed(0)}%\n`,
        )
        if (c.betweenRuns)
          process.stderr.write(
            `calibrate: with the between-run spread of ${opts.history.length} more runs: ${c.betweenRuns.forward.within} of ` +
              `${c.betweenRuns.forward.total} (${(c.betweenRuns.forward.outsideChance * 100).toFixed(0)}%), the other way ` +
              `${c.betweenRuns.reverse.within} of ${c.betweenRuns.reverse.total} ` +
              `(${(c.betweenRuns.reverse.outsideChance * 100).toFixed(0)}%)\n`,
          )
        return
      }
      const parts = opts.only?.split(',').map((s) => s.trim())
      for (const p of parts ?? []) {
        if (!(PARTS as readonly string[]).includes(p))
          throw new UsageError(`--only: expected ${PARTS.join(', ')}, got ${p}`)
      }
      const compareWith = opts.compare.map((c) => ({ name: c, profile: loadProfile(c) }))
      const rawPath = opts.rawDir ? join(opts.rawDir, 'raw.json') : undefined
      const rawRef = rawPath ? relative(process.cwd(), rawPath) : undefined
      // earlier runs read and re-fitted before anything is measured: a bad file stops the command before the lab
      const inputs = opts.fromRaw.map((f) => ({ source: f, text: readInput(f) }))
      const pool = inputs.length > 1 ? inputs : []
      const ownSource = inputs.length ? inputs.map((i) => i.source).join(' + ') : 'measured now'
      const ownText = pool.length ? stableJson(poolRaw(pool)) : inputs[0]?.text
      const history = opts.history.map((h) => ({ source: h, text: readInput(h) }))
      const refit =
        ownText !== undefined
          ? analyzeRaw(ownText, ownSource, { rawDataPath: rawRef, compareWith })
          : undefined
      const sweep = refit ? sweepOf(refit) : opts.quick ? 'quick' : 'full'
      // a pool's section on the between-run spread comes from the runs it pools, each re-fitted on its own (only
      // for the README: the profile is the pool's fit)
      const earlierSources = (pool.length ? pool : history).map((h) => h.source)
      const earlier = pool.length
        ? opts.rawDir
          ? historyRuns(sweep, [{ name: 'the pool', source: ownSource }], pool)
          : []
        : historyRuns(sweep, [{ name: 'this run', source: ownSource, text: ownText }], history)
      let result: CalibrationRun
      if (refit) {
        result = refit
      } else {
        try {
          result = await runCalibration({
            quick: opts.quick,
            parts: parts as Part[] | undefined,
            compareWith,
            rawDataPath: rawRef,
            progress: (m) => process.stderr.write(`calibrate: ${m}\n`),
            checkpoint: (measurements) => {
              if (opts.rawDir)
                writeAtomic(join(opts.rawDir, 'raw.partial.json'), stableJson({ measurements }))
            },
          })
        } catch (e) {
          if (e instanceof LabUnavailableError) throw new UsageError(`calibrate: ${e.message}`)
          throw e
        }
      }
      if (earlier.length)
        result = withHistory(
          result,
          earlier.map((run, i) => ({ source: earlierSources[i], run })),
          pool.length > 0,
        )
      if (opts.rawDir && rawPath) {
        writeAtomic(rawPath, stableJson(rawDataOf(result)))
        writeAtomic(join(opts.rawDir, 'README.md'), `${result.markdown}\n`)
      }
      emit(stableJson(result.profile), opts.output)
      for (const [name, worst] of Object.entries(result.report.worstError)) {
        process.stderr.write(`calibrate: worst |error| with ${name}, 1k–50k: ${(worst * 100).toFixed(1)}%\n`)
      }
    })
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
