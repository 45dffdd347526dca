import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRng } from './rng'

describe('createRng', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const a = createRng(seed)
        const b = createRng(seed)
        const c = createRng(seed + 1)
        const sa = Array.from({ length: 8 }, () => a.u32())
        expect(Array.from({ length: 8 }, () => b.u32())).toEqual(sa)
        expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(sa)
      }),
    )
  })

  it('keeps int() inside [0, n) and covers it roughly uniformly', () => {
    const rng = createRng(42)
    const counts = new Array(10).fill(0)
    for (let i = 0; i < 100_000; i++) counts[rng.int(10)]++
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500)
  })

  it('derives forks from the label, not from how much the parent was used', () => {
    const a = createRng(7)
    const b = createRng(7)
    b.u32()
    expect(a.fork('pods').u32()).toBe(b.fork('pods').u32())
    expect(a.fork('pods').u32()).not.toBe(a.fork('services').u32())
  })
})
