import type { CostConstant, CostProfile } from '@dataplane-sim/cluster'
import {
  CACHE_BYTES_KEY,
  LLC_BYTES_KEY,
  LLC_SHARE_BYTES_KEY,
  LLC_SHARE_WAYS_KEY,
  LLC_WAYS_KEY,
  type WalkCaches,
} from '@dataplane-sim/iptables-model'
import type { CacheSizes, MachineInfo } from '../env/machine'
import type { LabBackend, Measurement } from '../measure/types'
import { modelDefaultsProfile } from '../report/modelDefaults'
import { BPFTOOL_EXEC, restoreKeys } from './counts'
import { type FitResult, fitNonNegative } from './leastSquares'
import { countsAt, walkShapeOf } from './recount'
import { selectTerms } from './selectTerms'

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

/**
 * The per-packet keys of an iptables group. `ipt.llcMissBytes` prices a cold walk's bytes beyond one CPU's
 * share of the L3 (from sysfs, not fitted; iptables-model engine/walkCost.ts): only the first-packet sweep
 * has cold walks, so only its points beyond the share carry that count. `ipt.l2Refill` (legacy only,
 * walkCost.ts l2Evicted): what the walking CPU's other work pays to re-read the L2 a cold walk evicted.
 */
export const PACKET_KEYS = [
  'ipt.rule',
  'ipt.match',
  'ipt.uncachedBytes',
  'ipt.llcMissBytes',
  'ipt.l2Refill',
] as const

/** The per-packet keys `backend`'s group fits (nft's cold walks count no L2 refill). */
export function packetKeys(backend: 'legacy' | 'nft'): string[] {
  return PACKET_KEYS.filter((k) => backend === 'legacy' || k !== 'ipt.l2Refill')
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
      // the FORWARD sweeps' back-to-back walks are warm, the first packets' walks cold (every byte uncached):
      // together they separate the per-rule cost from the per-uncached-byte one; the first packets beyond the
      // LLC share price the DRAM term
      experiments: ['packet-forward', 'packet-forward-match', 'packet-nat-first'],
      keys: packetKeys(backend),
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
  tableByte:
    'per byte of the table blob after the commit (legacy fetches, rebuilds and swaps the whole blob)',
  lineChain: 'per input line × chain in the table (chain lookups, sorted chain insertion)',
  tableCreate: 'per table the restore creates (nf_tables: the table and its base chains’ hooks)',
  'ipt.rule': 'per rule traversed by a packet, while the walk stays cache-resident',
  'ipt.match': 'per extension match (-m) a packet is tested against',
  'ipt.uncachedBytes': 'per byte of rule entries a walk reads beyond the cache-resident size',
  [CACHE_BYTES_KEY]: 'bytes of rule entries one walk can read and still find cached on the next packet',
  'ipt.llcMissBytes':
    'per byte of a walk’s memory whose pages overfill their L3 sets (a cold walk: in its CPU’s share of the L3; a ' +
    'warm one: in the whole L3), read from DRAM, on top of ipt.uncachedBytes',
  'ipt.l2Refill':
    'per cold legacy walk, times the share of the L2 its entries streamed through: the walking CPU’s other work ' +
    're-reads what the walk evicted',
  [LLC_SHARE_BYTES_KEY]: 'bytes of a cold walk’s memory one CPU can keep in its share of the shared L3',
  [LLC_SHARE_WAYS_KEY]:
    'ways of each L3 set one CPU’s share holds (where a cold walk’s pages start to conflict)',
  [LLC_BYTES_KEY]:
    'bytes of the whole L3, which a warm walk has mostly to itself (its neighbours mostly idle between packets)',
  [LLC_WAYS_KEY]: 'ways of each set of the whole L3 (where a warm walk’s pages start to conflict)',
  'bpf.lookup.hash': 'per BPF hash map lookup (kernel-timed program run, includes the tc program entry)',
  'bpf.update.hash': 'per hash map update from user space (bpftool batch, one bpf() syscall each)',
  [BPFTOOL_EXEC]: 'fixed cost of one bpftool process',
}

