import { D3Node } from 'd3-node'

/** One line of a chart: points (x, y), drawn in order of x. */
export interface Series {
  name: string
  points: ReadonlyArray<readonly [number, number]>
  dashed?: boolean
  /** overrides the palette colour picked by the series' position */
  colour?: string
  /** an SVG stroke-dasharray, overriding `dashed` */
  dash?: string
}

export interface LineChartSpec {
  title: string
  /** axis titles with their unit, e.g. "services" / "first-packet latency (ns)" */
  xLabel: string
  yLabel: string
  series: readonly Series[]
  /** 'auto' (default) picks a log scale when the positive values span two decades or more */
  xScale?: 'log' | 'linear' | 'auto'
  yScale?: 'log' | 'linear' | 'auto'
  /** horizontal reference lines (a budget, a limit) */
  rules?: ReadonlyArray<{ y: number; label: string }>
  width?: number
  height?: number
}

/** Colour-blind-safe palette (Okabe–Ito). */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
]
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'
// the legend sits right of the plot; series names run to ~40 characters
const MARGIN = { top: 44, right: 300, bottom: 56, left: 78 }

function useLog(values: number[], mode: 'log' | 'linear' | 'auto'): boolean {
  if (mode !== 'auto') return mode === 'log'
  const pos = values.filter((v) => v > 0)
  if (pos.length < 2 || pos.length < values.length) return false
  return Math.max(...pos) / Math.min(...pos) >= 100
}

