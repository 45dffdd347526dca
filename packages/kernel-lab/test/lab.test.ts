/**
 * The lab's quick validation on the real kernel: a small calibration sweep, the differential verdicts and the
 * clean-up guarantees. Needs root and the lab's tools; skipped, with the reason in the test name, otherwise.
 */
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { preflight } from '../src/env/preflight'
import { QUICK_PLAN, type SweepPlan } from '../src/measure/types'
import { runCalibration } from '../src/run/runCalibration'
import { Lab } from '../src/topology/lab'
import { runVerdicts } from '../src/verdict/differential'
import { iptablesVerdictModel } from '../src/verdict/iptablesVerdictModel'
import { LAB_NODE, labCluster } from '../src/verdict/labCluster'

const pf = preflight()
const skip = !pf.ok
const why = skip ? ` (skipped: ${pf.reason})` : ''

const TEST_PLAN: SweepPlan = {
  ...QUICK_PLAN,
  runs: 2,
  restoreServices: [100, 400],
  renderedServices: [200],
  forwardRules: [0, 300, 1500],
  natServices: [0, 500],
  bpfEntries: [0, 2000],
  bpfBatch: [1000],
  pings: 300,
  newFlows: 60,
  verdictPackets: { deterministic: 5, random: 200 },
  placements: { restores: 2, from: 500 },
}

function labNamespaces(): string[] {
  return (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .filter((l) => l.startsWith('dpsim-'))
}

describe('kernel lab on the real kernel', () => {
  it.skipIf(skip)(
    `fits positive constants from a small sweep and leaves no namespace behind${why}`,
    async () => {
      const r = await runCalibration({
        plan: TEST_PLAN,
        quick: true,
        parts: ['restore', 'rendered', 'packet', 'bpf'],
      })
      const c = r.profile.constants
      for (const [key, k] of Object.entries(c)) expect(k.value, key).toBeGreaterThanOrEqual(0)
      // strong signals only: a few noisy points may pin a collinear restore term at zero, never these
      for (const key of ['ipt.rule', 'ipt.rule:nft', 'bpf.lookup.hash'])
        expect(c[key]?.value, key).toBeGreaterThan(0)
      for (const row of r.report.rows.filter((x) => x.experiment.startsWith('restore')))
        expect(row.modeled.calibrated.value, `${row.experiment} ${row.backend} ${row.size}`).toBeGreaterThan(
          0,
        )
      expect(r.profile.provenance).toMatchObject({ method: 'calibrate' })
      // the real renderer's output loads on both backends
      expect(r.measurements.filter((x) => x.experiment === 'restore-rendered').map((x) => x.backend)).toEqual(
        ['legacy', 'nft'],
      )
      expect(r.profile.provenance.kernel).toMatch(/\d+\.\d+/)
      // rules cost time on the packet path: 1500 of them add to every round trip, on both backends
      for (const backend of ['legacy', 'nft']) {
        const m = r.measurements.find(
          (x) => x.experiment === 'packet-forward' && x.backend === backend && x.size === 1500,
        )
        expect(m?.summary.median, backend).toBeGreaterThan(0)
      }
      // every new flow of the persistent sender came back from the echo agent, on both backends
      const first = r.measurements.filter((x) => x.experiment === 'packet-nat-first')
      expect(first.map((x) => x.backend)).toEqual(['legacy', 'nft'])
      for (const m of first) expect(m.notes?.lost, m.backend).toBe(0)
      // legacy's point from the placement size on averaged two fresh restores a pass; nft's one
      const placements = (experiment: string, backend: string, size: number) =>
        r.measurements.find((x) => x.experiment === experiment && x.backend === backend && x.size === size)
          ?.notes?.placements
      expect(placements('packet-nat-first', 'legacy', 500)).toBe(2)
      expect(placements('packet-nat-first', 'nft', 500)).toBe(1)
      expect(placements('packet-forward', 'legacy', 1500)).toBe(2)
      expect(placements('packet-forward', 'legacy', 300)).toBe(1)
      // the tc program really ran on the lab's packets, and its lookups hit
      const bpf = r.measurements.find((x) => x.experiment === 'packet-bpf' && x.size === 2000)
      expect(Number(bpf?.notes?.hits)).toBeGreaterThan(0)
      expect(r.report.markdown).toContain('## Model vs real kernel')
      expect(labNamespaces().filter((n) => n.startsWith(`dpsim-${process.pid}-`))).toEqual([])
    },
    240_000,
  )

  it.skipIf(skip)(
    `agrees with the model on every verdict case, legacy and nft${why}`,
    async () => {
      const lab = await Lab.create()
      try {
        const { cluster, cases } = labCluster()
        for (const backend of ['legacy', 'nft'] as const) {
          const results = await runVerdicts(
            lab,
            backend,
            iptablesVerdictModel(cluster, LAB_NODE),
            cases,
            TEST_PLAN.verdictPackets,
          )
          for (const r of results)
            expect(r.agree, `${backend} ${r.case.name}: ${JSON.stringify(r.checks)}`).toBe(true)
          expect(results.map((r) => r.kernel.verdict)).toEqual([
            'forward',
            'forward',
            'forward',
            'reject',
            'drop',
            'forward',
            'drop',
          ])
          // the three-endpoint service reached all three backends, and only them
          expect(Object.keys(results[1].kernel.backends)).toHaveLength(3)
        }
      } finally {
        lab.destroy()
      }
    },
    120_000,
  )

  it.skipIf(skip)(
    `removes its namespaces when the process is killed with SIGTERM${why}`,
    async () => {
      const script = join(tmpdir(), `dpsim-lab-sigterm-${process.pid}.mts`)
      writeFileSync(
        script,
        `import { Lab } from ${JSON.stringify(join(import.meta.dirname, '../src/topology/lab'))}\n` +
          `const lab = await Lab.create()\nprocess.stdout.write(lab.plan.prefix + '\\n')\nsetInterval(() => {}, 1000)\n`,
      )
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: join(import.meta.dirname, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const prefix = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString()
          if (out.includes('\n')) resolve(out.trim())
        })
        child.on('exit', (code) => reject(new Error(`lab process exited ${code}`)))
      })
      expect(labNamespaces().filter((n) => n.startsWith(prefix))).toHaveLength(3)
      const exited = new Promise((r) => child.on('exit', r))
      child.kill('SIGTERM')
      await exited
      expect(labNamespaces().filter((n) => n.startsWith(prefix))).toEqual([])
    },
    60_000,
  )
})
