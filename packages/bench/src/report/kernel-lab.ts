import { existsSync, readFileSync } from 'node:fs'
import { type CostProfile, InputError } from '@dataplane-sim/cluster'
import {
  backendCounts,
  EXPERIMENT_TITLES,
  type Experiment,
  labReport,
  type Measurement,
  type ReportRow,
  recount,
} from '@dataplane-sim/kernel-lab'

/**
 * The kernel lab's experiments the bench report shows, in its order. `restore-rendered` is left out unless asked
 * for: recounting it renders the lab's generated clusters again (~14 s on this machine for 1k–10k services), too
 * much for the quick report; reports/kernel/README.md has it.
 */
export const KERNEL_SECTION_EXPERIMENTS: readonly Experiment[] = [
  'restore-full',
  'restore-one-rule',
  'packet-forward',
  'packet-forward-match',
  'packet-nat-first',
  'packet-bpf',
  'packet-bpf-rtt',
  'bpf-update-one',
  'bpf-update-batch',
]

/** The sizes the acceptance bound of issue 7 covers (services or rules). */
export const KERNEL_SECTION_RANGE: [number, number] = [1000, 50000]

/** One table of the section: an experiment on one backend. */
export interface KernelLabTable {
  experiment: Experiment
  backend: Measurement['backend']
  title: string
  /** worst |error| per profile over the sizes inside `range`; null when no size there has a modeled figure */
  worstError: Record<string, number | null>
  /** per profile, the counted operations it has no constant for while another profile of the section has one */
  missingConstants: Record<string, string[]>
}

/** results.json's `kernelLab`: the lab's committed measurements against the report's profile and the calibrated one. */
export interface KernelLabSection {
  status: 'present' | 'absent'
  /** the raw.json read (as given, relative to the working directory when under it) */
  source: string
  /** the command that produces the data */
  howToProduce: string
  /** where and when the lab measured (raw.json's provenance) */
  measuredOn: { kernel: string; cpu: string; date: string; notes: string } | null
  /** the report's profile first, then the calibrated one (when it is another profile) */
  profiles: Array<{ name: string; role: 'report' | 'calibrated'; description: string }>
  range: [number, number]
  /** worst |error| per profile over every table inside `range` (the BPF lookup, tens of ns, excluded) */
  worstError: Record<string, number>
  tables: KernelLabTable[]
  rows: ReportRow[]
  /** experiments of the raw data the section does not show, and why */
  omitted: string[]
  /** chart files (under charts/) drawn from these rows */
  charts: string[]
}

export interface KernelLabOptions {
  /** raw.json of `dpsim calibrate --raw-dir` */
  rawPath: string
  /** how to name rawPath in the report */
  displayPath?: string
  reportProfile: CostProfile
  /** the calibrated profile (packages/bench/profiles/calibrated.json), null when there is none */
  calibrated: CostProfile | null
  /** also recount and show `restore-rendered` (re-renders lab clusters: seconds) */
  rendered?: boolean
}

export const HOW_TO_PRODUCE =
  'as root on a Linux node with the lab’s Debian packages (iptables nftables bpftool iproute2 clang llvm libbpf-dev ' +
  'conntrack): `npx --yes pnpm@10 dpsim calibrate -o profile.json --raw-dir DIR` for one run; the shipped profile is ' +
  'the pool of several (`dpsim calibrate --from-raw DIR1/raw.json --from-raw DIR2/raw.json … --raw-dir ' +
  'reports/kernel/pooled -o packages/bench/profiles/calibrated.json`); then run the report again (or point it at ' +
  'another run’s data with `--kernel-raw FILE`)'

const EXPERIMENTS = new Set<string>(Object.keys(EXPERIMENT_TITLES))
const BACKENDS = new Set(['legacy', 'nft', 'bpf'])

/** The 1-based line of measurement `i` in pretty-printed JSON text (for error messages), else 1. */
function lineOfMeasurement(text: string, i: number): number {
  let at = text.indexOf('"measurements"')
  for (let k = 0; k <= i && at >= 0; k++) at = text.indexOf('"experiment"', at + 1)
  return at < 0 ? 1 : text.slice(0, at).split('\n').length
}

/** The measurements of a raw.json, checked field by field (all or nothing: a bad one fails the whole file). */
export function parseLabRaw(
  text: string,
  source: string,
): { provenance: Record<string, unknown>; measurements: Measurement[] } {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw new InputError(`expected the raw.json of dpsim calibrate: ${(e as Error).message}`, source, 1)
  }
  const r = raw as { provenance?: unknown; measurements?: unknown }
  if (!r || typeof r !== 'object' || !Array.isArray(r.measurements))
    throw new InputError('expected the raw.json of dpsim calibrate, with a "measurements" array', source, 1)
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
  r.measurements.forEach((m: Partial<Measurement>, i) => {
    const bad = (what: string) => {
      throw new InputError(`measurement ${i}: expected ${what}`, source, lineOfMeasurement(text, i))
    }
    if (!m || typeof m !== 'object') bad('an object')
    if (typeof m.experiment !== 'string') bad('an "experiment" name')
    if (typeof m.backend !== 'string' || !BACKENDS.has(m.backend)) bad('"backend" legacy, nft or bpf')
    if (!num(m.size) || (m.size as number) < 0) bad('a non-negative "size"')
    if (m.unit !== 's' && m.unit !== 'ns') bad('"unit" s or ns')
    if (!m.summary || !num(m.summary.median) || !num(m.summary.spread))
      bad('"summary" with a numeric median and spread')
    if (!m.counts || typeof m.counts !== 'object' || Object.values(m.counts).some((c) => !num(c)))
      bad('"counts": numbers keyed by operation')
  })
  const p = r.provenance && typeof r.provenance === 'object' ? (r.provenance as Record<string, unknown>) : {}
  return { provenance: p, measurements: r.measurements as Measurement[] }
}

