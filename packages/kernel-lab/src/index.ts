export type { MachineInfo } from './env/machine'
export { machineInfo } from './env/machine'
export type { LabTool, Preflight } from './env/preflight'
export { LAB_DEBIAN_PACKAGES, LAB_TOOLS, preflight } from './env/preflight'
export type { BootstrapOptions, ConstantSpread } from './fit/bootstrap'
export { bootstrapConstants } from './fit/bootstrap'
export type { CalibrationOptions, FitOptions, GroupFit } from './fit/calibrate'
export { buildProfile, CACHE_SIZES, fitGroups } from './fit/calibrate'
export type { RerunComparison, RerunRow } from './fit/compare'
export {
  binomialUpperTail,
  compareReruns,
  expectedOutside,
  RERUN_LEVEL,
  rerunMarkdown,
  spreadMarkdown,
} from './fit/compare'
export type { FitResult, FitRow } from './fit/leastSquares'
export { fitNonNegative, predict } from './fit/leastSquares'
export { recount } from './fit/recount'
export type { Summary } from './measure/stats'
export { summarize } from './measure/stats'
export type { Experiment, LabBackend, Measurement, SweepPlan } from './measure/types'
export { FULL_PLAN, QUICK_PLAN } from './measure/types'
export type { LabReport, ReportRow } from './report/labReport'
export { backendCounts, EXPERIMENT_TITLES, LAB_ERROR_BOUND, labReport } from './report/labReport'
export { modelDefaultsProfile } from './report/modelDefaults'
export { outsideReason } from './report/outsideReasons'
export { forwardRulesTable } from './rules/forwardRules'
export { kubeProxyShapeTable } from './rules/kubeProxyShape'
export { comparePool } from './run/comparePool'
export { poolRaw } from './run/pool'
export type { RawData } from './run/rawData'
export { analyzeRaw, compareRaw, historyRuns, parseRaw, rawDataOf, sweepOf, withHistory } from './run/rawData'
export type { AnalyzeOptions, CalibrationRun, RunCalibrationOptions } from './run/runCalibration'
export {
  analyzeCalibration,
  BOOTSTRAP_SAMPLES,
  LabUnavailableError,
  runCalibration,
} from './run/runCalibration'
export { LAB_ADDRESSES, LAB_RANGE } from './topology/addressPlan'
export { Lab, removeStaleLabs } from './topology/lab'
export type { TopologyPlan } from './topology/plan'
export { planTopology } from './topology/plan'
export { chiSquareTest } from './verdict/chiSquare'
export type { VerdictModel, VerdictResult } from './verdict/differential'
export { runVerdictCase, runVerdicts, verdictMarkdown } from './verdict/differential'
export { iptablesVerdictModel } from './verdict/iptablesVerdictModel'
export type { VerdictCase } from './verdict/labCluster'
export { LAB_NODE, labCluster } from './verdict/labCluster'
