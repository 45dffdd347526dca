import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isWideKey, WideKeyIndex } from './wideKeyIndex'

describe('WideKeyIndex', () => {
  it('answers like a Map across growth and backward-shift deletes', () => {
    const wide = fc.integer({ min: 0, max: 300 }).map((i) => 2 ** 30 + (i % 17) * 2 ** 32 + i * 65536)
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), wide, fc.integer()), { maxLength: 400 }), (ops) => {
        const w = new WideKeyIndex<number>()
        const m = new Map<number, number>()
        for (const [del, k, v] of ops) {
          if (del) {
            w.delete(k)
            m.delete(k)
          } else {
            w.set(k, v)
            m.set(k, v)
          }
        }
        expect(w.size).toBe(m.size)
        for (const [, k] of ops) expect(w.get(k)).toBe(m.get(k))
      }),
      { numRuns: 100 },
    )
  })

  it('takes integers from 2^30 up to 2^53 only', () => {
    expect(isWideKey(2 ** 30)).toBe(true)
    expect(isWideKey(2 ** 51 + 3)).toBe(true)
    expect(isWideKey(2 ** 30 - 1)).toBe(false)
    expect(isWideKey(2 ** 31 + 0.5)).toBe(false)
    expect(isWideKey(2 ** 53)).toBe(false)
    expect(isWideKey('1073741824')).toBe(false)
  })
})
