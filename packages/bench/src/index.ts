/**
 * @dataplane-sim/bench — the workbench: scaling suites, churn simulation, capacity planner, reports and the
 * cost profiles. The `dpsim` CLI (src/cli) is built on these.
 */
export type { ArrivalOptions, Arrivals } from './churn/arrivals'
export { fixedArrivals, generateArrivals } from './churn/arrivals'
export type { CiliumAgentOptions } from './churn/cilium-agent'
export { simulateCiliumAgent } from './churn/cilium-agent'
export type { KubeProxyLoopOptions, LoopResult, SyncSeconds, SyncWork } from './churn/kube-proxy-loop'
export { simulateKubeProxyLoop } from './churn/kube-proxy-loop'
export type {
  ChurnOptions,
  ChurnResult,
  ChurnSweep,
  ChurnSweepOptions,
  LatencySummary,
} from './churn/simulate'
export { SATURATED_BUSY_FRACTION, simulateChurn, summarise, sweepChurn } from './churn/simulate'
export type { SyncSample } from './churn/sync-model'
export { syncSecondsFromSamples } from './churn/sync-model'
export type { PlanOptions, PlanSizes } from './plan/plan'
export { planCapacity } from './plan/plan'
export type {
  CapacityPlan,
  ConntrackFigures,
  EbpfPlan,
  IptablesPlan,
  LatencyFigures,
  MapUse,
  PlanVerdict,
  PlanWarning,
} from './plan/types'
export { parseBytes, parseDurationNs } from './plan/units'
export { conntrackWarnings, mapUse, mapWarnings } from './plan/warnings'
export { composeAnchorsProfile } from './profiles/anchors-profile'
export type { ConstantSet } from './profiles/compose'
export { composeProfile } from './profiles/compose'
export { DEFAULT_PROFILE, DEFAULT_PROFILE_NAME, defaultProfile } from './profiles/default'
export { loadProfile, PROFILES_DIR, parseProfile, profileNames } from './profiles/load'
export type { AnchorRow, AnchorSpec } from './report/anchors'
export { ANCHORS, compareAnchors } from './report/anchors'
export type { BarChartSpec, LineChartSpec, Series } from './report/chart'
export { barChart, lineChart } from './report/chart'
export type { Claim } from './report/claims'
export { checkClaims } from './report/claims'
export type { JsonSchema, SchemaError } from './report/json-schema'
export { validateJson } from './report/json-schema'
export type { Progress } from './report/progress'
export { createProgress } from './report/progress'
export { planMarkdown, renderReadme } from './report/readme'
export type { ChurnSection, MachineInfo, RecordedBenchmark, Results, RunInfo } from './report/results'
export { RESULTS_SCHEMA_VERSION } from './report/results'
export type { AnchorModel, ReportOptions } from './report/run'
export { buildReport, resultsSchema, runReport } from './report/run'
export { writeReportDir } from './report/write-report'
export type { ClusterSize, SuiteBuilders } from './suites/builders'
export type { SuiteConfig } from './suites/config'
export { FULL, QUICK } from './suites/config'
export { defaultAnchorModel, defaultBuilders, reusingBuilders } from './suites/default-builders'
export type { TimingStats } from './suites/measure'
export type { DataplaneFigures, GapFigures, MatchFigure, ScalingPoint, UpdateFigure } from './suites/scaling'
export { runScalingSuite } from './suites/scaling'
export type { Frontend, UpdateOp, UpdatePair } from './suites/workload'
export { updatePairs } from './suites/workload'
