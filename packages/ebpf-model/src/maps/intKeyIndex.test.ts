import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IntKeyIndex, isWideKey } from './intKeyIndex'

describe('IntKeyIndex', () => {
  it('answers like a Map across growth and backward-shift deletes', () => {
    const wide = fc.integer({ min: 0, max: 300 }).map((i) => 2 ** 30 + (i % 17) * 2 ** 32 + i * 65536)
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), wide, fc.integer()), { maxLength: 400 }), (ops) => {
        const w = new IntKeyIndex<number>()
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

  // the agent keeps its per-address ipcache claims here (addresses as uint32)
  it('agrees with a Map under random sets and deletes, across growth and backward-shift deletion', () => {
    const op = fc.record({
      del: fc.boolean(),
      // few distinct addresses, high and low halves, so probe runs form and wrap
      addr: fc.constantFrom(0, 1, 2, 0x0a000001, 0x0a000002, 0x0a000102, 0xffffffff, 0xc0a80001, 0x80000000),
      value: fc.integer({ min: 1, max: 1000 }),
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new IntKeyIndex<number>(2)
        const ref = new Map<number, number>()
        for (const o of ops) {
          if (o.del) expect(t.delete(o.addr)).toBe(ref.delete(o.addr))
          else {
            t.set(o.addr, o.value)
            ref.set(o.addr, o.value)
          }
          expect(t.size).toBe(ref.size)
        }
        for (const o of ops) expect(t.get(o.addr)).toBe(ref.get(o.addr))
      }),
      { numRuns: 300 },
    )
  })
})
