import { isInputError } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { forwardCounts } from '../fit/counts'
import { summarize } from '../measure/stats'
import type { Measurement } from '../measure/types'
import { analyzeRaw, compareRaw, notedCaches } from './rawData'

const runs = [800, 810, 790]
const m: Measurement = {
  experiment: 'packet-forward',
  backend: 'legacy',
  size: 100,
  unit: 'ns',
  runs,
  summary: summarize(runs),
  counts: forwardCounts(100),
}
const raw = JSON.stringify({
  provenance: {
    method: 'calibrate',
    kernel: '6.18.0-x',
    cpu: 'CPU',
    date: '2026-11-28T00:00:00Z',
    notes:
      'full sweep on 2 CPUs, Node v20.20.2; medians of several runs; 1-minute load average 3.5 at the start and 4.25 at the end',
  },
  measurements: [m],
  verdicts: [],
})

describe('analyzeRaw', () => {
  it('re-fits a saved run and keeps its provenance', () => {
    const r = analyzeRaw(raw, 'reports/kernel/raw.json')
    expect(r.profile.constants['ipt.rule'].value).toBeCloseTo(4, 5)
    expect(r.profile.provenance).toMatchObject({
      kernel: '6.18.0-x',
      cpu: 'CPU',
      data: 'reports/kernel/raw.json',
    })
    expect(r.profile.provenance.notes).toMatch(/load average 3.5 at the start and 4.25 at the end/)
  })

  it('completes the profile with the models’ constants for what the lab does not measure, saying so', () => {
    const c = analyzeRaw(raw, 'raw.json').profile.constants
    expect(c['ct.lookup'].source).toMatch(/^not measured by the kernel lab; model default/)
    expect(c['ipt.rule'].source).toMatch(/^dpsim calibrate/)
  })

  it('rejects a file that is not raw data, naming it', () => {
    let err: unknown
    try {
      analyzeRaw('{"measurements": 3}', 'x.json')
    } catch (e) {
      err = e
    }
    expect(isInputError(err)).toBe(true)
    expect((err as Error).message).toMatch(/measurements/)
    expect(() => analyzeRaw('not json', 'y.json')).toThrow(/expected raw.json/)
  })
})

/** raw.json of a FORWARD sweep at `perRule` ns a rule, each point's passes ±`noise` around it */
const sweep = (perRule: number, noise = 0.03) =>
  JSON.stringify({
    measurements: [100, 400, 1600].map((n): Measurement => {
      const r = [1 - noise, 1, 1 + noise].map((f) => 2 * n * perRule * f)
      return {
        experiment: 'packet-forward',
        backend: 'legacy',
        size: n,
        unit: 'ns',
        runs: r,
        summary: summarize(r),
        counts: forwardCounts(n),
      }
    }),
  })

describe('compareRaw (dpsim calibrate --from-raw A --compare-raw B)', () => {
  it('finds a run’s constants inside its own spread', () => {
    const c = compareRaw({ text: sweep(6), source: 'A' }, { text: sweep(6), source: 'A again' })
    expect(c.rows.find((r) => r.key === 'ipt.rule')).toMatchObject({ within: true, overlap: true })
    expect(c.markdown).toContain('# Rerun check: A again against A')
    expect(c.markdown).toContain('## Rerun check: B against A')
    expect(c.markdown).toContain('## Rerun check: A against B')
    expect(c.reverse.rows.find((r) => r.key === 'ipt.rule')).toMatchObject({ within: true })
    expect(c.markdown).toContain('dpsim calibrate --from-raw A --compare-raw A again -o README.md')
    expect(c.markdown).toContain('## Run B’s measurements priced by both profiles')
  })

  it('flags a second run whose per-rule cost moved', () => {
    const c = compareRaw({ text: sweep(6), source: 'A' }, { text: sweep(9), source: 'B' })
    const rule = c.rows.find((r) => r.key === 'ipt.rule')!
    expect(rule.a).toBeCloseTo(6, 1)
    expect(rule.b).toBeCloseTo(9, 1)
    expect(rule.within).toBe(false)
    expect(c.markdown).toMatch(/\| `ipt.rule` \| 6(\.\d+)? \| 9(\.\d+)? \| .* \| no \|/)
  })
})

