import type { CostConstant, CostProfile } from '@dataplane-sim/cluster'
import type { MachineInfo } from '../env/machine'
import type { LabBackend, Measurement } from '../measure/types'
import { BPFTOOL_EXEC, restoreKeys } from './counts'
import { type FitResult, fitNonNegative } from './leastSquares'

/**
 * One group of constants fitted together: the measurements they explain, the keys they solve for and the
 * unit of those constants (restore constants are seconds, as iptables-model's IPTABLES_RESTORE_CONSTANTS;
 * per-packet and map constants nanoseconds, as the models' packet and map constants). Per-packet variants of
 * the nft backend are stored as `key:nft`, which `modelCost` falls back from to `key` (legacy), so a model
 * that counts `ipt.rule:nft` for an nft node gets the nft constant and everything else the legacy one.
 */
export interface FitGroup {
  name: string
  backend: LabBackend
  experiments: Measurement['experiment'][]
  /** experiments these constants model in the report without being fitted to them */
  validates?: Measurement['experiment'][]
  keys: string[]
  unit: 's' | 'ns'
}

const GROUPS: FitGroup[] = [
  ...(['legacy', 'nft'] as const).flatMap((backend): FitGroup[] => [
    {
      name: `iptables-${backend}-restore`,
      backend,
      experiments: ['restore-full', 'restore-one-rule', 'restore-rendered'],
      keys: restoreKeys(backend),
      unit: 's',
    },
    {
      name: `iptables-${backend}-packet`,
      backend,
      // packet-nat-first validates, it is not fitted: its walks are cache-cold (one flow every few ms), the
      // FORWARD sweeps' back-to-back walks are warm; one `ipt.rule` cannot be both (see the report)
      experiments: ['packet-forward', 'packet-forward-match'],
      validates: ['packet-nat-first'],
      keys: ['ipt.rule', 'ipt.match'],
      unit: 'ns',
    },
  ]),
  { name: 'bpf-lookup', backend: 'bpf', experiments: ['packet-bpf'], keys: ['bpf.lookup.hash'], unit: 'ns' },
  {
    name: 'bpf-update',
    backend: 'bpf',
    experiments: ['bpf-update-one', 'bpf-update-batch'],
    keys: [BPFTOOL_EXEC, 'bpf.update.hash'],
    unit: 'ns',
  },
]

/** What each fitted key means, for the profile's `source` text (restore keys: see iptables-model). */
const MEANING: Record<string, string> = {
  invocation: 'one iptables-restore run (process start, table fetch)',
  line: 'per line of iptables-restore input',
  tableRule: 'per rule of the table after the commit (legacy rewrites the whole blob)',
  lineChain: 'per input line × chain in the table (chain lookups)',
  ruleChain: 'per rule × chain at commit (jump offsets)',
  'ipt.rule': 'per rule traversed by a packet',
  'ipt.match': 'per extension match (-m) a packet is tested against',
  'bpf.lookup.hash': 'per BPF hash map lookup (kernel-timed program run, includes the tc program entry)',
  'bpf.update.hash': 'per hash map update from user space (bpftool batch, one bpf() syscall each)',
  [BPFTOOL_EXEC]: 'fixed cost of one bpftool process',
}

export interface GroupFit extends FitResult {
  name: string
  backend: LabBackend
  unit: 's' | 'ns'
  /** the measurements of this group, in the order of relativeErrors */
  rows: Measurement[]
}

/** A measurement's median in `unit`. */
export function measuredIn(m: Measurement, unit: 's' | 'ns'): number {
  if (m.unit === unit) return m.summary.median
  return m.unit === 's' ? m.summary.median * 1e9 : m.summary.median / 1e9
}

/** The group whose constants model measurement `m`, if any. */
export function groupOf(m: Measurement): FitGroup | undefined {
  if (Object.keys(m.counts).length === 0) return undefined
  return GROUPS.find(
    (g) =>
      g.backend === m.backend &&
      (g.experiments.includes(m.experiment) || g.validates?.includes(m.experiment)),
  )
}

/** Fits every group that has measurements with counts. */
export function fitGroups(measurements: readonly Measurement[]): GroupFit[] {
  const out: GroupFit[] = []
  for (const g of GROUPS) {
    const rows = measurements.filter(
      (m) =>
        m.backend === g.backend &&
        g.experiments.includes(m.experiment) &&
        Object.keys(m.counts).length > 0 &&
        Number.isFinite(m.summary.median) &&
        measuredIn(m, g.unit) > 0,
    )
    if (rows.length === 0) continue
    const fit = fitNonNegative(
      rows.map((m) => ({ counts: m.counts, y: measuredIn(m, g.unit) })),
      g.keys,
    )
    out.push({ ...fit, name: g.name, backend: g.backend, unit: g.unit, rows })
  }
  return out
}

/** `key:nft` for an nft per-packet key; restore keys already name their backend; others as they are. */
export function profileKey(key: string, backend: LabBackend): string {
  return backend === 'nft' && !key.startsWith('restore.') ? `${key}:nft` : key
}

export interface CalibrationOptions {
  machine: MachineInfo & { loadAtStart?: number }
  quick: boolean
  /** where the raw data was written, recorded instead of inlining it when given */
  rawDataPath?: string
  measurements: Measurement[]
}

/** Builds the CostProfile (constants with units and sources, provenance with kernel, CPU, date and data). */
export function buildProfile(opts: CalibrationOptions): { profile: CostProfile; fits: GroupFit[] } {
  const fits = fitGroups(opts.measurements)
  const constants: Record<string, CostConstant> = {}
  for (const f of fits) {
    for (const [key, value] of Object.entries(f.constants)) {
      const sizes = [...new Set(f.rows.map((r) => r.size))].sort((a, b) => a - b)
      constants[profileKey(key, f.backend)] = {
        value: Number(value.toPrecision(4)),
        unit: f.unit,
        source:
          `dpsim calibrate${opts.quick ? ' --quick' : ''} on ${opts.machine.kernel}, ${opts.machine.cpu}, ` +
          `${opts.machine.date.slice(0, 10)}: ${MEANING[key] ?? MEANING[key.split('.').pop() ?? ''] ?? key}; non-negative least squares (${f.name}, ` +
          `sizes ${sizes.join('/')}, rms error ${(f.rmsRelativeError * 100).toFixed(1)}%)`,
      }
    }
  }
  const profile: CostProfile = {
    schemaVersion: 1,
    name: 'calibrated',
    description:
      'Cost constants fitted to real-kernel measurements in network namespaces (iptables-legacy, iptables-nft, ' +
      'a tc BPF hash lookup), by `dpsim calibrate`. Keys ending in `:nft` are the iptables-nft variants.',
    provenance: {
      method: 'calibrate',
      kernel: opts.machine.kernel,
      cpu: opts.machine.cpu,
      date: opts.machine.date,
      notes:
        `${opts.quick ? 'quick' : 'full'} sweep on ${opts.machine.cpus} CPUs, Node ${opts.machine.node}; medians ` +
        `of several runs; 1-minute load average ${opts.machine.loadAtStart ?? '?'} at the start and ` +
        `${opts.machine.load1} at the end (above the CPU count, other work competed with the timings: see each ` +
        'point’s spread in the raw data)',
      data: opts.rawDataPath ?? opts.measurements,
    },
    constants: Object.fromEntries(Object.entries(constants).sort(([a], [b]) => a.localeCompare(b))),
  }
  return { profile, fits }
}