export interface GroupFit extends FitResult {
  /** the cache-resident size chosen (Infinity: no uncached term; only groups with walks choose one) */
  cacheBytes: number
  /** the LLC share its cold walks were counted with (sysfs; Infinity: none known, or no walks) */
  llcShareBytes: number
  /** the ways of each L3 set that share holds (sysfs; Infinity: not known — the bytes beyond the share miss) */
  llcShareWays: number
  llcBytes: number
  llcWays: number
  name: string
  backend: LabBackend
  unit: 's' | 'ns'
  /** the measurements fitted, in the order of relativeErrors */
  rows: Measurement[]
  /** measurements of the group left out of the fit: missed by more than TRIM on a first fit */
  excluded: Measurement[]
  /** constants of `constants` taken from the machine, not fitted (no spread: the rerun check leaves them out) */
  fixed: string[]
  /** keys left out by selectTerms (their constant is 0): this fit's data cannot tell them from the others */
  dropped: string[]
  /** keys whose count is 0 in every fitted row: their constant (0) says nothing measured, not "free" */
  unexercised: string[]
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

/** A first fit missing a point by more than this leaves it out of the final fit (and the report says so). */
export const TRIM = 0.4

/** Ratio of neighbouring candidate cache-resident sizes (a quarter octave). */
export const CACHE_GRID_STEP = 2 ** 0.25

/** Candidate cache-resident sizes: none (Infinity) and 256 KiB to 64 MiB in quarter-octave steps, largest first. */
export const CACHE_SIZES: readonly number[] = [
  Number.POSITIVE_INFINITY,
  // 4 significant digits, as the profile stores constants, so the size chosen is the size written
  ...Array.from({ length: 33 }, (_, i) => Number((2 ** (26 - i / 4)).toPrecision(4))),
]

/** A measurement's counts with nft keys made neutral (`ipt.rule:nft` → `ipt.rule`), as the groups' keys are. */
export function neutralCounts(m: Measurement, caches: WalkCaches): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(countsAt(m, caches))) {
    const key = k.endsWith(':nft') ? k.slice(0, -4) : k
    out[key] = (out[key] ?? 0) + v
  }
  return out
}

export interface FitOptions {
  /** the value each measurement should explain (default its median): the bootstrap passes resampled ones */
  valueFor?: (m: Measurement) => number
  /**
   * the machine's cache sizes (sysfs): legacy walks take their cache-resident size from the L2 instead of
   * choosing it on CACHE_SIZES (without an L2 size they fall back to the grid)
   */
  caches?: CacheSizes
}

/**
 * The cache-resident sizes a group's fit may choose from. Legacy: the L2 of the machine, not fitted. Its
 * walks read the x_tables blob in order, one packet after another, so a walk whose bytes fit the per-core L2
 * finds them there on the next packet and a larger one streams the rest from L3 (prefetched, a small price
 * per byte: ~0.002 ns). Fitting the size on the grid traded it against `ipt.rule` and the per-byte price (8
 * vs 24 MB between two quiet calibrations with every interval narrow): the data cannot place the step, so the
 * machine does. nft: the cyclic walk over scattered compat objects steps where no cache level of sysfs is (1.9
 * to 3.8 MB of them, stable between runs), so its size stays fitted on the grid.
 */
export function cacheCandidates(backend: LabBackend, caches: CacheSizes | undefined): readonly number[] {
  return backend === 'legacy' && caches?.l2 ? [caches.l2] : CACHE_SIZES
}

/**
 * One CPU's share of the last-level cache: the L3 sysfs reports ÷ the CPUs sharing it (16 MiB of 32 MiB on
 * this machine kind); Infinity when sysfs does not say both. A machine figure, not fitted — like the L2 for
 * `ipt.cacheBytes`: with first packets at 5 sizes the fit could not place a step between two of them.
 */
export function llcShareOf(caches: CacheSizes | undefined): number {
  return caches?.l3 && caches.l3Shared ? Math.round(caches.l3 / caches.l3Shared) : Number.POSITIVE_INFINITY
}

/**
 * The ways of each L3 set one CPU's share holds: sysfs's ways_of_associativity ÷ the CPUs sharing the L3 (8 of
 * 16 here), at least 1; Infinity when sysfs does not say both (walkCost.ts llcMissedBytes then prices only the
 * bytes beyond the share). A machine figure, not fitted.
 */
export function llcWaysOf(caches: CacheSizes | undefined): number {
  return caches?.l3Ways && caches.l3Shared
    ? Math.max(1, Math.floor(caches.l3Ways / caches.l3Shared))
    : Number.POSITIVE_INFINITY
}

/**
 * The whole L3 sysfs reports, which a warm walk has mostly to itself (its neighbours mostly idle between its packets);
 * Infinity when sysfs does not say. A machine figure, not fitted (iptables-model walkCost.ts LLC_BYTES_KEY).
 */
