import type { RecordedBenchmark } from './results'

/**
 * The speed targets the issues set, read from the figure files each package's benchmark wrote under
 * `reports/bench/`: one row per target with the figure it is judged on, so a reader sees at a glance which
 * hold and by how much the others miss. A file that is absent, or lacks the figure, gives no row (never a
 * guessed one).
 */
export interface TargetRow {
  /** the benchmark file */
  file: string
  /** what is measured, in words */
  what: string
  measured: number
  unit: string
  /** the bound, in the same unit */
  target: number
  /** `min`: measured must be ≥ target; `max`: ≤ target */
  kind: 'min' | 'max'
  met: boolean
  /** the file's load note or date: when and how quietly it was measured */
  when: string
}

type Json = Record<string, unknown>

const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

function row(
  file: string,
  data: Json,
  what: string,
  measured: number | undefined,
  unit: string,
  target: number | undefined,
  kind: 'min' | 'max',
): TargetRow[] {
  if (measured === undefined || target === undefined) return []
  const date = typeof data.date === 'string' ? data.date.slice(0, 16).replace('T', ' ') : ''
  const quiet = typeof data.load === 'string' ? (/competed/.test(data.load) ? 'under load' : 'quiet') : ''
  return [
    {
      file,
      what,
      measured,
      unit,
      target,
      kind,
      met: kind === 'min' ? measured >= target : measured <= target,
      when: [date, quiet].filter(Boolean).join(', '),
    },
  ]
}

type Extractor = (file: string, d: Json) => TargetRow[]

/** First packets through the eBPF pipeline: packets per CPU second at 100k services, and flatness. */
const pipeline: Extractor = (file, d) => {
  const pts = arr(d.figures)
    .map(obj)
    .filter((p): p is Json => p !== undefined)
  const at = (services: number) => pts.find((p) => p.services === services)
  const entryFig = (p: Json | undefined, task: RegExp, entry: string) =>
    arr(p?.figures)
      .map(obj)
      .find((f) => f !== undefined && task.test(String(f.task)) && f.entry === entry)
  const ref = /^first packets, socket-LB \(reference/
  const out: TargetRow[] = []
  const big = at(100_000)
  const small = at(100)
  const batch = entryFig(big, ref, 'classifyTuples (batch)')
  out.push(
    ...row(
      file,
      d,
      'first packets per CPU second, 100k services (socket-LB, batch entry)',
      num(batch?.packetsPerCpuSecond),
      'packets/s',
      num(obj(d.target)?.firstPacketsPerSecond),
      'min',
    ),
  )
  const floor = arr(obj(big?.firstPacketFloor)?.rows)
    .map(obj)
    .find((r) => r !== undefined && /^both/.test(String(r.row)))
  const perPacketBudget = num(obj(d.target)?.firstPacketsPerSecond)
  out.push(
    ...row(
      file,
      d,
      'of which the per-flow tables alone (connected socket + conntrack), 100k services',
      num(floor?.cpuNsPerPacket),
      'CPU ns/packet',
      perPacketBudget === undefined ? undefined : 1e9 / perPacketBudget,
      'max',
    ),
  )
  for (const entry of ['classifyTuple', 'classifyTuples (batch)', 'classify(Packet)']) {
    const a = num(entryFig(small, ref, entry)?.jsNsPerPacket)
    const b = num(entryFig(big, ref, entry)?.jsNsPerPacket)
    out.push(
      ...row(
        file,
        d,
        `flatness: ${entry} ns per first packet, 100k ÷ 100 services`,
        a && b ? Number((b / a).toFixed(2)) : undefined,
        '×',
        3,
        'max',
      ),
    )
  }
  return out
}

/** ", median of N runs" when a benchmark recorded several runs (figures.runs), else nothing. */
function runsNote(runs: unknown): string {
  return Array.isArray(runs) && runs.length > 1 ? `, median of ${runs.length} runs` : ''
}

const EXTRACTORS: Record<string, Extractor> = {
  'ebpf-build.json': (file, d) =>
    row(
      file,
      d,
      `build all maps, 100k services × 10 endpoints (wall${runsNote(obj(d.figures)?.runs)})`,
      num(obj(d.figures)?.buildSeconds),
      's',
      num(obj(d.target)?.buildSeconds),
      'max',
    ),
  'ebpf-pipeline.json': pipeline,
  'ebpf-update.json': (file, d) =>
    row(
      file,
      d,
      'agent apply() of one service: growth from 100 to 100k services',
      num(obj(d.figures)?.addServiceGrowth),
      '×',
      3,
      'max',
    ),
  'iptables-parse.json': (file, d) =>
    row(
      file,
      d,
      '`dpsim lint` of a 2.2M-line iptables-save dump (median)',
      num(obj(d.lint)?.medianLinesPerSecond),
      'lines/s',
      1_000_000,
      'min',
    ),
  'iptables-render.json': (file, d) => {
    const k = obj(obj(d.figures)?.kubeProxy)
    return row(
      file,
      d,
      'kube-proxy full-sync restore input, 100k services × 5 endpoints',
      num(k?.seconds),
      's',
      num(k?.targetSeconds),
      'max',
    )
  },
  'iptables-match.json': (file, d) => [
    ...row(
      file,
      d,
      'rule evaluation, KUBE-SERVICES walk (best run)',
      num(obj(d.kubeServices)?.bestNsPerRule),
      'ns/rule',
      15,
      'max',
    ),
    ...row(
      file,
      d,
      'rule evaluation, filter FORWARD walk (best run)',
      num(obj(d.filterForward)?.bestNsPerRule),
      'ns/rule',
      15,
      'max',
    ),
  ],
}

/** One row per speed target whose figure file is present. */
export function benchTargets(benchmarks: readonly RecordedBenchmark[]): TargetRow[] {
  const out: TargetRow[] = []
  for (const b of benchmarks) {
    const name = b.file.split('/').pop() ?? b.file
    const extract = EXTRACTORS[name]
    const data = obj(b.data)
    if (extract && data) out.push(...extract(b.file, data))
  }
  return out
}
