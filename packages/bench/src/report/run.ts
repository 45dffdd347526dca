import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative } from 'node:path'
import type { CostProfile } from '@dataplane-sim/cluster'
import { BenchRun, machineInfo } from '@dataplane-sim/cluster/bench'
import { sweepChurn } from '../churn/simulate'
import { type SyncSample, syncSecondsFromSamples } from '../churn/sync-model'
import { planCapacity } from '../plan/plan'
import { loadProfile, profileNames } from '../profiles/load'
import type { SuiteBuilders } from '../suites/builders'
import type { SuiteConfig } from '../suites/config'
import { runScalingSuite, type ScalingPoint, scalingSteps } from '../suites/scaling'
import { type AnchorSpec, compareAnchors } from './anchors'
import { reportCharts } from './charts'
import { textTable } from './format'
import { type JsonSchema, validateJson } from './json-schema'
import { kernelLabSection } from './kernel-lab'
import { kernelLabCharts } from './kernel-lab-charts'
import { createProgress } from './progress'
import { renderReadme, summaryRows } from './readme'
import { RESULTS_SCHEMA_VERSION, type Results } from './results'
import { writeReportDir } from './write-report'

/** A model figure for an anchor, given what the run measured (the default reads the scaling points). */
export type AnchorModel = (
  a: AnchorSpec,
  scaling: readonly ScalingPoint[],
  profile: CostProfile,
) => { value: number; note: string } | null

export interface ReportOptions {
  config: SuiteConfig
  seed: number
  profile: CostProfile
  builders: SuiteBuilders
  /** figures for anchors the scaling points cannot give (restore of the anchors' exact table, per-rule RTT) */
  anchorModel?: AnchorModel
  /** directory of other packages' benchmark JSON (default `reports/bench` under the current directory) */
  benchDir?: string
  /**
   * The kernel lab's data for the model-vs-measured section: `rawPath` (default `kernel/pooled/raw.json` beside
   * benchDir, i.e. reports/kernel/pooled/raw.json: the pool of calibrations the shipped profile is fitted to), the calibrated profile to set beside the report's (default the
   * shipped `calibrated` profile; null for none), `rendered` to include the rendered-ruleset restores (slow to
   * recount; default in full mode only).
   */
  kernelLab?: { rawPath?: string; calibrated?: CostProfile | null; rendered?: boolean }
  /** show a progress bar (default: when stderr is a TTY) */
  progress?: boolean
  now?: () => Date
  version?: string
}

/** The figures other packages recorded under `reports/bench/*.json`, in file-name order; unreadable ones skipped. */
export function readRecordedBenchmarks(dir: string): Results['benchmarks'] {
  if (!existsSync(dir)) return []
  const out: Results['benchmarks'] = []
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    try {
      out.push({ file: `reports/bench/${f}`, data: JSON.parse(readFileSync(join(dir, f), 'utf8')) })
    } catch {
      // a half-written or malformed file of another package is not this report's failure
    }
  }
  return out
}

/** The shipped calibrated profile, when the kernel lab committed one. */
function shippedCalibrated(): CostProfile | null {
  return profileNames().includes('calibrated') ? loadProfile('calibrated') : null
}

/** A path as the report names it: relative to the working directory when under it. */
function displayPath(p: string): string {
  const rel = relative(process.cwd(), p)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p
}

const u = (p: ScalingPoint, dp: 'iptables' | 'ebpf') => p[dp].update.find((x) => x.op === 'addService')

/** Sync samples for the churn simulation: the iptables model's restore seconds at each swept size. */
export function syncSamples(
  points: readonly ScalingPoint[],
): Array<SyncSample & { ciliumChangeSeconds: number }> {
  return points
    .map((p) => {
      const ipt = u(p, 'iptables')
      return {
        services: p.services,
        fullSeconds: ipt?.variants['legacy-full'] ?? ipt?.modeledSeconds ?? 0,
        partialSeconds: ipt?.variants['legacy-partial'] ?? ipt?.modeledSeconds ?? 0,
        ciliumChangeSeconds: u(p, 'ebpf')?.modeledSeconds ?? 0,
      }
    })
    .sort((a, b) => a.services - b.services)
}