export function llcBytesOf(caches: CacheSizes | undefined): number {
  return caches?.l3 ? caches.l3 : Number.POSITIVE_INFINITY
}

/** The ways of each set of the whole L3 (sysfs ways_of_associativity); Infinity when not known. */
export function llcWholeWaysOf(caches: CacheSizes | undefined): number {
  return caches?.l3 && caches.l3Ways ? caches.l3Ways : Number.POSITIVE_INFINITY
}

/**
 * Fits every group that has measurements with counts. A group whose points carry engine walks (recount) also
 * chooses the cache-resident size: the candidate of CACHE_SIZES whose non-negative fit has the least weighted
 * error (ties: the larger size, so the uncached term is only used where the data ask for it).
 */
export function fitGroups(measurements: readonly Measurement[], opts: FitOptions = {}): GroupFit[] {
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
    const y = (m: Measurement) =>
      opts.valueFor
        ? measuredIn({ ...m, summary: { ...m.summary, median: opts.valueFor(m) } }, g.unit)
        : measuredIn(m, g.unit)
    const walked = rows.some((m) => walkShapeOf(m))
    const sizes = walked ? cacheCandidates(g.backend, opts.caches) : [Number.POSITIVE_INFINITY]
    const llc = walked ? llcShareOf(opts.caches) : Number.POSITIVE_INFINITY
    const ways = walked && Number.isFinite(llc) ? llcWaysOf(opts.caches) : Number.POSITIVE_INFINITY
    const whole = walked ? llcBytesOf(opts.caches) : Number.POSITIVE_INFINITY
    const wholeWays = walked ? llcWholeWaysOf(opts.caches) : Number.POSITIVE_INFINITY
    // the machine's L3 as every count of the group sees it (the cache-resident size is chosen below)
    const l3 = { llcShareBytes: llc, llcShareWays: ways, llcBytes: whole, llcWays: wholeWays }
    const fitRows = (rs: Measurement[]) => {
      let best: (FitResult & { cacheBytes: number }) | null = null
      for (const cacheBytes of sizes) {
        const fit = fitNonNegative(
          rs.map((m) => ({
            counts: neutralCounts(m, { cacheBytes, ...l3 }),
            y: y(m),
          })),
          g.keys,
        )
        if (!best || fit.rmsRelativeError < best.rmsRelativeError * (1 - 1e-6)) best = { ...fit, cacheBytes }
      }
      return best!
    }
    let best = fitRows(rows)
    // a point the model misses by more than TRIM is a step none of its terms has (see the report): fitting
    // it would bend every constant of the group to halve that miss; fit without it, once
    const kept = rows.filter((_m, i) => Math.abs(best.relativeErrors[i]) <= TRIM)
    const excluded = rows.filter((m) => !kept.includes(m))
    if (excluded.length > 0 && kept.length > g.keys.length) best = fitRows(kept)
    else excluded.length = 0
    const fitted = excluded.length ? kept : rows
    const { fit: selectedFit, dropped } = selectTerms(
      fitted.map((m) => ({
        counts: neutralCounts(m, { cacheBytes: best.cacheBytes, ...l3 }),
        y: y(m),
      })),
      g.keys,
      best,
    )
    // without its uncached term a group has no step: its cache-resident size is "none"
    const noStep = dropped.includes('ipt.uncachedBytes') && sizes.length > 1
    const fit = {
      ...selectedFit,
      cacheBytes: noStep ? Number.POSITIVE_INFINITY : best.cacheBytes,
      ...l3,
    }
    if (sizes.length > 1 || Number.isFinite(sizes[0])) {
      // no cliff in the warm walks: a profile constant must be finite, so the largest candidate (above every
      // walk measured) stands for "none"; the uncached price still holds for cold walks
      fit.constants[CACHE_BYTES_KEY] = Number.isFinite(fit.cacheBytes) ? fit.cacheBytes : CACHE_SIZES[1]
      fit.constants['ipt.uncachedBytes'] ??= 0
    }
    const fixed = sizes.length === 1 && Number.isFinite(sizes[0]) ? [CACHE_BYTES_KEY] : []
    if (Number.isFinite(llc)) {
      fit.constants['ipt.llcMissBytes'] ??= 0
      // the L3 figures sysfs gave, written as machine constants (ways only where their size is known)
      const machineL3: Array<[string, number]> = [
        [LLC_SHARE_BYTES_KEY, llc],
        [LLC_SHARE_WAYS_KEY, ways],
        [LLC_BYTES_KEY, whole],
        [LLC_WAYS_KEY, wholeWays],
      ]
      for (const [key, value] of machineL3) {
        if (!Number.isFinite(value)) continue
        fit.constants[key] = value
        fixed.push(key)
      }
    }
    const unexercised = g.keys.filter((k) => fitted.every((m) => (neutralCounts(m, fit)[k] ?? 0) === 0))
    out.push({
      ...fit,
      unexercised,
      name: g.name,
      backend: g.backend,
      unit: g.unit,
      rows: excluded.length ? rows.filter((m) => !excluded.includes(m)) : rows,
      excluded,
      fixed,
      dropped,
    })
  }
  return out
}

