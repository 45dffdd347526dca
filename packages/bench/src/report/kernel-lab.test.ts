import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CostProfile, InputError } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { fakeBuilders } from '../../test/fakes'
import { runCli } from '../cli/program'
import { validateJson } from './json-schema'
import { kernelLabSection } from './kernel-lab'
import { kernelLabCharts } from './kernel-lab-charts'
import { kernelLabMarkdown, kernelLabSummaryLine } from './kernel-lab-readme'
import { buildReport, resultsSchema } from './run'

const dir = mkdtempSync(join(tmpdir(), 'dpsim-kernel-section-'))

/** A profile pricing only the listed constants (seconds per count). */
function profile(name: string, constants: Record<string, number>): CostProfile {
  return {
    schemaVersion: 1,
    name,
    description: `${name} test profile`,
    provenance: { method: 'anchors' },
    constants: Object.fromEntries(
      Object.entries(constants).map(([k, value]) => [k, { value, unit: 's', source: 'test' }]),
    ),
  }
}

// every restore costs exactly one invocation under these profiles: modeled = 1 s (report) and 2 s (calibrated)
const report = profile('report', { 'restore.legacy.invocation': 1, 'restore.nft.invocation': 1 })
const calibrated = profile('calibrated', {
  'restore.legacy.invocation': 2,
  'restore.nft.invocation': 2,
  'restore.nft.line': 0,
})

function point(experiment: string, backend: string, size: number, median: number, spread = 0.1) {
  return {
    experiment,
    backend,
    size,
    unit: 's',
    runs: [median],
    summary: { n: 1, median, p10: median, p90: median, min: median, max: median, spread },
    counts: { [`restore.${backend}.invocation`]: 1 },
  }
}

function rawFile(name: string, measurements: unknown[]): string {
  const path = join(dir, name)
  const provenance = {
    method: 'calibrate',
    kernel: '6.1-test',
    cpu: 'Test CPU',
    date: '2026-01-01',
    notes: 'quiet',
  }
  writeFileSync(path, JSON.stringify({ provenance, measurements, verdicts: [] }, null, 2))
  return path
}

const RAW = rawFile('raw.json', [
  point('restore-full', 'legacy', 100, 0.1), // outside 1k–50k: +900 % must not count as the worst error
  point('restore-full', 'legacy', 1000, 0.5),
  point('restore-full', 'legacy', 10000, 2, 0.25),
  point('restore-one-rule', 'nft', 1000, 1.25),
  point('restore-rendered', 'legacy', 1000, 3),
])

describe('kernelLabSection', () => {
  const s = kernelLabSection({ rawPath: RAW, displayPath: 'lab/raw.json', reportProfile: report, calibrated })

  it('sets measured beside each profile at every size with error = (modeled − measured) / measured', () => {
    expect(s.status).toBe('present')
    expect(s.profiles.map((p) => [p.name, p.role])).toEqual([
      ['report', 'report'],
      ['calibrated', 'calibrated'],
    ])
    const full = s.rows.filter((r) => r.experiment === 'restore-full')
    expect(full.map((r) => [r.size, r.measured, r.spread])).toEqual([
      [100, 0.1, 0.1],
      [1000, 0.5, 0.1],
      [10000, 2, 0.25],
    ])
    expect(full[1].modeled.report.value).toBeCloseTo(1)
    expect(full[1].modeled.report.error).toBeCloseTo(1)
    expect(full[2].modeled.report.error).toBeCloseTo(-0.5)
    expect(full[2].modeled.calibrated.error).toBeCloseTo(0)
  })

  it('takes the worst |error| over 1k–50k only, per table and overall', () => {
    const t = s.tables.find((x) => x.experiment === 'restore-full' && x.backend === 'legacy')!
    expect(t.worstError.report).toBeCloseTo(1)
    expect(t.worstError.calibrated).toBeCloseTo(3)
    const nft = s.tables.find((x) => x.experiment === 'restore-one-rule')!
    expect(nft.worstError.report).toBeCloseTo(0.2)
    expect(s.worstError.report).toBeCloseTo(1)
    expect(s.worstError.calibrated).toBeCloseTo(3)
  })

  it('names the constants one profile lacks that the other has, and leaves the rendered restores out', () => {
    const nft = s.tables.find((x) => x.experiment === 'restore-one-rule')!
    expect(nft.missingConstants.report).toEqual(['restore.nft.line'])
    expect(nft.missingConstants.calibrated).toEqual([])
    expect(s.rows.some((r) => r.experiment === 'restore-rendered')).toBe(false)
    expect(s.omitted.join()).toMatch(/restore-rendered/)
  })

  it('renders the section: provenance, worst errors, a table per experiment with spread and error %', () => {
    const md = kernelLabMarkdown({ ...s, charts: ['kernel-restore-legacy.svg'] })
    expect(md).toContain('## Kernel lab: model vs measured')
    expect(md).toContain('Linux 6.1-test, Test CPU, on 2026-01-01: quiet.')
    expect(md).toContain('worst |error| with `report` over 1,000–50,000, every table below')
    expect(md).toContain('**100.0 %**')
    expect(md).toContain('](charts/kernel-restore-legacy.svg)')
    expect(md).toContain('| 10,000 | 2 s | 25 % | 1 s | -50 % | 2 s | +0.0 % |')
    expect(md).toContain('| 1,000 | 500 ms | 10 % | 1 s | +100 % | 2 s | +300 % |')
    expect(md).toMatch(/Outside ±25 % with `calibrated` at 1,000:/)
    expect(md).toMatch(/`report` has no constant for `restore\.nft\.line`/)
    expect(kernelLabSummaryLine(s)).toBe(
      'kernel lab (lab/raw.json): worst |error| over 1,000–50,000: report 100.0 %, calibrated 300.0 %',
    )
  })

  it('draws restore charts with a measured line and one modeled line per profile', () => {
    const charts = kernelLabCharts(s)
    expect([...charts.keys()].sort()).toEqual(['kernel-restore-legacy.svg', 'kernel-restore-nft.svg'])
    const svg = charts.get('kernel-restore-legacy.svg')!
    const wanted = [
      'whole table — measured',
      'whole table — report model',
      'whole table — calibrated model',
      'services in the nat table — log scale',
      'restore command time (s)',
    ]
    expect(wanted.filter((text) => !svg.includes(text))).toEqual([])
  })

  it('validates against the kernelLab part of results.schema.json, and the schema rejects a broken row', () => {
    const schema = resultsSchema()
    const part = { $ref: '#/$defs/kernelLab' }
    expect(validateJson(JSON.parse(JSON.stringify(s)), part, schema)).toEqual([])
    const broken = JSON.parse(JSON.stringify(s))
    delete broken.rows[0].measured
    broken.rows[1].modeled.report.error = 'big'
    expect(validateJson(broken, part, schema).map((e) => e.path)).toEqual([
      '$.rows[0]',
      '$.rows[1].modeled.report.error',
    ])
  })
})