/** Anchor figures the scaling points give directly (restore variants and first-packet percentiles at a scale). */
export function scalingAnchorModel(
  a: AnchorSpec,
  scaling: readonly ScalingPoint[],
): { value: number; note: string } | null {
  const at = scaling.find((p) => p.services === a.services)
  if (!at) return null
  const upd = u(at, 'iptables')
  const variant = (k: string, note: string) =>
    upd?.variants[k] !== undefined ? { value: upd.variants[k], note } : null
  if (a.id.startsWith('restore-legacy-full'))
    return variant(
      'legacy-full',
      'kube-proxy full sync of the modeled node (nat + filter + policy), legacy backend',
    )
  if (a.id.startsWith('restore-nft-full'))
    return variant(
      'nft-full',
      'kube-proxy full sync of the modeled node (nat + filter + policy), nft backend',
    )
  if (a.id.startsWith('noflush-legacy-one'))
    return variant(
      'legacy-partial',
      'kube-proxy partial sync adding one service (more lines than one rule), legacy',
    )
  if (a.id.startsWith('noflush-nft-one'))
    return variant(
      'nft-partial',
      'kube-proxy partial sync adding one service (more lines than one rule), nft',
    )
  const random = at.iptables.match.find((x) => x.kind === 'random')
  if (a.id.startsWith('first-packet-p50') && random)
    return {
      value: random.modeledP50Ns / 1e6,
      note: 'modeled first packet to random services (p50), iptables-legacy',
    }
  if (a.id.startsWith('first-packet-p99') && random)
    return {
      value: random.modeledP99Ns / 1e6,
      note: 'modeled first packet to random services (p99), iptables-legacy',
    }
  return null
}

