/**
 * Exploratory (not part of a calibration): the packet sweeps at sizes between 10k and 50k, to see how the
 * per-rule cost of a walk grows once its rule entries exceed one CPU's share of the L3 — evidence for or
 * against a cache-level term for cold walks (session 5; the calibration has only 20k and 50k there). As root:
 *   npx tsx packages/kernel-lab/scripts/l3Probe.ts OUT.json          measure (three passes), then summarise
 *   npx tsx packages/kernel-lab/scripts/l3Probe.ts --summarize OUT.json   summarise an earlier run
 * L3_SIZES (first-packet services, default 0,10000,...,50000), L3_FORWARD (FORWARD rules, default the same) and
 * L3_RUNS (passes, default 3) change the plan; under `taskset -c 0` every process of the lab runs on one CPU.
 * Writes the raw measurements (the same Measurement records a calibration keeps) and OUT.md: per point the
 * passes' values and ns per rule walked.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { FULL_PLAN, type Measurement, runCalibration } from '../src/index'

const summarizeOnly = process.argv[2] === '--summarize'
const out = (summarizeOnly ? process.argv[3] : process.argv[2]) ?? '/tmp/l3probe.json'
const list = (v: string | undefined, d: number[]) => (v ? v.split(',').map(Number) : d)
const sizes = list(process.env.L3_SIZES, [0, 10_000, 20_000, 30_000, 40_000, 50_000])
const forwardRules = list(process.env.L3_FORWARD, sizes)
const runs = Number(process.env.L3_RUNS ?? 3)

if (!summarizeOnly) {
  const run = await runCalibration({
    parts: ['packet'],
    plan: { ...FULL_PLAN, runs, forwardRules, natServices: sizes },
    progress: (m) => process.stderr.write(`${m}\n`),
    // everything measured so far after each part: the fit at the end may find groups without their other sweeps
    checkpoint: (ms) => writeFileSync(`${out}.partial`, `${JSON.stringify({ measurements: ms }, null, 1)}\n`),
  })
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), measurements: run.measurements }, null, 1)}\n`,
  )
}

const raw = JSON.parse(readFileSync(out, 'utf8')) as { date?: string; measurements: Measurement[] }
const lines = [
  `# Packet sweeps between 10k and 50k rules (${raw.date ?? 'undated'})`,
  '',
  'Written by `packages/kernel-lab/scripts/l3Probe.ts` from the raw data beside it: extra ns over the sweep’s size 0, each pass’s value, and ns per rule walked (none matches: every rule is walked). Rule entries are 488 bytes in both tables, so 30k rules are 14.6 MB, 40k 19.5 MB, 50k 24.4 MB, against a 32 MiB L3 shared by two CPUs.',
  '',
  '| experiment | backend | rules | passes (µs) | median (µs) | ns per rule |',
  '|---|---|---:|---|---:|---:|',
]
for (const m of raw.measurements) {
  if (m.size === 0 || m.unit !== 'ns') continue
  const us = m.runs.map((v) => (v / 1000).toFixed(0)).join(' / ')
  lines.push(
    `| ${m.experiment} | ${m.backend} | ${m.size} | ${us} | ${(m.summary.median / 1000).toFixed(0)} | ${(m.summary.median / m.size).toFixed(1)} |`,
  )
}
writeFileSync(out.replace(/\.json$/, '.md'), `${lines.join('\n')}\n`)
process.stderr.write(`wrote ${out} and its summary\n`)
