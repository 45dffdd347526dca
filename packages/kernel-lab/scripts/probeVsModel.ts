/**
 * A probe's measurements against profiles' models, out of sample (no calibration fitted them). PROBE.json is a
 * restoreProbe.ts run (legacy first packets per size: priced as the calibration's first-packet sweep counts its
 * walks, fit/walks.ts natFirstWalkShape) or an l3Probe.ts run (Measurement records of the packet sweeps:
 * recounted with today's models and priced as the report prices a calibration's points, recount.ts countsFor).
 * Each profile prices with its own constants; the table gives the error against the probe per point. Prints
 * Markdown.
 *   npx tsx packages/kernel-lab/scripts/probeVsModel.ts PROBE.json NAME=profile.json [NAME=profile.json ...]
 */
import { readFileSync } from 'node:fs'
import { type CostProfile, modelCost } from '@dataplane-sim/cluster'
import { walkCachesOf } from '@dataplane-sim/iptables-model'
import { countsFor, recount } from '../src/fit/recount'
import { natFirstWalkShape, walkShapeCounts } from '../src/fit/walks'
import type { Measurement } from '../src/measure/types'

interface ProbeRow {
  size: number
  ns: number
}
const [probePath, ...named] = process.argv.slice(2)
if (!probePath || named.length === 0) {
  process.stderr.write('usage: probeVsModel.ts PROBE.json NAME=profile.json [...]\n')
  process.exit(2)
}
const probe = JSON.parse(readFileSync(probePath, 'utf8')) as {
  backend?: string
  rows?: ProbeRow[]
  measurements?: Measurement[]
}
const profiles = named.map((s) => {
  const [name, path] = s.split('=')
  return { name, profile: JSON.parse(readFileSync(path, 'utf8')) as CostProfile }
})
const pct = (x: number, m: number) => `${x >= m ? '+' : ''}${(((x - m) / m) * 100).toFixed(1)}%`
const head = (first: string) => [
  `| ${first} | measured (µs) | ${profiles.map((p) => `${p.name} (µs) | error`).join(' | ')} |`,
  `|${first
    .split(' | ')
    .map((_, i) => (i < 2 ? '---' : '---:'))
    .join('|')}|---:|${profiles.map(() => '---:|---:').join('|')}|`,
]
const cells = (m: number, price: (p: CostProfile) => number) =>
  profiles
    .map((p) => {
      const x = price(p.profile) / 1000
      return `${x.toFixed(1)} | ${pct(x, m)}`
    })
    .join(' | ')
const lines: string[] = []
if (probe.rows) {
  if (probe.backend !== 'legacy')
    throw new Error(`${probePath}: expected a legacy probe, got ${probe.backend}`)
  lines.push(...head('services | batches').map((l) => l.replace('|---|---|', '|---:|---:|')))
  const sizes = [...new Set(probe.rows.map((r) => r.size))].sort((a, b) => a - b)
  for (const n of sizes) {
    const v = probe.rows.filter((r) => r.size === n).map((r) => r.ns / 1000)
    const m = v.reduce((a, b) => a + b, 0) / v.length
    const counts = (p: CostProfile) =>
      walkShapeCounts(natFirstWalkShape(n), 'legacy', walkCachesOf(p, 'legacy'))
    lines.push(`| ${n} | ${v.length} | ${m.toFixed(1)} | ${cells(m, (p) => modelCost(counts(p), p))} |`)
  }
} else if (probe.measurements) {
  lines.push(...head('experiment | backend | size'))
  for (const m of recount(probe.measurements)) {
    if (m.unit !== 'ns' || m.size === 0 || m.backend === 'bpf') continue
    const v = m.summary.median / 1000
    lines.push(
      `| ${m.experiment} | ${m.backend} | ${m.size} | ${v.toFixed(1)} | ${cells(v, (p) => modelCost(countsFor(m, p), p))} |`,
    )
  }
} else throw new Error(`${probePath}: expected restoreProbe rows or l3Probe measurements`)
process.stdout.write(`${lines.join('\n')}\n`)