/** Runs the suites, the churn simulation and a plan, and returns the results and the report's files. */
export function buildReport(opts: ReportOptions): { results: Results; files: Map<string, string> } {
  const started = performance.now()
  // the load note's start: the load average and this process's CPU time now (its own threads are not other work)
  const bench = new BenchRun()
  const cfg = opts.config
  const sizes = cfg.services.map((services) => ({
    services,
    endpoints: cfg.endpoints,
    policies: Math.ceil(services / 10),
    nodes: 0,
    seed: opts.seed,
  }))
  const variationSizes = cfg.variations.map((v) => ({ ...v, nodes: 0, seed: opts.seed }))
  const total = scalingSteps(sizes) + scalingSteps(variationSizes) + 3
  const progress = createProgress(total, { enabled: opts.progress })
  try {
    const common = {
      profile: opts.profile,
      builders: opts.builders,
      timing: cfg.timing,
      packets: cfg.packets,
    }
    // variations first: the services sweep ends with its largest point, whose models the plan can then reuse
    const variations = runScalingSuite({ ...common, sizes: variationSizes, onStep: (l) => progress.tick(l) })
    const scaling = runScalingSuite({ ...common, sizes, onStep: (l) => progress.tick(l) })
    const samples = syncSamples(scaling)
    const ciliumAt = (services: number) => {
      const s = samples.reduce((best, x) =>
        Math.abs(x.services - services) < Math.abs(best.services - services) ? x : best,
      )
      return s.ciliumChangeSeconds
    }
    const sweep = sweepChurn({
      services: cfg.churn.services,
      rates: cfg.churn.rates,
      duration: cfg.churn.durationSeconds,
      seed: opts.seed,
      syncSeconds: syncSecondsFromSamples(samples),
      ciliumChangeSeconds: ciliumAt,
    })
    progress.tick('churn simulation')
    // the plan on dataplanes of its own (the cluster is reused): the suite's carry its timed rounds' conntrack
    // entries and RNG position, and the plan's conntrack use and first-packet costs took them in
    opts.builders.release?.()
    const plan = planCapacity(
      { services: cfg.plan.services, endpoints: cfg.plan.endpoints, seed: opts.seed },
      { profile: opts.profile, builders: opts.builders, seed: opts.seed },
    )
    progress.tick('capacity plan')
    const anchors = compareAnchors(
      (a) =>
        opts.anchorModel?.(a, [...scaling, ...variations], opts.profile) ??
        scalingAnchorModel(a, [...scaling, ...variations]),
    )
    const benchDir = opts.benchDir ?? join(process.cwd(), 'reports', 'bench')
    const rawPath = opts.kernelLab?.rawPath ?? join(dirname(benchDir), 'kernel', 'pooled', 'raw.json')
    const kernelLab = kernelLabSection({
      rawPath,
      displayPath: displayPath(rawPath),
      reportProfile: opts.profile,
      calibrated: opts.kernelLab?.calibrated !== undefined ? opts.kernelLab.calibrated : shippedCalibrated(),
      rendered: opts.kernelLab?.rendered ?? cfg.mode === 'full',
    })
    const kernelCharts = kernelLabCharts(kernelLab)
    kernelLab.charts = [...kernelCharts.keys()]
    progress.tick('kernel lab section')
    const machine = machineInfo()
    const results: Results = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      tool: { name: 'dataplane-sim', version: opts.version ?? '0.1.0' },
      run: {
        mode: cfg.mode,
        seed: opts.seed,
        date: (opts.now?.() ?? new Date()).toISOString(),
        profile: opts.profile.name,
        machine,
        wallSeconds: (performance.now() - started) / 1000,
        note: `JS timings: ${bench.note(machine)} Modeled figures are deterministic for the seed and profile.`,
      },
      profile: opts.profile,
      scaling,
      variations,
      churn: {
        rates: cfg.churn.rates,
        services: cfg.churn.services,
        durationSeconds: cfg.churn.durationSeconds,
        kubeProxyModel:
          "kube-proxy: the BoundedFrequencyRunner (minSyncPeriod 1 s, burst 2, syncPeriod 30 s) with partial syncs; each sync's duration is the iptables model's modeled iptables-legacy-restore seconds at that table size (samples below; proportional outside them).",
        ciliumModel:
          "Cilium: each change handled on its own, costing the eBPF model's modeled map-operation seconds for adding one service.",
        syncSamples: samples,
        points: sweep.points,
        kubeProxyLimit: sweep.kubeProxyLimit,
        ciliumLimit: sweep.ciliumLimit,
      },
      plan,
      anchors,
      kernelLab,
      benchmarks: readRecordedBenchmarks(benchDir),
    }
    results.run.wallSeconds = (performance.now() - started) / 1000
    const files = new Map<string, string>()
    files.set('README.md', renderReadme(results))
    files.set('results.json', `${JSON.stringify(results, null, 2)}\n`)
    for (const [name, svg] of [...reportCharts(results), ...kernelCharts]) files.set(`charts/${name}`, svg)
    return { results, files }
  } finally {
    progress.stop()
  }
}

/** The schema results.json follows (`src/report/results.schema.json`). */
export function resultsSchema(): JsonSchema {
  return JSON.parse(readFileSync(new URL('./results.schema.json', import.meta.url), 'utf8')) as JsonSchema
}

/**
 * `buildReport`, checks results.json against its schema (a report that does not validate is not written), then
 * writes the report directory atomically. Returns the results and the summary table for the terminal.
 */
export function runReport(opts: ReportOptions & { out: string }): { results: Results; summary: string } {
  const { results, files } = buildReport(opts)
  const errors = validateJson(JSON.parse(files.get('results.json')!), resultsSchema())
  if (errors.length > 0) {
    throw new Error(
      `results.json does not follow its schema: ${errors
        .slice(0, 5)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ')}`,
    )
  }
  writeReportDir(opts.out, files)
  const s = summaryRows(results)
  return { results, summary: textTable(s.headers, s.rows) }
}
