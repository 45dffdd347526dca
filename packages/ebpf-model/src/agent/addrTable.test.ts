import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AddrTable } from './addrTable'

describe('AddrTable', () => {
  it('agrees with a Map under random sets and deletes, across growth and backward-shift deletion', () => {
    const op = fc.record({
      del: fc.boolean(),
      // few distinct addresses, high and low halves, so probe runs form and wrap
      addr: fc.constantFrom(0, 1, 2, 0x0a000001, 0x0a000002, 0x0a000102, 0xffffffff, 0xc0a80001, 0x80000000),
      value: fc.integer({ min: 1, max: 1000 }),
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new AddrTable<number>(2)
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
