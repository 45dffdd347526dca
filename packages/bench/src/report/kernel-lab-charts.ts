import type { Experiment } from '@dataplane-sim/kernel-lab'
import { lineChart, PALETTE, type Series } from './chart'
import type { KernelLabSection } from './kernel-lab'

/** One chart of the section: which experiments of which backends, under which axis titles. */
interface KernelChartSpec {
  file: string
  title: string
  xLabel: string
  yLabel: string
  /** per line group: experiment, backend and its name in the legend */
  lines: Array<{ experiment: Experiment; backend: 'legacy' | 'nft' | 'bpf'; name: string }>
  /** the y axis unit in ns (rows are in s or ns) */
  unitNs: number
}

type Line = [Experiment, 'legacy' | 'nft' | 'bpf', string]

/** axes: x title, y title, y unit in ns */
function spec(file: string, title: string, axes: [string, string, number], lines: Line[]): KernelChartSpec {
  const [xLabel, yLabel, unitNs] = axes
  return {
    file,
    title,
    xLabel,
    yLabel,
    unitNs,
    lines: lines.map(([experiment, backend, name]) => ({ experiment, backend, name })),
  }
}

const RESTORE: [string, string, number] = ['services in the nat table', 'restore command time (s)', 1e9]
const RTT: [string, string, number] = ['rules in filter FORWARD', 'extra round-trip time (µs)', 1e3]
const FIRST: [string, string, number] = ['services in the nat table', 'extra round-trip time (µs)', 1e3]
const BPFTOOL: [string, string, number] = [
  'entries (batch size, or entries already in the map)',
  'bpftool command time (ms)',
  1e6,
]

const SPECS: KernelChartSpec[] = [
  ...(['legacy', 'nft'] as const).flatMap((b) => [
    spec(
      `kernel-restore-${b}.svg`,
      `iptables-${b}-restore on the real kernel: measured vs modeled`,
      RESTORE,
      [
        ['restore-full', b, 'whole table'],
        ['restore-one-rule', b, 'one rule --noflush'],
      ],
    ),
    spec(
      `kernel-rtt-${b}.svg`,
      `Round trip through non-matching rules, iptables-${b}: measured vs modeled`,
      RTT,
      [
        ['packet-forward', b, 'ip-only rules'],
        ['packet-forward-match', b, 'rules with a match'],
      ],
    ),
  ]),
  spec(
    'kernel-first-packet.svg',
    'First packet of a new flow through a kube-proxy nat table: measured vs modeled',
    FIRST,
    [
      ['packet-nat-first', 'legacy', 'legacy'],
      ['packet-nat-first', 'nft', 'nft'],
    ],
  ),
  spec('kernel-bpf-update.svg', 'BPF hash map updates through bpftool: measured vs modeled', BPFTOOL, [
    ['bpf-update-batch', 'bpf', 'batch of N updates'],
    ['bpf-update-one', 'bpf', 'one update'],
  ]),
]

/** Dash patterns of the profiles' modeled lines (the measured line is solid). */
const PROFILE_DASH = ['6 4', '2 3', '10 3 2 3']

/**
 * The section's charts, file name → SVG: each measured line (solid, points) beside each profile's modeled line
 * (dashed, same colour), log-log; sizes ≤ 0 (the sweeps' baselines) are left out since a log axis cannot show them.
 */
export function kernelLabCharts(s: KernelLabSection): Map<string, string> {
  const charts = new Map<string, string>()
  if (s.status !== 'present') return charts
  for (const spec of SPECS) {
    const series: Series[] = []
    spec.lines.forEach((l, i) => {
      const rows = s.rows
        .filter((r) => r.experiment === l.experiment && r.backend === l.backend && r.size > 0)
        .sort((a, b) => a.size - b.size)
      if (rows.length === 0) return
      const y = (v: number, unit: 's' | 'ns') => (unit === 's' ? v * 1e9 : v) / spec.unitNs
      const colour = PALETTE[i % PALETTE.length]
      const pts = (f: (r: (typeof rows)[number]) => number | undefined) =>
        rows.flatMap((r) => {
          const v = f(r)
          return v !== undefined && v > 0 ? [[r.size, y(v, r.unit)] as const] : []
        })
      series.push({ name: `${l.name} — measured`, points: pts((r) => r.measured), colour })
      s.profiles.forEach((p, j) => {
        series.push({
          name: `${l.name} — ${p.name} model`,
          points: pts((r) => r.modeled[p.name]?.value),
          colour,
          dash: PROFILE_DASH[j % PROFILE_DASH.length],
        })
      })
    })
    if (series.every((x) => x.points.length === 0)) continue
    charts.set(
      spec.file,
      lineChart({
        title: spec.title,
        xLabel: spec.xLabel,
        yLabel: spec.yLabel,
        series,
        // sizes 1k–50k and times over one to two decades: log-log keeps every point and the slopes readable
        xScale: 'log',
        yScale: 'log',
      }),
    )
  }
  return charts
}
