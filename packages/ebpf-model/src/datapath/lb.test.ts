import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { affinityKeyOf } from './lb'

describe('affinityKeyOf (cilium_lb4_affinity key of client and rev NAT id)', () => {
  const addr = fc.integer({ min: 0, max: 2 ** 32 - 1 })
  const revNat = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 21 + 5 }),
    fc.constantFrom(0, 1, 2 ** 21 - 1, 2 ** 21, 2 ** 24),
  )

  it('gives two (client, rev NAT) pairs the same key only when they are the same pair', () => {
    fc.assert(
      fc.property(addr, revNat, addr, revNat, (a1, r1, a2, r2) => {
        const same = a1 === a2 && r1 === r2
        expect(affinityKeyOf(a1, r1) === affinityKeyOf(a2, r2)).toBe(same)
        // a numeric key holds both whole: rev NAT id above bit 32, the address below
        const k = affinityKeyOf(a1, r1)
        if (typeof k === 'number') expect([Math.floor(k / 2 ** 32), k % 2 ** 32]).toEqual([r1, a1])
      }),
      { numRuns: 2000 },
    )
  })

  it('is an exact integer below 2^53 up to 2^21 rev NAT ids, text beyond', () => {
    const k = affinityKeyOf(2 ** 32 - 1, 2 ** 21 - 1)
    expect(Number.isSafeInteger(k)).toBe(true)
    expect(affinityKeyOf(0x0a000001, 2 ** 21)).toBe(`${0x0a000001}|${2 ** 21}`)
  })
})
