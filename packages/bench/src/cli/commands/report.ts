import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { loadProfile } from '../../profiles/load'
import { kernelLabSummaryLine } from '../../report/kernel-lab-readme'
import { runReport } from '../../report/run'
import { FULL, QUICK } from '../../suites/config'
import { defaultAnchorModel, defaultBuilders, reusingBuilders } from '../../suites/default-builders'
import { UsageError } from '../_run'

interface ReportCliOptions {
  quick?: boolean
  full?: boolean
  out?: string
  seed: string
  profile: string
  progress: boolean
  kernelRaw?: string
}

/** `dpsim report`: runs the suites, the churn simulation and a plan, writes README.md, charts and results.json. */
export function register(program: Command): void {
  program
    .command('report')
    .description('run the scaling suites, churn simulation and a capacity plan; write a report with charts')
    .option('--quick', 'quick profile: 100…10k services, about 2 minutes (default)')
    .option('--full', 'full profile: 100…100k services, up to 20 minutes')
    .option('--out <dir>', 'report directory (default reports/quick or reports/full)')
    .option('--seed <n>', 'seed for the generated clusters and the churn arrivals', '1')
    .option('--profile <name|file>', 'cost profile (anchors, calibrated, or a JSON file)', 'anchors')
    .option(
      '--kernel-raw <raw.json>',
      "the kernel lab's measurements for the model-vs-measured section (default reports/kernel/pooled/raw.json, the data the shipped calibrated profile is fitted to)",
    )
    .option('--no-progress', 'no progress bar even on a terminal')
    .action((o: ReportCliOptions) => {
      if (o.quick && o.full) throw new UsageError('report: --quick and --full exclude each other')
      if (!/^\d+$/.test(o.seed))
        throw new UsageError(`--seed: expected a non-negative integer, got ${JSON.stringify(o.seed)}`)
      if (o.kernelRaw && !existsSync(o.kernelRaw))
        throw new UsageError(
          `--kernel-raw: no such file ${o.kernelRaw} (the raw.json of dpsim calibrate --raw-dir)`,
        )
      const config = o.full ? FULL : QUICK
      const out = o.out ?? `reports/${config.mode}`
      const t0 = performance.now()
      const { summary, results } = runReport({
        config,
        seed: Number(o.seed),
        profile: loadProfile(o.profile),
        builders: reusingBuilders(defaultBuilders),
        anchorModel: defaultAnchorModel,
        kernelLab: o.kernelRaw ? { rawPath: o.kernelRaw } : undefined,
        progress: o.progress ? undefined : false,
        out,
      })
      const secs = ((performance.now() - t0) / 1000).toFixed(1)
      process.stdout.write(
        `${summary}\n${kernelLabSummaryLine(results.kernelLab)}\nreport written to ${out.replace(/\/+$/, '')}/ in ${secs} s\n`,
      )
    })
}
