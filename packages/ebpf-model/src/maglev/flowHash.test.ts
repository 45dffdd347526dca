import { describe, expect, it } from 'vitest'
import { jhash3words, maglevFlowHash } from './flowHash'
import { decodeMaglevSeed } from './seed'

describe('maglevFlowHash', () => {
  it('is jhash_3words: deterministic, uint32, sensitive to every input', () => {
    const h = jhash3words(1, 2, 3, 0)
    expect(h).toBe(jhash3words(1, 2, 3, 0))
    expect(h >>> 0).toBe(h)
    expect(
      new Set([
        h,
        jhash3words(1, 2, 4, 0),
        jhash3words(1, 3, 3, 0),
        jhash3words(2, 2, 3, 0),
        jhash3words(1, 2, 3, 1),
      ]).size,
    ).toBe(5)
  })

  it('spreads flows from many source ports evenly over a Maglev table', () => {
    const { jhash0 } = decodeMaglevSeed()
    const buckets = new Array(10).fill(0)
    for (let sport = 1024; sport < 11024; sport++)
      buckets[maglevFlowHash(0x0a000001, 0x0a600001, sport, 80, jhash0) % 10]++
    for (const b of buckets) expect(Math.abs(b - 1000)).toBeLessThan(150)
  })
})
