/** Figures for people: units chosen so a number has 1–3 digits before the point. */

export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return '—'
  const a = Math.abs(ns)
  if (a >= 1e9) return `${sig(ns / 1e9)} s`
  if (a >= 1e6) return `${sig(ns / 1e6)} ms`
  if (a >= 1e3) return `${sig(ns / 1e3)} µs`
  return `${sig(ns)} ns`
}

export function fmtSeconds(s: number): string {
  return fmtNs(s * 1e9)
}

export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = b
  let i = 0
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${i === 0 ? v : sig(v)} ${units[i]}`
}

export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return '—'
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r) || r <= 0) return '—'
  return `${r >= 100 ? Math.round(r) : sig(r)}×`
}

export function fmtPct(p: number): string {
  if (!Number.isFinite(p)) return '—'
  return `${p >= 0 ? '+' : ''}${p.toFixed(Math.abs(p) < 10 ? 1 : 0)} %`
}

/** Three significant digits without trailing zeros. */
export function sig(v: number): string {
  return `${+v.toPrecision(3)}`
}

/** A GitHub-flavoured Markdown table; `align` per column ('l' | 'r'), numbers right-aligned by default. */
export function mdTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  align?: string,
): string {
  const al = headers.map((_, i) => align?.[i] ?? (i === 0 ? 'l' : 'r'))
  const esc = (s: string) => s.replace(/\|/g, '\\|')
  const lines = [
    `| ${headers.map(esc).join(' | ')} |`,
    `|${al.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ]
  return `${lines.join('\n')}\n`
}

/** A plain-text table for the terminal (fixed-width columns). */
export function textTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return `${[line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')}\n`
}