describe('kernelLabSection without data', () => {
  it('says how to produce the data and draws nothing when raw.json is absent', () => {
    const s = kernelLabSection({ rawPath: join(dir, 'none.json'), reportProfile: report, calibrated: null })
    expect(s.status).toBe('absent')
    expect(s.rows).toEqual([])
    expect(kernelLabCharts(s).size).toBe(0)
    expect(validateJson(s, { $ref: '#/$defs/kernelLab' }, resultsSchema())).toEqual([])
    const md = kernelLabMarkdown(s)
    expect(md).toContain('No kernel-lab measurements at')
    expect(kernelLabSummaryLine(s)).toMatch(/^kernel lab: no measurements at .*none\.json/)
    expect(md).toContain('--raw-dir reports/kernel/pooled -o packages/bench/profiles/calibrated.json')
  })

  it('rejects a malformed raw.json with the line of the bad measurement', () => {
    const bad = rawFile('bad.json', [
      point('restore-full', 'legacy', 1000, 0.5),
      { ...point('restore-full', 'legacy', 1, 1), backend: 'ebpf' },
    ])
    let err: unknown
    try {
      kernelLabSection({ rawPath: bad, reportProfile: report, calibrated: null })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).message).toMatch(/measurement 1: expected "backend" legacy, nft or bpf/)
    expect((err as InputError).line).toBeGreaterThan(20)
  })
})

describe('buildReport with kernel-lab data beside reports/bench', () => {
  it('adds the section, its charts and results.kernelLab, and results.json still validates', () => {
    const reports = join(dir, 'reports')
    // the default place: the pooled data the shipped profile is fitted to
    mkdirSync(join(reports, 'kernel', 'pooled'), { recursive: true })
    writeFileSync(join(reports, 'kernel', 'pooled', 'raw.json'), readFileSync(RAW))
    const { results, files } = buildReport({
      config: {
        mode: 'quick',
        services: [20, 200],
        endpoints: 2,
        variations: [],
        timing: { timeMs: 1, iterations: 2, updateBudgetMs: 1 },
        packets: 4,
        churn: { rates: [1], services: [100, 1000], durationSeconds: 10 },
        plan: { services: 50, endpoints: 2 },
      },
      seed: 1,
      profile: report,
      builders: fakeBuilders,
      progress: false,
      benchDir: join(reports, 'bench'),
      kernelLab: { calibrated },
    })
    expect(results.kernelLab.status).toBe('present')
    expect(results.kernelLab.charts).toEqual(['kernel-restore-legacy.svg', 'kernel-restore-nft.svg'])
    expect(files.has('charts/kernel-restore-nft.svg')).toBe(true)
    expect(files.get('README.md')).toMatch(
      /## Kernel lab: model vs measured\n\n[\s\S]*## Benchmarks recorded/,
    )
    expect(validateJson(JSON.parse(files.get('results.json')!), resultsSchema())).toEqual([])
  })
})

describe('dpsim report --kernel-raw', () => {
  it('exits 2 naming the flag when the file does not exist, before running any suite', async () => {
    const errors: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((t: string) => errors.push(t) > 0) as unknown as typeof process.stderr.write
    try {
      expect(
        await runCli(['report', '--kernel-raw', join(dir, 'missing.json'), '--out', join(dir, 'r')]),
      ).toBe(2)
    } finally {
      process.stderr.write = write
    }
    expect(errors.join('')).toMatch(/--kernel-raw: no such file .*missing\.json/)
  })
})