function sectionProfiles(o: KernelLabOptions): Array<{ name: string; profile: CostProfile }> {
  const out = [{ name: o.reportProfile.name, profile: o.reportProfile }]
  if (o.calibrated && o.calibrated.name !== o.reportProfile.name)
    out.push({ name: o.calibrated.name, profile: o.calibrated })
  return out
}

const hasConstant = (p: CostProfile, key: string) => !!(p.constants[key] ?? p.constants[key.split(':', 1)[0]])

/**
 * The section for the bench report: the lab's raw data recounted with today's models (kernel-lab's `recount`) and
 * priced by each profile (kernel-lab's `labReport`), per experiment and backend. Absent data gives an `absent`
 * section that says how to produce it; malformed data is an InputError.
 */
export function kernelLabSection(o: KernelLabOptions): KernelLabSection {
  const source = o.displayPath ?? o.rawPath
  const profiles = sectionProfiles(o)
  const base: KernelLabSection = {
    status: 'absent',
    source,
    howToProduce: HOW_TO_PRODUCE,
    measuredOn: null,
    profiles: profiles.map((p, i) => ({
      name: p.name,
      role: i === 0 ? 'report' : 'calibrated',
      description: p.profile.description,
    })),
    range: KERNEL_SECTION_RANGE,
    worstError: {},
    tables: [],
    rows: [],
    omitted: [],
    charts: [],
  }
  if (!existsSync(o.rawPath)) return base
  const { provenance, measurements } = parseLabRaw(readFileSync(o.rawPath, 'utf8'), source)
  const shown = new Set<string>(KERNEL_SECTION_EXPERIMENTS)
  if (o.rendered) shown.add('restore-rendered')
  const kept = measurements.filter((m) => shown.has(m.experiment))
  const left = [...new Set(measurements.filter((m) => !shown.has(m.experiment)).map((m) => m.experiment))]
  const omitted = left.map((e) =>
    e === 'restore-rendered'
      ? 'restore-rendered (the kube-proxy renderer’s whole output): recounting it renders the lab clusters again, ' +
        'seconds per size; shown by `dpsim report --full` and in reports/kernel/README.md'
      : EXPERIMENTS.has(e)
        ? `${e}: not part of this section`
        : `${e}: an experiment this version does not know`,
  )
  const recounted = recount(kept)
  const lab = labReport(recounted, profiles, KERNEL_SECTION_RANGE)
  const tables: KernelLabTable[] = []
  const inRange = (r: ReportRow) => r.size >= KERNEL_SECTION_RANGE[0] && r.size <= KERNEL_SECTION_RANGE[1]
  for (const experiment of [...KERNEL_SECTION_EXPERIMENTS, 'restore-rendered' as const]) {
    for (const backend of ['legacy', 'nft', 'bpf'] as const) {
      const idx = lab.rows.flatMap((r, i) =>
        r.experiment === experiment && r.backend === backend ? [i] : [],
      )
      if (idx.length === 0) continue
      const worstError: KernelLabTable['worstError'] = {}
      const missingConstants: KernelLabTable['missingConstants'] = {}
      for (const p of profiles) {
        const errs = idx
          .map((i) => lab.rows[i])
          .filter((r) => inRange(r) && r.modeled[p.name])
          .map((r) => Math.abs(r.modeled[p.name].error))
        worstError[p.name] = errs.length ? Math.max(...errs) : null
        const keys = new Set<string>()
        for (const i of idx)
          for (const [k, v] of Object.entries(backendCounts(recounted[i], p.profile)))
            if (v && !hasConstant(p.profile, k) && profiles.some((q) => hasConstant(q.profile, k)))
              keys.add(k)
        missingConstants[p.name] = [...keys].sort()
      }
      tables.push({
        experiment,
        backend,
        title: EXPERIMENT_TITLES[experiment],
        worstError,
        missingConstants,
      })
    }
  }
  const str = (k: string) => (typeof provenance[k] === 'string' ? (provenance[k] as string) : '?')
  return {
    ...base,
    status: 'present',
    measuredOn: { kernel: str('kernel'), cpu: str('cpu'), date: str('date'), notes: str('notes') },
    worstError: lab.worstError,
    tables,
    rows: lab.rows,
    omitted,
  }
}
