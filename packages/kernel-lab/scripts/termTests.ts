// The restore and per-packet terms tested on pooled raw data (both calibrations of a pair, every run a row):
// can a term whose constant moves between calibrations be dropped? Prints Markdown.
// npx tsx packages/kernel-lab/scripts/termTests.ts reports/kernel/raw.json reports/kernel/rerun/raw.json
import { readFileSync } from 'node:fs'
import { fitGroups, groupOf, measuredIn, neutralCounts, packetKeys } from '../src/fit/calibrate'
import { restoreKeys } from '../src/fit/counts'
import { recount } from '../src/fit/recount'
import { dropOneTermTests } from '../src/fit/termTest'
import type { Measurement } from '../src/measure/types'
import { notedCaches } from '../src/run/rawData'

const files = process.argv.slice(2)
if (files.length === 0) throw new Error('usage: termTests.ts raw.json [raw.json ...]')
const raws = files.map((f) => JSON.parse(readFileSync(f, 'utf8')))
const measurements: Measurement[] = raws.flatMap((r) => recount(r.measurements))
// as calibrate --from-raw reads them: raw data older than the L3 sharing count takes this machine's
const caches = notedCaches(raws[0].provenance?.notes ?? '')
const out = [
  `Drop-one term tests on ${files.join(' + ')} pooled (every run a row; relative weights as the fit uses).`,
  'F: partial F for the dropped term (5 % critical value ≈ 4); ΔAIC > 0: the term earns its place.',
  'Per-packet groups: counts at the cache-resident size a fit of the pooled medians chooses (legacy: the L2).',
  '',
  '| group | term | rows | F | ΔAIC |',
  '|---|---|---:|---:|---:|',
]
// the groups' keys as the fit solves them (nft per-packet keys are neutral there), from one pooled fit
const fits = fitGroups(measurements, { caches })
for (const fit of fits) {
  if (fit.backend === 'bpf') continue
  const ms = measurements.filter((m) => groupOf(m)?.name === fit.name && !fit.excluded.includes(m))
  const rows = ms.flatMap((m) =>
    m.runs.map((v) => ({
      counts: neutralCounts(m, fit),
      y: measuredIn({ ...m, summary: { ...m.summary, median: v } }, fit.unit),
    })),
  )
  const keys =
    fit.unit === 's'
      ? restoreKeys(fit.backend as 'legacy' | 'nft')
      : packetKeys(fit.backend as 'legacy' | 'nft')
  for (const t of dropOneTermTests(rows, keys))
    out.push(`| ${fit.name} | \`${t.key}\` | ${rows.length} | ${t.f.toFixed(1)} | ${t.deltaAic.toFixed(1)} |`)
}
console.log(out.join('\n'))
