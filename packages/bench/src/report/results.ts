import type { CostProfile } from '@dataplane-sim/cluster'
import type { MachineInfo } from '@dataplane-sim/cluster/bench'
import type { ChurnResult } from '../churn/simulate'
import type { CapacityPlan } from '../plan/types'
import type { ScalingPoint } from '../suites/scaling'
import type { AnchorRow } from './anchors'
import type { KernelLabSection } from './kernel-lab'

/** Version of `results.json`; bump on any incompatible change, with `results.schema.json`. */
export const RESULTS_SCHEMA_VERSION = 2

export type { MachineInfo } from '@dataplane-sim/cluster/bench'

export interface RunInfo {
  mode: 'quick' | 'full'
  seed: number
  /** ISO 8601 */
  date: string
  profile: string
  machine: MachineInfo
  wallSeconds: number
  /** how far the JS timings can be trusted: the load average at the start and the end of the run */
  note: string
}

export interface ChurnSection {
  rates: number[]
  services: number[]
  durationSeconds: number
  /** how each dataplane's programming cost was derived from the model */
  kubeProxyModel: string
  ciliumModel: string
  /** the modeled kube-proxy sync seconds the simulation used, per service count */
  syncSamples: Array<{
    services: number
    fullSeconds: number
    partialSeconds: number
    ciliumChangeSeconds: number
  }>
  points: ChurnResult[]
  kubeProxyLimit: Array<{ rate: number; services: number | null }>
  ciliumLimit: Array<{ rate: number; services: number | null }>
}

/** One benchmark figure file another part of the project recorded under `reports/bench/`. */
export interface RecordedBenchmark {
  file: string
  data: unknown
}

/** Everything a report run measured: the raw figures behind README.md and the charts. */
export interface Results {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION
  tool: { name: 'dataplane-sim'; version: string }
  run: RunInfo
  profile: CostProfile
  scaling: ScalingPoint[]
  /** points varying endpoints per service and policies at a fixed service count */
  variations: ScalingPoint[]
  churn: ChurnSection
  plan: CapacityPlan
  anchors: AnchorRow[]
  /** the kernel lab's measurements beside the models (schema 2); `status: 'absent'` when there are none */
  kernelLab: KernelLabSection
  benchmarks: RecordedBenchmark[]
}
