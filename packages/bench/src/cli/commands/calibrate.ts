import { join, relative } from 'node:path'
import type { CostProfile } from '@dataplane-sim/cluster'
import { LabUnavailableError, runCalibration } from '@dataplane-sim/kernel-lab'
import type { Command } from 'commander'
import { loadProfile } from '../../profiles/load'
import { emit, stableJson, writeAtomic } from '../_io'
import { UsageError } from '../_run'

interface CalibrateOptions {
  quick?: boolean
  output?: string
  rawDir?: string
  compare: string[]
  only?: string
}

/**
 * `dpsim calibrate`: measures this machine's kernel in network namespaces (packages/kernel-lab) and writes a
 * CostProfile fitted to it. Needs root and the lab's tools; refuses with exit 2 naming the Debian packages.
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
    .option('--only <parts>', 'comma-separated subset of restore,packet,bpf,verdict')
    .action(async (opts: CalibrateOptions) => {
      const parts = opts.only?.split(',').map((s) => s.trim())
      for (const p of parts ?? []) {
        if (!['restore', 'packet', 'bpf', 'verdict'].includes(p))
          throw new UsageError(`--only: expected restore, packet, bpf or verdict, got ${p}`)
      }
      const compareWith = opts.compare.map((c) => ({ name: c, profile: loadProfile(c) as CostProfile }))
      const rawPath = opts.rawDir ? join(opts.rawDir, 'raw.json') : undefined
      let result: Awaited<ReturnType<typeof runCalibration>>
      try {
        result = await runCalibration({
          quick: opts.quick,
          parts: parts as Array<'restore' | 'packet' | 'bpf' | 'verdict'> | undefined,
          compareWith,
          rawDataPath: rawPath ? relative(process.cwd(), rawPath) : undefined,
          progress: (m) => process.stderr.write(`calibrate: ${m}\n`),
        })
      } catch (e) {
        if (e instanceof LabUnavailableError) throw new UsageError(`calibrate: ${e.message}`)
        throw e
      }
      if (opts.rawDir && rawPath) {
        writeAtomic(
          rawPath,
          stableJson({
            provenance: { ...result.profile.provenance, data: undefined },
            measurements: result.measurements,
            fits: result.fits.map(({ rows: _rows, ...f }) => f),
            verdicts: result.verdicts,
          }),
        )
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
