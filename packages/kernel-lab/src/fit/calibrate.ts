import type { CostConstant, CostProfile } from '@dataplane-sim/cluster'
import type { MachineInfo } from '../env/machine'
import type { LabBackend, Measurement } from '../measure/types'
import { BPFTOOL_EXEC, RESTORE_EXEC, RESTORE_LINE, RESTORE_TABLE_RULE } from './counts'
import { type FitResult, fitNonNegative } from './leastSquares'

/**
 * One group of constants fitted together: the measurements they explain and the keys they solve for. Backend
 * variants are stored as `key:nft`, which `modelCost` falls back from to `key` (legacy), so a model that
 * counts `ipt.rule:nft` for an nft node gets the nft constant and everything else the legacy one.
 */
interface FitGroup {
  name: string
  backend: LabBackend
  experiments: Measurement['experiment'][]
  keys: string[]
  unit: string
}

const GROUPS: FitGroup[] = [
  ...(['legacy', 'nft'] as const).flatMap((backend): FitGroup[] => [
    {
      name: `iptables-${backend}-restore`,
      backend,
      experiments: ['restore-full', 'restore-one-rule'],
      keys: [RESTORE_EXEC, RESTORE_LINE, RESTORE_TABLE_RULE],
      unit: 'ns',
    },
    {
      name: `iptables-${backend}-packet`,
      backend,
      experiments: ['packet-forward', 'packet-forward-match', 'packet-nat-first'],
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

/** What each fitted key means, for the profile's `source` text. */
const MEANING: Record<string, string> = {
  [RESTORE_EXEC]: 'fixed cost of one iptables-restore run (process start, table fetch and commit)',
  [RESTORE_LINE]: 'per line of iptables-restore input',
  [RESTORE_TABLE_RULE]: 'per rule already in the table that a --noflush update fetches and rewrites',
  'ipt.rule': 'per rule traversed by a packet',
  'ipt.match': 'per extension match (-m) a packet is tested against',
  'bpf.lookup.hash': 'per BPF hash map lookup (kernel-timed program run, includes the tc program entry)',
  'bpf.update.hash': 'per hash map update from user space (bpftool batch, one bpf() syscall each)',
  [BPFTOOL_EXEC]: 'fixed cost of one bpftool process',
}

export interface GroupFit extends FitResult {
  name: string
  backend: LabBackend
  /** the measurements of this group, in the order of relativeErrors */
  rows: Measurement[]
}

/** Converts a measurement's median to nanoseconds, the unit of every constant. */
export function measuredNs(m: Measurement): number {
  return m.unit === 's' ? m.summary.median * 1e9 : m.summary.median
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
        measuredNs(m) > 0,
    )
    if (rows.length === 0) continue
    const fit = fitNonNegative(
      rows.map((m) => ({ counts: m.counts, y: measuredNs(m) })),
      g.keys,
    )
    out.push({ ...fit, name: g.name, backend: g.backend, rows })
  }
  return out
}

/** `key` for legacy and bpf, `key:nft` for the nft backend. */
export function profileKey(key: string, backend: LabBackend): string {
  return backend === 'nft' ? `${key}:nft` : key
}

export interface CalibrationOptions {
  machine: MachineInfo
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
        unit: 'ns',
        source:
          `dpsim calibrate${opts.quick ? ' --quick' : ''} on ${opts.machine.kernel}, ${opts.machine.cpu}, ` +
          `${opts.machine.date.slice(0, 10)}: ${MEANING[key] ?? key}; non-negative least squares (${f.name}, ` +
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
        'of several runs; the machine may have been shared, see each point’s spread in the raw data',
      data: opts.rawDataPath ?? opts.measurements,
    },
    constants: Object.fromEntries(Object.entries(constants).sort(([a], [b]) => a.localeCompare(b))),
  }
  return { profile, fits }
}
