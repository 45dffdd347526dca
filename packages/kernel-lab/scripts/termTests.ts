// The restore and per-packet terms tested on pooled raw data (both calibrations of a pair, every run a row):
// can a term whose constant moves between calibrations be dropped? Prints Markdown.
// npx tsx packages/kernel-lab/scripts/termTests.ts reports/kernel/raw.json reports/kernel/rerun/raw.json
import { readFileSync } from 'node:fs'
import { groupOf, measuredIn } from '../src/fit/calibrate'
import { restoreKeys } from '../src/fit/counts'
import { recount } from '../src/fit/recount'
import { dropOneTermTests } from '../src/fit/termTest'

const files = process.argv.slice(2)
if (files.length === 0) throw new Error('usage: termTests.ts raw.json [raw.json ...]')
const measurements = files.flatMap((f) => recount(JSON.parse(readFileSync(f, 'utf8')).measurements))
const out = [
  `Drop-one term tests on ${files.join(' + ')} pooled (every run a row; relative weights as the fit uses).`,
  'F: partial F for the dropped term (5 % critical value ≈ 4); ΔAIC > 0: the term earns its place.',
  '',
  '| group | term | rows | F | ΔAIC |',
  '|---|---|---:|---:|---:|',
]
for (const backend of ['legacy', 'nft'] as const) {
  const ms = measurements.filter(
    (m) => m.backend === backend && groupOf(m)?.name === `iptables-${backend}-restore`,
  )
  const rows = ms.flatMap((m) =>
    m.runs.map((v) => ({
      counts: m.counts,
      y: measuredIn({ ...m, summary: { ...m.summary, median: v } }, 's'),
    })),
  )
  for (const t of dropOneTermTests(rows, restoreKeys(backend)))
    out.push(
      `| iptables-${backend}-restore | \`${t.key}\` | ${rows.length} | ${t.f.toFixed(1)} | ${t.deltaAic.toFixed(1)} |`,
    )
}
console.log(out.join('\n'))