/** `key:nft` for an nft per-packet key; restore keys already name their backend; others as they are. */
export function profileKey(key: string, backend: LabBackend): string {
  return backend === 'nft' && !key.startsWith('restore.') ? `${key}:nft` : key
}

export interface CalibrationOptions {
  /**
   * `pooled`: the clause that says which calibrations a pooled fit merged (run/pool.ts poolRaw), written into the
   * provenance's notes in place of one run's load averages (a pool has no single load)
   */
  machine: MachineInfo & { loadAtStart?: number; pooled?: string }
  quick: boolean
  /** where the raw data was written, recorded instead of inlining it when given */
  rawDataPath?: string
  measurements: Measurement[]
}

/** The unit of a fitted constant: per what its count counts (`s/line`, `ns/byte`, ...). */
function unitOf(key: string, unit: 's' | 'ns'): string {
  if (key === CACHE_BYTES_KEY || key === LLC_SHARE_BYTES_KEY || key === LLC_BYTES_KEY) return 'bytes'
  if (key === LLC_SHARE_WAYS_KEY || key === LLC_WAYS_KEY) return 'ways'
  if (key === 'ipt.uncachedBytes' || key === 'ipt.llcMissBytes') return 'ns/byte'
  const leaf = key.split('.').pop()
  return key.startsWith('restore.') && leaf !== 'invocation' ? `${unit}/${leaf}` : unit
}

/**
 * What the load average says about the timings. The lab's own processes (restores, the packet agents, BPF test
 * runs) raise it during a calibration, and a run started right after another inherits the first one's decaying
 * average, so a figure above the CPU count cannot tell other work from the lab's own: say both.
 */
function loadNote(m: CalibrationOptions['machine']): string {
  const load = Math.max(m.loadAtStart ?? 0, m.load1)
  return m.cpus > 0 && load > m.cpus
    ? ' (above the CPU count: the lab’s own processes — restores, packet agents — count in it, and so would any ' +
        'other work; see each point’s spread in the raw data)'
    : ' (a quiet machine)'
}

const kib = (b: number | undefined) => (b === undefined ? '?' : `${b / 1024} KiB`)

/** The cache sizes the fit used, in the provenance (analyzeRaw reads them back: `caches L1d … L2 … L3 …`). */
export function cacheNote(c: CacheSizes | undefined): string {
  if (!c?.l2) return ''
  const shared = `${c.l3Shared ? ` shared by ${c.l3Shared} CPUs` : ''}${c.l3Ways ? `, ${c.l3Ways}-way` : ''}`
  return `; caches L1d ${kib(c.l1d)}, L2 ${kib(c.l2)}, L3 ${kib(c.l3)}${shared} (sysfs cpu0/cache)`
}

/** The cache sizes cacheNote wrote, from a provenance's notes; undefined when it has none. */
export function cachesFromNote(notes: string): CacheSizes | undefined {
  const m =
    /caches L1d ([\d.]+|\?)(?: KiB)?, L2 ([\d.]+) KiB, L3 ([\d.]+|\?)(?: KiB)?(?: shared by (\d+) CPUs)?(?:, (\d+)-way)?/.exec(
      notes,
    )
  if (!m) return undefined
  const b = (t: string) => (t === '?' ? undefined : Number(t) * 1024)
  const out: CacheSizes = { l1d: b(m[1]), l2: b(m[2]), l3: b(m[3]) }
  if (m[4]) out.l3Shared = Number(m[4])
  if (m[5]) out.l3Ways = Number(m[5])
  return out
}

