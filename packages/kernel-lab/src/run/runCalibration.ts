import type { CostProfile } from '@dataplane-sim/cluster'
import { machineInfo } from '../env/machine'
import { preflight } from '../env/preflight'
import { buildProfile, type GroupFit } from '../fit/calibrate'
import { bpfSweep } from '../measure/bpfSweep'
import { forwardSweep, natFirstPacketSweep } from '../measure/packetSweep'
import { startEcho } from '../measure/probe'
import type { Progress } from '../measure/restoreSweep'
import { restoreSweep } from '../measure/restoreSweep'
import { FULL_PLAN, type Measurement, QUICK_PLAN, type SweepPlan } from '../measure/types'
import { type LabReport, labReport } from '../report/labReport'
import { modelDefaultsProfile } from '../report/modelDefaults'
import { LAB_ADDRESSES } from '../topology/addressPlan'
import { Lab } from '../topology/lab'

/** The lab cannot run here: not root, or a tool is missing. The message names the Debian packages. */
export class LabUnavailableError extends Error {
  override readonly name = 'LabUnavailableError'
}

export interface CalibrationRun {
  profile: CostProfile
  fits: GroupFit[]
  measurements: Measurement[]
  report: LabReport
}

export interface RunCalibrationOptions {
  quick?: boolean
  /** overrides the quick/full sweep */
  plan?: SweepPlan
  /** which parts to run (default all) */
  parts?: Array<'restore' | 'packet' | 'bpf'>
  /** profiles to compare against in the report besides the calibrated one */
  compareWith?: Array<{ name: string; profile: CostProfile }>
  rawDataPath?: string
  progress?: Progress
}

/**
 * Builds a lab, runs the sweeps, fits the constants and removes the lab (also on error and on signals).
 * Throws LabUnavailableError before touching anything when not root or a tool is missing.
 */
export async function runCalibration(opts: RunCalibrationOptions = {}): Promise<CalibrationRun> {
  const pf = preflight()
  if (!pf.ok) throw new LabUnavailableError(pf.reason)
  const plan = opts.plan ?? (opts.quick ? QUICK_PLAN : FULL_PLAN)
  const parts = new Set(opts.parts ?? ['restore', 'packet', 'bpf'])
  const progress = opts.progress ?? (() => {})
  const lab = await Lab.create()
  const measurements: Measurement[] = []
  try {
    const echo = await startEcho(lab, [LAB_ADDRESSES.echoPort])
    if (parts.has('restore')) measurements.push(...(await restoreSweep(lab, plan, progress)))
    if (parts.has('packet')) {
      measurements.push(...(await forwardSweep(lab, plan, 'ip', progress)))
      measurements.push(...(await forwardSweep(lab, plan, 'match', progress)))
      measurements.push(...(await natFirstPacketSweep(lab, plan, progress)))
    }
    if (parts.has('bpf')) measurements.push(...(await bpfSweep(lab, plan, progress)))
    echo.stop()
  } finally {
    lab.destroy()
  }
  const machine = machineInfo()
  const { profile, fits } = buildProfile({
    machine,
    quick: !!opts.quick,
    measurements,
    rawDataPath: opts.rawDataPath,
  })
  const report = labReport(measurements, [
    { name: 'calibrated', profile },
    { name: 'model-defaults', profile: modelDefaultsProfile() },
    ...(opts.compareWith ?? []),
  ])
  return { profile, fits, measurements, report }
}
