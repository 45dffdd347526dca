import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateJson } from '../src/report/json-schema'
import { buildReport, resultsSchema, runReport } from '../src/report/run'
import type { SuiteConfig } from '../src/suites/config'
import { fakeBuilders, fakeProfile } from './fakes'

const tiny: SuiteConfig = {
  mode: 'quick',
  services: [20, 200],
  endpoints: 2,
  variations: [{ services: 20, endpoints: 5, policies: 4 }],
  timing: { timeMs: 1, iterations: 2, updateBudgetMs: 1 },
  packets: 4,
  churn: { rates: [1, 20], services: [100, 1000, 100_000], durationSeconds: 30 },
  plan: { services: 50, endpoints: 2 },
}

describe('buildReport (fake dataplanes)', () => {
  const { results, files } = buildReport({
    config: tiny,
    seed: 7,
    profile: fakeProfile,
    builders: fakeBuilders,
    progress: false,
    benchDir: join(tmpdir(), 'dpsim-no-such-dir'),
    now: () => new Date('2026-11-28T12:00:00Z'),
  })

  it('writes results.json that validates against results.schema.json', () => {
    const json = JSON.parse(files.get('results.json')!)
    expect(validateJson(json, resultsSchema())).toEqual([])
    expect(json.schemaVersion).toBe(2)
  })

  it('detects a results.json that breaks the schema', () => {
    const json = JSON.parse(files.get('results.json')!)
    json.scaling[0].iptables.match[0].kind = 'sometimes'
    delete json.plan.verdict
    const errors = validateJson(json, resultsSchema())
    expect(errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['$.scaling[0].iptables.match[0].kind', '$.plan']),
    )
  })

  it('writes the README, results.json and the five charts', () => {
    expect([...files.keys()].sort()).toEqual([
      'README.md',
      'charts/bpf-map-use.svg',
      'charts/first-packet.svg',
      'charts/gap.svg',
      'charts/programming-latency.svg',
      'charts/update-cost.svg',
      'results.json',
    ])
  })

  it('says in the README what was run, the summary, the churn limits, the plan and the anchors', () => {
    const md = files.get('README.md')!
    for (const s of [
      '## What was run',
      'dpsim report --quick --seed 7 --profile fake',
      '## Summary',
      '## Programming latency under churn',
      '## Capacity plan',
      '## Anchors: the model beside real measurements',
      '## How to read this',
      '![first-packet latency vs services](charts/first-packet.svg)',
    ]) {
      expect(md).toContain(s)
    }
    expect(results.churn.points).toHaveLength(6)
    expect(results.anchors.length).toBeGreaterThan(20)
  })
})

describe('runReport', () => {
  it('writes the directory and returns a summary table', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dpsim-rep-')), 'r')
    const { summary } = runReport({
      config: tiny,
      seed: 1,
      profile: fakeProfile,
      builders: fakeBuilders,
      progress: false,
      out,
    })
    expect(readdirSync(out).sort()).toEqual(['README.md', 'charts', 'results.json'])
    expect(summary.split('\n')[0]).toMatch(/^services/)
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).run.seed).toBe(1)
  })
})
