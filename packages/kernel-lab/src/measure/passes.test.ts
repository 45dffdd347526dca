import { describe, expect, it } from 'vitest'
import { inPasses, mergePasses } from './passes'
import { summarize } from './stats'
import type { Measurement } from './types'

describe('inPasses', () => {
  it('measures every point once per pass instead of a point’s runs back to back', async () => {
    const order: string[] = []
    await inPasses(['a', 'b', 'c'], 2, async (p, run) => {
      order.push(`${p}${run}`)
    })
    expect(order).toEqual(['a0', 'b0', 'c0', 'a1', 'b1', 'c1'])
  })
})

describe('mergePasses', () => {
  const m = (size: number, run: number, lost: number): Measurement => ({
    experiment: 'packet-forward',
    backend: 'legacy',
    size,
    unit: 'ns',
    runs: [run],
    summary: summarize([run]),
    counts: { 'ipt.rule': 2 * size },
    notes: { lost, passes: 1, probe: 'ping' },
  })

  it('joins each point’s runs in pass order, sums per-pass counters and recomputes the summary', () => {
    const merged = mergePasses([
      [m(1000, 10, 1), m(5000, 50, 0)],
      [m(1000, 12, 2), m(5000, 54, 0)],
      [m(1000, 11, 0)],
    ])
    expect(merged.map((x) => [x.size, x.runs])).toEqual([
      [1000, [10, 12, 11]],
      [5000, [50, 54]],
    ])
    expect(merged[0].summary.median).toBe(11)
    expect(merged[0].notes).toEqual({ lost: 3, passes: 3, probe: 'ping' })
    expect(merged[0].counts).toEqual({ 'ipt.rule': 2000 })
  })
})
