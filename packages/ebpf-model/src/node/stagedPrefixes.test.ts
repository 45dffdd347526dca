import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { IpcacheValue } from '../agent/sink'
import { StagedPrefixes } from './stagedPrefixes'

const value: IpcacheValue = { identity: 256, tunnelEndpoint: 0, source: 'pod' }

describe('StagedPrefixes.inAddressOrder', () => {
  it('lists the positions still holding a value by unsigned address, as a comparison sort would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 300 })), {
          maxLength: 300,
        }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.nat(400),
        (addrs, removals, capacity) => {
          // room made for fewer, as many or more than are staged
          const st = new StagedPrefixes(capacity)
          const seen = new Set<number>()
          for (const a of addrs) {
            const base = a | 0 // the agent's addresses as int32 or uint32 alike
            if (seen.has(base >>> 0)) continue
            seen.add(base >>> 0)
            st.add(base, value)
          }
          for (const r of removals) {
            if (st.length === 0) break
            const at = r % st.length
            if (st.values[at] !== undefined) st.remove(st.bases[at], at)
          }
          // every position used is found by its address
          for (let i = 0; i < st.length; i++)
            if (st.values[i] !== undefined) expect(st.find(st.bases[i])).toBe(i)
          const expected = st.bases
            .slice(0, st.length)
            .map((_b, i) => i)
            .filter((i) => st.values[i] !== undefined)
            .sort((x, y) => (st.bases[x] >>> 0) - (st.bases[y] >>> 0) || x - y)
          expect([...st.inAddressOrder()]).toEqual(expected)
        },
      ),
      { numRuns: 200 },
    )
  })
})
