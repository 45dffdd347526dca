import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BackendIndex } from './backendIndex'

describe('BackendIndex', () => {
  it('agrees with a Map under random sets, get-or-sets and deletes, across growth and backward-shift deletion', () => {
    const op = fc.record({
      del: fc.boolean(),
      /** `getOrSet` instead of `set`: enters the id only for an absent key, answers the present one's */
      orSet: fc.boolean(),
      // few distinct addresses and ports so keys collide and probe runs form
      addr: fc.constantFrom(0, 1, 0x0a000001, 0x0a000002, 0xffffffff, 0xc0a80001),
      port: fc.integer({ min: 0, max: 5 }),
      proto: fc.constantFrom(6, 17, 132),
      id: fc.integer({ min: 1, max: 1000 }),
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const idx = new BackendIndex(4)
        const ref = new Map<string, number>()
        for (const o of ops) {
          const k = `${o.addr}|${o.port}|${o.proto}`
          if (o.del) expect(idx.delete(o.addr, o.port, o.proto)).toBe(ref.delete(k))
          else if (o.orSet) {
            expect(idx.getOrSet(o.addr, o.port, o.proto, o.id)).toBe(ref.get(k) ?? 0)
            if (!ref.has(k)) ref.set(k, o.id)
          } else {
            idx.set(o.addr, o.port, o.proto, o.id)
            ref.set(k, o.id)
          }
          expect(idx.size).toBe(ref.size)
        }
        for (const o of ops)
          expect(idx.get(o.addr, o.port, o.proto)).toBe(ref.get(`${o.addr}|${o.port}|${o.proto}`) ?? 0)
      }),
      { numRuns: 200 },
    )
  })
})
