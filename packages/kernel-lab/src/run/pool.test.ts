import { isInputError } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { forwardCounts } from '../fit/counts'
import { summarize } from '../measure/stats'
import type { Measurement } from '../measure/types'
import { poolRaw } from './pool'
import { analyzeRaw } from './rawData'

const NOTES =
  'full sweep on 2 CPUs, Node v20.20.2; medians of several runs; 1-minute load average 1 at the start and 1 at the end; caches L1d 32 KiB, L2 512 KiB, L3 32768 KiB shared by 2 CPUs, 16-way (sysfs cpu0/cache)'

function point(size: number, runs: number[]): Measurement {
  return {
    experiment: 'packet-forward',
    backend: 'legacy',
    size,
    unit: 'ns',
    runs,
    summary: summarize(runs),
    counts: forwardCounts(size),
  }
}

function rawText(
  measurements: Measurement[],
  over: { date?: string; notes?: string; kernel?: string; verdicts?: unknown[] } = {},
): string {
  return JSON.stringify({
    provenance: {
      method: 'calibrate',
      kernel: over.kernel ?? '6.18.0-x',
      cpu: 'CPU',
      date: over.date ?? '2026-11-29T10:00:00.000Z',
      notes: over.notes ?? NOTES,
    },
    measurements,
    verdicts: over.verdicts ?? [],
  })
}

function refusal(f: () => unknown): Error {
  try {
    f()
  } catch (e) {
    expect(isInputError(e)).toBe(true)
    return e as Error
  }
  throw new Error('expected an InputError')
}

describe('poolRaw', () => {
  it('makes each input’s passes passes of one sweep: runs in input order, the summary over all of them', () => {
    const sizes = [100, 400, 1600]
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 4 }), {
            minLength: sizes.length,
            maxLength: sizes.length,
          }),
          { minLength: 2, maxLength: 4 },
        ),
        fc.integer({ min: 0, max: sizes.length - 1 }),
        (runsByInput, missing) => {
          // the last input lacks one point (a sweep taken before the lab measured it)
          const inputs = runsByInput.map((bySize, i) => ({
            source: `r${i}.json`,
            text: rawText(
              sizes
                .map((s, j) => point(s, bySize[j]))
                .filter((_, j) => i < runsByInput.length - 1 || j !== missing),
              { date: `2026-11-29T1${i}:00:00.000Z` },
            ),
          }))
          const pool = poolRaw(inputs)
          expect(pool.measurements.map((m) => m.size)).toEqual(sizes)
          for (const [j, m] of pool.measurements.entries()) {
            const runs = runsByInput.flatMap((bySize, i) =>
              i < runsByInput.length - 1 || j !== missing ? bySize[j] : [],
            )
            expect(m.runs).toEqual(runs)
            expect(m.summary).toEqual(summarize(runs))
          }
          expect(pool.provenance.date).toBe(`2026-11-29T1${runsByInput.length - 1}:00:00.000Z`)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('says which runs it pooled, keeps the first one’s verdicts and caches, and re-fits to the same profile', () => {
    const verdict = { case: 'ClusterIP, one endpoint' }
    // the newer run given first: the pool keeps its date and verdicts whatever the order
    const a = rawText([point(100, [800, 810]), point(400, [3200, 3180])])
    const b = rawText([point(100, [1000, 990]), point(400, [4000, 4100])], {
      date: '2026-11-29T12:00:00.000Z',
      verdicts: [verdict],
    })
    const pool = poolRaw([
      { source: 'b.json', text: b },
      { source: 'a.json', text: a },
    ])
    expect(pool.verdicts).toEqual([verdict])
    expect(pool.provenance.date).toBe('2026-11-29T12:00:00.000Z')
    expect(pool.provenance.notes).toBe(
      'full sweep on 2 CPUs, Node v20.20.2; pooled: the passes of 2 calibrations of this machine ' +
        '(2026-11-29T12:00:00.000Z, 2026-11-29T10:00:00.000Z) as one sweep, each point the median of all their ' +
        'runs; caches L1d 32 KiB, L2 512 KiB, L3 32768 KiB shared by 2 CPUs, 16-way (sysfs cpu0/cache)',
    )
    // (the verdict above is no VerdictResult: fitted without it)
    const fit = analyzeRaw(JSON.stringify({ ...pool, verdicts: [] }), 'pool.json')
    // the profile's notes are the pool's (the clause read back, not one run's load average)
    expect(fit.profile.provenance.notes).toBe(pool.provenance.notes)
    const perRule = fit.profile.constants['ipt.rule'].value
    const one = (t: string) =>
      analyzeRaw(JSON.stringify({ ...JSON.parse(t), verdicts: [] }), 'x.json').profile.constants['ipt.rule']
        .value
    expect(perRule).toBeGreaterThan(one(a))
    expect(perRule).toBeLessThan(one(b))
    // what --raw-dir writes for the pool re-fits to the same constants
    const again = analyzeRaw(
      JSON.stringify({ ...pool, verdicts: [], measurements: fit.measurements }),
      'raw.json',
    )
    expect(again.profile.constants).toEqual(fit.profile.constants)
  })

  it('refuses a run given twice, a run of the other sweep and one of another machine kind, naming the file', () => {
    const a = rawText([point(100, [800])])
    const input = (source: string, text: string) => ({ source, text })
    expect(refusal(() => poolRaw([input('a.json', a), input('again.json', a)])).message).toMatch(
      /same raw data as a\.json/,
    )
    const quick = rawText([point(100, [900])], { notes: `quick${NOTES.slice(4)}` })
    const q = refusal(() => poolRaw([input('a.json', a), input('q.json', quick)]))
    expect(q.message).toMatch(/expected a full calibration as a\.json is, got a quick one/)
    expect((q as Error & { source?: string }).source).toBe('q.json')
    const kernel = rawText([point(100, [900])], { kernel: '6.1.0-y' })
    expect(refusal(() => poolRaw([input('a.json', a), input('k.json', kernel)])).message).toMatch(
      /machine kind a\.json was measured on \(kernel 6\.18\.0-x.*got kernel 6\.1\.0-y/,
    )
    const l3 = rawText([point(100, [900])], { notes: NOTES.replace('L3 32768 KiB', 'L3 16384 KiB') })
    expect(refusal(() => poolRaw([input('a.json', a), input('l3.json', l3)])).message).toMatch(
      /L3 16777216 B/,
    )
  })
})