/** The source text of a constant taken from the machine's sysfs cache sizes. */
function fixedSource(key: string, machine: MachineInfo): string {
  if (key === LLC_SHARE_WAYS_KEY) {
    const c = machine.caches
    return (
      `the ${c?.l3Ways ?? '?'} ways of the L3 of ${machine.cpu} ÷ the ${c?.l3Shared ?? '?'} CPUs sharing it (sysfs ` +
      `cpu0/cache index3 ways_of_associativity and shared_cpu_list), not fitted: ${MEANING[key]} (iptables-model ` +
      'engine/walkCost.ts llcMissedBytes: pages placed at random among the L3 sets)'
    )
  }
  if (key === LLC_BYTES_KEY || key === LLC_WAYS_KEY) {
    const c = machine.caches
    const what =
      key === LLC_BYTES_KEY
        ? `the L3 of ${machine.cpu} (${kib(c?.l3)})`
        : `the ${c?.l3Ways ?? '?'} ways of the L3 of ${machine.cpu}`
    return (
      `${what} (sysfs cpu0/cache index3), not fitted: ${MEANING[key]} (iptables-model engine/walkCost.ts ` +
      'llcMissedBytes: the bytes whose pages overfill their sets are read from DRAM, ipt.llcMissBytes)'
    )
  }
  if (key === LLC_SHARE_BYTES_KEY) {
    const c = machine.caches
    return (
      `the L3 of ${machine.cpu} (${kib(c?.l3)}) ÷ the ${c?.l3Shared ?? '?'} CPUs sharing it (sysfs cpu0/cache ` +
      `index3 size and shared_cpu_list), not fitted: ${MEANING[key]} (the bytes of a cold walk it cannot hold are ` +
      'read from DRAM: ipt.llcMissBytes)'
    )
  }
  return `the L2 cache size of ${machine.cpu} (sysfs cpu0/cache), not fitted: ${MEANING[key]} (a legacy walk reads the blob in order; beyond the per-core L2 its bytes stream from L3)`
}

/** Builds the CostProfile (constants with units and sources, provenance with kernel, CPU, date and data). */
export function buildProfile(opts: CalibrationOptions): { profile: CostProfile; fits: GroupFit[] } {
  const fits = fitGroups(opts.measurements, { caches: opts.machine.caches })
  const defaults = modelDefaultsProfile().constants
  const constants: Record<string, CostConstant> = {}
  for (const f of fits) {
    for (const [key, value] of Object.entries(f.constants)) {
      const sizes = [...new Set(f.rows.map((r) => r.size))].sort((a, b) => a - b)
      const pk = profileKey(key, f.backend)
      if (f.unexercised.includes(key)) {
        // not measured (a quick sweep has no point past the L3 share): the model's own default prices it, named
        // as such, rather than a 0 that would say the cost does not exist (modelCost's `a:b` rule for :nft keys)
        const d = defaults[pk] ?? defaults[key]
        constants[pk] = {
          value: d?.value ?? 0,
          unit: unitOf(key, f.unit),
          source:
            `dpsim calibrate${opts.quick ? ' --quick' : ''} on ${opts.machine.kernel}: ${MEANING[key] ?? key}; ` +
            `no point of ${f.name} (sizes ${sizes.join('/')}) has this count, so this calibration does not measure ` +
            (d ? `it: the model's default, ${d.source}` : 'it: 0, as the model has no default for it'),
        }
        continue
      }
      constants[pk] = {
        // a size from the machine is exact (bytes); fitted constants keep 4 significant digits
        value: f.fixed.includes(key) ? value : Number(value.toPrecision(4)),
        unit: unitOf(key, f.unit),
        source: f.fixed.includes(key)
          ? fixedSource(key, opts.machine)
          : `dpsim calibrate${opts.quick ? ' --quick' : ''} on ${opts.machine.kernel}, ${opts.machine.cpu}, ` +
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
        `${opts.quick ? 'quick' : 'full'} sweep on ${opts.machine.cpus} CPUs, Node ${opts.machine.node}; ` +
        (opts.machine.pooled
          ? opts.machine.pooled
          : `medians of several runs; 1-minute load average ${opts.machine.loadAtStart ?? '?'} at the start and ` +
            `${opts.machine.load1} at the end${loadNote(opts.machine)}`) +
        cacheNote(opts.machine.caches),
      data: opts.rawDataPath ?? opts.measurements,
    },
    constants: Object.fromEntries(Object.entries(constants).sort(([a], [b]) => a.localeCompare(b))),
  }
  return { profile, fits }
}