describe('compareRaw --history: the check with the between-run spread', () => {
  // each run's level moved as a whole (a slower or faster host), little noise inside a run
  const level = (perRule: number) => sweep(perRule, 0.005)
  const history = [5.4, 6.7, 5.8, 6.9].map((v, i) => ({ text: level(v), source: `H${i}.json` }))

  it('finds a second run at another level outside the one-run intervals and inside the widened ones', () => {
    const c = compareRaw({ text: level(6), source: 'A' }, { text: level(6.6), source: 'B' }, 'R.md', history)
    expect(c.rows.find((r) => r.key === 'ipt.rule')?.within).toBe(false)
    const widened = c.betweenRuns?.forward.rows.find((r) => r.key === 'ipt.rule')
    expect(widened).toMatchObject({ within: true })
    expect(c.betweenRuns?.spreadA.find((b) => b.key === 'ipt.rule')).toMatchObject({ runs: 5 })
    expect(c.markdown).toContain(
      '--compare-raw B --history H0.json --history H1.json --history H2.json --history H3.json -o R.md',
    )
    expect(c.markdown).toContain('## Between calibrations')
    expect(c.markdown).toContain('## Rerun check with the between-run spread: A against B')
    expect(c.markdown).toMatch(/- run H4: `H3.json`/)
  })

  it('still flags a run far outside what the history moved', () => {
    const c = compareRaw({ text: level(6), source: 'A' }, { text: level(12), source: 'B' }, 'R.md', history)
    expect(c.betweenRuns?.forward.rows.find((r) => r.key === 'ipt.rule')?.within).toBe(false)
  })

  it('refuses a history run of the other sweep (quick among full runs), naming the file', () => {
    const quick = JSON.stringify({
      ...JSON.parse(level(6.3)),
      provenance: { method: 'calibrate', notes: 'quick sweep on 2 CPUs' },
    })
    expect(() =>
      compareRaw({ text: level(6), source: 'A' }, { text: level(6.6), source: 'B' }, 'R.md', [
        ...history,
        { text: quick, source: 'q.json' },
      ]),
    ).toThrow(/expected a full calibration as run A \(A\) is, got a quick one/)
  })

  it('refuses a history run that is run A or B, naming the file', () => {
    expect(() =>
      compareRaw({ text: level(6), source: 'A' }, { text: level(7), source: 'B' }, 'R.md', [
        { text: level(7), source: 'copy-of-B.json' },
      ]),
    ).toThrow(/other than run B \(B\)/)
    let err: unknown
    try {
      compareRaw({ text: level(6), source: 'A' }, { text: level(7), source: 'B' }, 'R.md', [
        { text: level(6), source: 'a.json' },
      ])
    } catch (e) {
      err = e
    }
    expect(isInputError(err) && (err as { source?: string }).source).toBe('a.json')
  })
})

describe('notedCaches: the cache sizes a raw file was fitted with', () => {
  const here = { l1d: 32 * 1024, l2: 512 * 1024, l3: 32 * 2 ** 20, l3Shared: 2 }
  const old = '; caches L1d 32 KiB, L2 512 KiB, L3 32768 KiB (sysfs cpu0/cache)'

  it('reads the CPUs sharing the L3 from the provenance when it recorded them', () => {
    expect(notedCaches(`${old.replace('KiB (', 'KiB shared by 4 CPUs (')}`, here).l3Shared).toBe(4)
  })

  it('takes this machine’s sharing count for older raw data of the same L3 size, and not for another size', () => {
    expect(notedCaches(old, here)).toEqual(here)
    expect(notedCaches(old.replace('32768', '16384'), here).l3Shared).toBeUndefined()
  })

  it('reads the L3’s ways when recorded, and takes this machine’s for older raw data of the same L3 only', () => {
    const withWays = { ...here, l3Ways: 16 }
    expect(notedCaches(old.replace('KiB (', 'KiB shared by 2 CPUs, 12-way ('), withWays).l3Ways).toBe(12)
    expect(notedCaches(old, withWays).l3Ways).toBe(16)
    expect(notedCaches(old.replace('32768', '16384'), withWays).l3Ways).toBeUndefined()
  })

  it('takes this machine’s caches for raw data that recorded none', () => {
    expect(notedCaches('full sweep on 2 CPUs', here)).toEqual(here)
  })
})
