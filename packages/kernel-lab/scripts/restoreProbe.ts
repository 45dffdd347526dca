/**
 * Exploratory (not part of a calibration): is the pass-to-pass bimodality of legacy first packets near the L3
 * share (session 6: 30k 886/296/421/228 µs, 40k 954/1193/402/1026) a property of the restore — where the
 * kernel placed that table's fresh allocation (xt_alloc_table_info: kvmalloc, so each restore gets new pages,
 * physically indexed in the L3) — or of time (the host's other tenants)? Per size, R restores of the same
 * kube-proxy-shaped nat table; after each, B batches of new flows measured exactly as the calibration's
 * first-packet sweep does (conntrack flushed, lower-half mean of walking minus skipping flows), with no restore
 * between a restore's batches. Variance between restores far above that between batches of one restore says
 * placement; batches of one restore as far apart as restores says time. As root:
 *   npx tsx packages/kernel-lab/scripts/restoreProbe.ts OUT.json      (RP_SIZES, RP_RESTORES, RP_BATCHES)
 * Writes OUT.json (every batch with its restore, time and value) and OUT.md.
 */
import { writeFileSync } from 'node:fs'
import { FULL_PLAN } from '../src/index'
import { firstPacketBatch } from '../src/measure/packetSweep'
import { SKIP_PORT, startEcho } from '../src/measure/probe'
import { firstPacketTable } from '../src/rules/kubeProxyShape'
import { type IptablesBackend, resetNode, restore } from '../src/rules/restore'
import { Lab } from '../src/topology/lab'

const out = process.argv[2] ?? '/tmp/restoreProbe.json'
const list = (v: string | undefined, d: number[]) => (v ? v.split(',').map(Number) : d)
const sizes = list(process.env.RP_SIZES, [30_000, 40_000])
const restores = Number(process.env.RP_RESTORES ?? 8)
const batches = Number(process.env.RP_BATCHES ?? 3)
const backend = (process.env.RP_BACKEND ?? 'legacy') as IptablesBackend

interface Batch {
  size: number
  restore: number
  batch: number
  at: string
  ns: number
}
const rows: Batch[] = []
const lab = await Lab.create()
const stopEcho = await startEcho(lab)
try {
  // sizes interleaved restore by restore, so time drift falls on every size alike
  for (let r = 0; r < restores; r++)
    for (const size of sizes) {
      await resetNode(lab)
      await restore(lab, backend, firstPacketTable(size, SKIP_PORT))
      for (let b = 0; b < batches; b++) {
        const { ns } = await firstPacketBatch(lab, FULL_PLAN.newFlows)
        rows.push({ size, restore: r, batch: b, at: new Date().toISOString(), ns })
        process.stderr.write(`${size} restore ${r} batch ${b}: ${(ns / 1000).toFixed(0)} µs\n`)
      }
    }
} finally {
  stopEcho()
  lab.destroy()
}

// one-way ANOVA per size: share of the variance that lies between restores (intraclass correlation)
const lines = [
  `# Legacy first packets: between restores vs within a restore (${new Date().toISOString()})`,
  '',
  `Written by \`packages/kernel-lab/scripts/restoreProbe.ts\` (${backend}, ${restores} restores × ${batches} batches of ${FULL_PLAN.newFlows} new flows per size, sizes interleaved). ICC: the share of the batches' variance that lies between restores (1: a restore decides the cost; 0: time does).`,
  '',
  '| services | per restore: batches (µs) | mean within-restore SD (µs) | SD of restore means (µs) | ICC |',
  '|---:|---|---:|---:|---:|',
]
for (const size of sizes) {
  const groups = Array.from({ length: restores }, (_, r) =>
    rows.filter((x) => x.size === size && x.restore === r).map((x) => x.ns / 1000),
  )
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const grand = mean(groups.flat())
  const k = batches
  const msb = (k * groups.reduce((a, g) => a + (mean(g) - grand) ** 2, 0)) / (restores - 1)
  const msw =
    groups.reduce((a, g) => a + g.reduce((s, v) => s + (v - mean(g)) ** 2, 0), 0) / (restores * (k - 1))
  const icc = (msb - msw) / (msb + (k - 1) * msw)
  const sdWithin = Math.sqrt(msw)
  const sdMeans = Math.sqrt(groups.reduce((a, g) => a + (mean(g) - grand) ** 2, 0) / (restores - 1))
  lines.push(
    `| ${size} | ${groups.map((g) => g.map((v) => v.toFixed(0)).join('/')).join(' · ')} | ${sdWithin.toFixed(0)} | ${sdMeans.toFixed(0)} | ${icc.toFixed(2)} |`,
  )
}
writeFileSync(out, `${JSON.stringify({ backend, restores, batches, rows }, null, 1)}\n`)
writeFileSync(out.replace(/\.json$/, '.md'), `${lines.join('\n')}\n`)
process.stderr.write(`${lines.join('\n')}\n`)
