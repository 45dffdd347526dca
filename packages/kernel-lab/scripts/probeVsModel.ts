/**
 * A restoreProbe.ts run (legacy first packets per size) against profiles' models, out of sample: each profile
 * prices the same walks the calibration's first-packet sweep counts (fit/walks.ts natFirstWalkShape) with its
 * own constants, and the table gives the error against the probe's mean per size. Prints Markdown.
 *   npx tsx packages/kernel-lab/scripts/probeVsModel.ts PROBE.json NAME=profile.json [NAME=profile.json ...]
 */
import { readFileSync } from 'node:fs'
import { type CostProfile, modelCost } from '@dataplane-sim/cluster'
import { walkCachesOf } from '@dataplane-sim/iptables-model'
import { natFirstWalkShape, walkShapeCounts } from '../src/fit/walks'

interface ProbeRow {
  size: number
  ns: number
}
const [probePath, ...named] = process.argv.slice(2)
if (!probePath || named.length === 0) {
  process.stderr.write('usage: probeVsModel.ts PROBE.json NAME=profile.json [...]\n')
  process.exit(2)
}
const probe = JSON.parse(readFileSync(probePath, 'utf8')) as { backend: string; rows: ProbeRow[] }
if (probe.backend !== 'legacy') throw new Error(`${probePath}: expected a legacy probe, got ${probe.backend}`)
const profiles = named.map((s) => {
  const [name, path] = s.split('=')
  return { name, profile: JSON.parse(readFileSync(path, 'utf8')) as CostProfile }
})
const modeled = (p: CostProfile, n: number) =>
  modelCost(walkShapeCounts(natFirstWalkShape(n), 'legacy', walkCachesOf(p, 'legacy')), p) / 1000
const sizes = [...new Set(probe.rows.map((r) => r.size))].sort((a, b) => a - b)
const pct = (x: number, m: number) => `${x >= m ? '+' : ''}${(((x - m) / m) * 100).toFixed(1)}%`
const lines = [
  `| services | measured mean (µs) | batches | ${profiles.map((p) => `${p.name} (µs) | error`).join(' | ')} |`,
  `|---:|---:|---:|${profiles.map(() => '---:|---:').join('|')}|`,
]
for (const n of sizes) {
  const v = probe.rows.filter((r) => r.size === n).map((r) => r.ns / 1000)
  const m = v.reduce((a, b) => a + b, 0) / v.length
  const cells = profiles.map((p) => {
    const x = modeled(p.profile, n)
    return `${x.toFixed(1)} | ${pct(x, m)}`
  })
  lines.push(`| ${n} | ${m.toFixed(1)} | ${v.length} | ${cells.join(' | ')} |`)
}
process.stdout.write(`${lines.join('\n')}\n`)
