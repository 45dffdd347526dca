import type { CostProfile } from '@dataplane-sim/cluster'
import { machineInfo } from '../env/machine'
import { preflight } from '../env/preflight'
import { bootstrapConstants, type ConstantSpread } from '../fit/bootstrap'
import { buildProfile, type CalibrationOptions, type GroupFit } from '../fit/calibrate'
import { spreadMarkdown } from '../fit/compare'
import { recount } from '../fit/recount'
import { bpfSweep } from '../measure/bpfSweep'
import { forwardSweep, natFirstPacketSweep } from '../measure/packetSweep'
import { mergePasses } from '../measure/passes'
import type { Progress } from '../measure/restoreSweep'
import { renderedRestoreSweep, restoreSweep } from '../measure/restoreSweep'
import { FULL_PLAN, type Measurement, QUICK_PLAN, type SweepPlan } from '../measure/types'
import { labReadmePreamble } from '../report/labReadme'
import { type LabReport, labReport } from '../report/labReport'
import { modelDefaultsProfile } from '../report/modelDefaults'
import { IPTABLES_BACKENDS } from '../rules/restore'
import { Lab } from '../topology/lab'
import { runVerdicts, type VerdictResult, verdictMarkdown } from '../verdict/differential'
import { iptablesVerdictModel } from '../verdict/iptablesVerdictModel'
import { LAB_NODE, labCluster } from '../verdict/labCluster'

/** The lab cannot run here: not root, or a tool is missing. The message names the Debian packages. */
export class LabUnavailableError extends Error {
  override readonly name = 'LabUnavailableError'
}

export interface CalibrationRun {
  profile: CostProfile
  fits: GroupFit[]
  measurements: Measurement[]
  report: LabReport
  verdicts: VerdictResult[]
  /** every fitted constant with its bootstrap interval over runs (BOOTSTRAP_SAMPLES resamples) */
  spread: ConstantSpread[]
  /** reports/kernel/README.md: method preamble, model vs measured, spread, verdict table */
  markdown: string
}

/** Resamples of the bootstrap that gives each constant's spread (seeded: same raw data, same spread). */
export const BOOTSTRAP_SAMPLES = 200

export interface RunCalibrationOptions {
  quick?: boolean
  /** overrides the quick/full sweep */
  plan?: SweepPlan
  /** which parts to run (default all) */
  parts?: Array<'restore' | 'rendered' | 'packet' | 'bpf' | 'verdict'>
  /** profiles to compare against in the report besides the calibrated one */
  compareWith?: Array<{ name: string; profile: CostProfile }>
  rawDataPath?: string
  progress?: Progress
  /** called with everything measured so far after each part, so a long run loses nothing to a late failure */
  checkpoint?: (measurements: readonly Measurement[]) => void
}

/**
 * Builds a lab, runs the sweeps, fits the constants and removes the lab (also on error and on signals).
 * Throws LabUnavailableError before touching anything when not root or a tool is missing.
 */
export async function runCalibration(opts: RunCalibrationOptions = {}): Promise<CalibrationRun> {
  const pf = preflight()
  if (!pf.ok) throw new LabUnavailableError(pf.reason)
  const plan = opts.plan ?? (opts.quick ? QUICK_PLAN : FULL_PLAN)
  const parts = new Set(opts.parts ?? ['restore', 'rendered', 'packet', 'bpf', 'verdict'])
  const progress = opts.progress ?? (() => {})
  const loadAtStart = machineInfo().load1
  const lab = await Lab.create()
  const measurements: Measurement[] = []
  const verdicts: VerdictResult[] = []
  try {
    // whole-calibration passes: pass r runs every sweep once, so a point's runs are a pass (several minutes)
    // apart and each pass samples the machine over the whole calibration — what the block bootstrap over
    // passes (fit/bootstrap.ts) resamples, and what a rerun meets
    const passPlan: SweepPlan = { ...plan, runs: 1 }
    const passes: Measurement[][] = []
    for (let r = 0; r < plan.runs; r++) {
      const pass: Measurement[] = []
      passes.push(pass)
      const checkpoint = () => {
        measurements.length = 0
        measurements.push(...mergePasses(passes))
        opts.checkpoint?.(measurements)
      }
      progress(`pass ${r + 1} of ${plan.runs}`)
      if (parts.has('restore')) pass.push(...(await restoreSweep(lab, passPlan, progress)))
      if (parts.has('rendered')) pass.push(...(await renderedRestoreSweep(lab, passPlan, progress)))
      checkpoint()
      if (parts.has('packet')) {
        pass.push(...(await forwardSweep(lab, passPlan, 'ip', progress)))
        pass.push(...(await forwardSweep(lab, passPlan, 'match', progress)))
        pass.push(...(await natFirstPacketSweep(lab, passPlan, progress)))
      }
      checkpoint()
      if (parts.has('bpf')) pass.push(...(await bpfSweep(lab, passPlan, progress)))
      checkpoint()
    }
    if (parts.has('verdict')) {
      const { cluster, cases } = labCluster()
      for (const backend of IPTABLES_BACKENDS) {
        const results = await runVerdicts(
          lab,
          backend,
          iptablesVerdictModel(cluster, LAB_NODE),
          cases,
          plan.verdictPackets,
        )
        progress(`verdicts ${backend}: ${results.filter((r) => r.agree).length}/${results.length} agree`)
        verdicts.push(...results)
      }
    }
  } finally {
    lab.destroy()
  }
  return analyzeCalibration({
    measurements,
    verdicts,
    machine: { ...machineInfo(), loadAtStart },
    quick: !!opts.quick,
    rawDataPath: opts.rawDataPath,
    compareWith: opts.compareWith,
  })
}

export interface AnalyzeOptions {
  measurements: Measurement[]
  verdicts: VerdictResult[]
  machine: CalibrationOptions['machine']
  quick: boolean
  rawDataPath?: string
  compareWith?: Array<{ name: string; profile: CostProfile }>
}

/** Fits the profile and builds the report from measurements (a fresh run's, or raw data saved by an earlier one). */
export function analyzeCalibration(opts: AnalyzeOptions): CalibrationRun {
  const { verdicts } = opts
  // today's model counts (raw data may predate a model change); per-packet points get the engine's walks
  const measurements = recount(opts.measurements)
  const { profile, fits } = buildProfile({ ...opts, measurements })
  // a complete profile: what the lab does not measure keeps the models' own constant, saying so
  const defaults = modelDefaultsProfile().constants
  const carried = Object.entries(defaults)
    .filter(([k]) => !(k in profile.constants))
    .map(
      ([k, c]) =>
        [k, { ...c, source: `not measured by the kernel lab; model default: ${c.source}` }] as const,
    )
  profile.constants = Object.fromEntries(
    [...Object.entries(profile.constants), ...carried].sort(([a], [b]) => a.localeCompare(b)),
  )
  const spread = bootstrapConstants(measurements, {
    samples: BOOTSTRAP_SAMPLES,
    caches: opts.machine.caches,
  })
  const report = labReport(
    measurements,
    [
      { name: 'calibrated', profile },
      { name: 'model-defaults', profile: modelDefaultsProfile() },
      ...(opts.compareWith ?? []),
    ],
    undefined,
    new Set(fits.flatMap((f) => f.excluded)),
  )
  const markdown = [
    labReadmePreamble(profile),
    report.markdown,
    spread.length ? spreadMarkdown(spread, BOOTSTRAP_SAMPLES) : '',
    verdicts.length ? verdictMarkdown(verdicts) : '',
  ]
    .filter(Boolean)
    .join('\n')
  return { profile, fits, measurements, report, verdicts, spread, markdown }
}
