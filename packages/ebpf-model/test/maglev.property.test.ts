import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maglevTable } from '../src/maglev/table'

function shares(table: Uint32Array): Map<number, number> {
  const m = new Map<number, number>()
  for (const id of table) m.set(id, (m.get(id) ?? 0) + 1)
  return m
}

describe('maglevTable properties', () => {
  it('gives each of N equal backends ⌊M/N⌋ or ⌈M/N⌉ entries (Maglev round-robin bound)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1 << 20 }), (n, base) => {
        const backends = Array.from({ length: n }, (_, i) => ({
          id: i + 1,
          address: (0x0a000000 + base + i) >>> 0,
          port: 8080,
          protocol: 'TCP',
        }))
        const table = maglevTable(backends, 1021)
        const s = shares(table)
        expect(s.size).toBe(n)
        for (const c of s.values()) {
          expect(c).toBeGreaterThanOrEqual(Math.floor(1021 / n))
          expect(c).toBeLessThanOrEqual(Math.ceil(1021 / n))
        }
      }),
      { numRuns: 20 },
    )
  })

  it('builds the same table whatever order the backends come in', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 12 }),
        fc.integer(),
        (ids, seed) => {
          const backends = ids.map((i) => ({
            id: i,
            address: 0x0a000000 + i,
            port: 80,
            protocol: 'TCP',
            weight: (i % 3) + 1,
          }))
          const shuffled = [...backends].sort(
            (a, b) => ((a.id * 7919 + seed) % 101) - ((b.id * 7919 + seed) % 101),
          )
          expect(maglevTable(shuffled, 251)).toEqual(maglevTable(backends, 251))
        },
      ),
      { numRuns: 30 },
    )
  })
})