/** Numbers on axes: 1.2k, 3M, 0.25 — short enough for tick labels. */
export function shortNumber(v: number): string {
  const a = Math.abs(v)
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`
  if (a === 0) return '0'
  return `${+v.toPrecision(3)}`
}

/**
 * An SVG line chart (d3-node): labelled axes with units, a legend, log scales where values span decades.
 * Output is deterministic for the same spec.
 */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 900
  const height = spec.height ?? 430
  const d3n = new D3Node()
  const d3 = d3n.d3
  const svg = d3n.createSVG(width, height, { viewBox: `0 0 ${width} ${height}` })
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#ffffff')
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]))
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1])).concat((spec.rules ?? []).map((r) => r.y))
  const xLog = useLog(xs, spec.xScale ?? 'auto')
  const yLog = useLog(ys, spec.yScale ?? 'auto')
  const iw = width - MARGIN.left - MARGIN.right
  const ih = height - MARGIN.top - MARGIN.bottom
  const ext = (v: number[], log: boolean): [number, number] => {
    const vals = log ? v.filter((x) => x > 0) : v
    if (vals.length === 0) return [log ? 1 : 0, 1]
    let lo = Math.min(...vals)
    let hi = Math.max(...vals)
    if (!log) lo = Math.min(0, lo)
    if (lo === hi) hi = lo === 0 ? 1 : lo * (log ? 10 : 2)
    return [lo, hi]
  }
  const x = (xLog ? d3.scaleLog() : d3.scaleLinear()).domain(ext(xs, xLog)).range([0, iw])
  const y = (yLog ? d3.scaleLog() : d3.scaleLinear()).domain(ext(ys, yLog)).range([ih, 0])
  if (yLog) y.nice()
  else y.nice()
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`)

  const xTicks = xLog ? x.ticks(6).filter((t: number) => isDecadeOrMultiple(t, xs)) : x.ticks(6)
  const yTicks = yLog
    ? y.ticks(6).filter((t: number) => isPowerOfTen(t) || y.ticks(6).length <= 8)
    : y.ticks(6)
  g.append('g')
    .attr('transform', `translate(0,${ih})`)
    .call(d3.axisBottom(x).tickValues(xTicks).tickFormat(shortNumber))
  g.append('g').call(d3.axisLeft(y).tickValues(yTicks).tickFormat(shortNumber))
  // light grid
  for (const t of yTicks) {
    g.append('line').attr('x1', 0).attr('x2', iw).attr('y1', y(t)).attr('y2', y(t)).attr('stroke', '#e5e5e5')
  }
  svg
    .append('text')
    .attr('x', MARGIN.left)
    .attr('y', 24)
    .attr('font-size', 16)
    .attr('font-weight', 'bold')
    .text(spec.title)
  svg
    .append('text')
    .attr('x', MARGIN.left + iw / 2)
    .attr('y', height - 14)
    .attr('text-anchor', 'middle')
    .attr('font-size', 13)
    .text(`${spec.xLabel}${xLog ? ' — log scale' : ''}`)
  svg
    .append('text')
    .attr('transform', `translate(18,${MARGIN.top + ih / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 13)
    .text(`${spec.yLabel}${yLog ? ' — log scale' : ''}`)

  const line = d3
    .line()
    .x((p: [number, number]) => x(p[0]))
    .y((p: [number, number]) => y(p[1]))
  spec.series.forEach((s, i) => {
    const colour = s.colour ?? PALETTE[i % PALETTE.length]
    const dash = s.dash ?? (s.dashed ? '6 4' : null)
    const pts = s.points
      .filter((p) => (!xLog || p[0] > 0) && (!yLog || p[1] > 0))
      .slice()
      .sort((a, b) => a[0] - b[0])
    g.append('path')
      .attr('d', line(pts))
      .attr('fill', 'none')
      .attr('stroke', colour)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', dash)
    for (const p of pts) {
      g.append('circle').attr('cx', x(p[0])).attr('cy', y(p[1])).attr('r', 3).attr('fill', colour)
    }
    const ly = MARGIN.top + 8 + i * 20
    svg
      .append('line')
      .attr('x1', width - MARGIN.right + 14)
      .attr('x2', width - MARGIN.right + 38)
      .attr('y1', ly)
      .attr('y2', ly)
      .attr('stroke', colour)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', dash)
    svg
      .append('text')
      .attr('x', width - MARGIN.right + 44)
      .attr('y', ly + 4)
      .attr('font-size', 12)
      .text(s.name)
  })
  drawRules(
    g,
    (spec.rules ?? []).filter((r) => !yLog || r.y > 0),
    iw,
    y,
    { stroke: '#666', dash: '2 3', fill: '#444' },
  )
  return withFont(d3n.svgString())
}

export interface BarChartSpec {
  title: string
  yLabel: string
  /** one group per category on the x axis, one bar per series inside it */
  categories: readonly string[]
  series: ReadonlyArray<{ name: string; values: readonly number[] }>
  rules?: ReadonlyArray<{ y: number; label: string }>
  width?: number
  height?: number
}

/** An SVG grouped bar chart with a linear y axis, category labels, a legend and optional reference lines. */
export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 900
  const height = spec.height ?? 430
  const bottom = 110
  const d3n = new D3Node()
  const d3 = d3n.d3
  const svg = d3n.createSVG(width, height, { viewBox: `0 0 ${width} ${height}` })
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#ffffff')
  const iw = width - MARGIN.left - MARGIN.right
  const ih = height - MARGIN.top - bottom
  const all = spec.series.flatMap((s) => s.values).concat((spec.rules ?? []).map((r) => r.y))
  const x0 = d3.scaleBand().domain(spec.categories).range([0, iw]).padding(0.2)
  const x1 = d3
    .scaleBand()
    .domain(spec.series.map((s) => s.name))
    .range([0, x0.bandwidth()])
    .padding(0.05)
  const y = d3
    .scaleLinear()
    .domain([0, Math.max(1e-9, ...all)])
    .nice()
    .range([ih, 0])
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`)
  g.append('g')
    .attr('transform', `translate(0,${ih})`)
    .call(d3.axisBottom(x0))
    .selectAll('text')
    .attr('transform', 'rotate(-30)')
    .attr('text-anchor', 'end')
  g.append('g').call(d3.axisLeft(y).ticks(6).tickFormat(shortNumber))
  spec.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]
    s.values.forEach((v, j) => {
      g.append('rect')
        .attr('x', x0(spec.categories[j]) + x1(s.name))
        .attr('y', y(v))
        .attr('width', x1.bandwidth())
        .attr('height', Math.max(0, ih - y(v)))
        .attr('fill', colour)
    })
    const ly = MARGIN.top + 8 + i * 20
    svg
      .append('rect')
      .attr('x', width - MARGIN.right + 14)
      .attr('y', ly - 6)
      .attr('width', 14)
      .attr('height', 12)
      .attr('fill', colour)
    svg
      .append('text')
      .attr('x', width - MARGIN.right + 34)
      .attr('y', ly + 4)
      .attr('font-size', 12)
      .text(s.name)
  })
  drawRules(g, spec.rules ?? [], iw, y, { stroke: '#b00', dash: '4 3', fill: '#b00' })
  svg
    .append('text')
    .attr('x', MARGIN.left)
    .attr('y', 24)
    .attr('font-size', 16)
    .attr('font-weight', 'bold')
    .text(spec.title)
  svg
    .append('text')
    .attr('transform', `translate(18,${MARGIN.top + ih / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 13)
    .text(spec.yLabel)
  return withFont(d3n.svgString())
}

function isPowerOfTen(t: number): boolean {
  const l = Math.log10(t)
  return Math.abs(l - Math.round(l)) < 1e-9
}

/** On a log x axis keep the decades plus the swept values that are round (5k, 20k, 50k). */
function isDecadeOrMultiple(t: number, xs: number[]): boolean {
  return isPowerOfTen(t) || xs.some((v) => Math.abs(v - t) < 1e-9 * t)
}

function withFont(svg: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg.replace('<svg ', `<svg ${FONT} `)}\n`
}

/** The part of a d3 selection drawRules uses. */
interface Appendable {
  append(name: string): Attrs
}
interface Attrs {
  attr(name: string, value: string | number): Attrs
  text(value: string): Attrs
}

/** Horizontal reference lines (a budget, an anchor) across the plot, each labelled at its right end. */
function drawRules(
  g: Appendable,
  rules: ReadonlyArray<{ y: number; label: string }>,
  iw: number,
  y: (v: number) => number,
  style: { stroke: string; dash: string; fill: string },
): void {
  for (const r of rules) {
    g.append('line')
      .attr('x1', 0)
      .attr('x2', iw)
      .attr('y1', y(r.y))
      .attr('y2', y(r.y))
      .attr('stroke', style.stroke)
      .attr('stroke-dasharray', style.dash)
    g.append('text')
      .attr('x', iw - 4)
      .attr('y', y(r.y) - 4)
      .attr('text-anchor', 'end')
      .attr('font-size', 11)
      .attr('fill', style.fill)
      .text(r.label)
  }
}
