import { foldPolicyMaps, mapUse } from '../plan/warnings'
import type { ScalingPoint } from '../suites/scaling'
import { barChart, lineChart, type Series } from './chart'
import type { Results } from './results'

type Pt = [number, number]

function series(
  points: readonly ScalingPoint[],
  name: string,
  y: (p: ScalingPoint) => number | undefined,
  dashed = false,
): Series {
  const pts: Pt[] = []
  for (const p of points) {
    const v = y(p)
    if (v !== undefined && Number.isFinite(v) && v > 0) pts.push([p.services, v])
  }
  return { name, points: pts, dashed }
}

const m = (p: ScalingPoint, dp: 'iptables' | 'ebpf', kind: string) => p[dp].match.find((x) => x.kind === kind)
const u = (p: ScalingPoint, dp: 'iptables' | 'ebpf', op = 'addService') =>
  p[dp].update.find((x) => x.op === op)

/** The report's charts, file name → SVG text. */
export function reportCharts(r: Results): Map<string, string> {
  const pts = [...r.scaling].sort((a, b) => a.services - b.services)
  const charts = new Map<string, string>()
  charts.set(
    'update-cost.svg',
    lineChart({
      title: 'Adding one service: cost vs cluster size',
      xLabel: 'services in the cluster',
      yLabel: 'time per update (s)',
      series: [
        series(
          pts,
          'iptables-legacy partial sync (modeled)',
          (p) => u(p, 'iptables')?.variants['legacy-partial'],
        ),
        series(pts, 'iptables-legacy full sync (modeled)', (p) => u(p, 'iptables')?.variants['legacy-full']),
        series(pts, 'iptables-nft partial sync (modeled)', (p) => u(p, 'iptables')?.variants['nft-partial']),
        series(pts, 'eBPF map updates (modeled)', (p) => u(p, 'ebpf')?.modeledSeconds),
        series(
          pts,
          'iptables model, JS time (measured)',
          (p) => (u(p, 'iptables')?.js.medianNs ?? 0) / 1e9,
          true,
        ),
        series(pts, 'eBPF model, JS time (measured)', (p) => (u(p, 'ebpf')?.js.medianNs ?? 0) / 1e9, true),
      ],
    }),
  )
  charts.set(
    'first-packet.svg',
    lineChart({
      title: 'First packet of a connection to a service',
      xLabel: 'services in the cluster',
      yLabel: 'per-packet time (ns)',
      series: [
        series(pts, 'iptables, random service (modeled)', (p) => m(p, 'iptables', 'random')?.modeledNs),
        series(pts, 'iptables, worst-placed (modeled)', (p) => m(p, 'iptables', 'worst')?.modeledNs),
        series(pts, 'eBPF, random service (modeled)', (p) => m(p, 'ebpf', 'random')?.modeledNs),
        series(pts, 'iptables model, JS (measured)', (p) => m(p, 'iptables', 'random')?.js.medianNs, true),
        series(pts, 'eBPF model, JS (measured)', (p) => m(p, 'ebpf', 'random')?.js.medianNs, true),
      ],
    }),
  )
  charts.set(
    'gap.svg',
    lineChart({
      title: 'The gap: iptables ÷ eBPF',
      xLabel: 'services in the cluster',
      yLabel: 'ratio (×)',
      series: [
        series(pts, 'first packet (modeled)', (p) => p.gap.firstPacketModeled),
        series(pts, 'worst-placed first packet (modeled)', (p) => p.gap.worstPacketModeled),
        series(pts, 'one-service update (modeled)', (p) => p.gap.updateModeled),
        series(pts, 'first packet (JS time)', (p) => p.gap.firstPacketJs, true),
        series(pts, 'one-service update (JS time)', (p) => p.gap.updateJs, true),
      ],
      rules: [{ y: 50, label: '50×' }],
    }),
  )
  const rates = r.churn.rates
  const churnSeries: Series[] = []
  for (const rate of rates) {
    const at = r.churn.points.filter((p) => p.rate === rate).sort((a, b) => a.services - b.services)
    churnSeries.push({
      name: `kube-proxy p99, ${rate}/s`,
      points: at.map((p) => [p.services, Math.max(1e-6, p.kubeProxy.p99)] as Pt),
    })
    churnSeries.push({
      name: `Cilium p99, ${rate}/s`,
      points: at.map((p) => [p.services, Math.max(1e-6, p.cilium.p99)] as Pt),
      dashed: true,
    })
  }
  charts.set(
    'programming-latency.svg',
    lineChart({
      title: 'Network programming latency under churn (p99)',
      xLabel: 'services in the cluster',
      yLabel: 'change → dataplane programmed (s)',
      series: churnSeries,
      yScale: 'log',
    }),
  )
  const folded = pts.map((p) => foldPolicyMaps(mapUse(p.ebpf.footprint)).filter((x) => x.max))
  const names = [
    ...new Set(folded.flatMap((ms) => ms.map((x) => x.name.replace(/ \(fullest of \d+\)$/, '')))),
  ].sort()
  charts.set(
    'bpf-map-use.svg',
    barChart({
      title: 'BPF map use (entries ÷ max_entries; policy: the fullest endpoint map)',
      yLabel: 'use of max_entries (%)',
      categories: names,
      series: pts.map((p, i) => ({
        name: `${p.services} services`,
        values: names.map(
          (n) => folded[i].find((x) => x.name.replace(/ \(fullest of \d+\)$/, '') === n)?.usePct ?? 0,
        ),
      })),
      rules: [{ y: 100, label: 'full: updates fail (E2BIG)' }],
      height: 470,
    }),
  )
  return charts
}
