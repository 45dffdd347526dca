import { ipToU32 } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { service, slice } from '../../test/fixtures'
import { translateService } from './services'

describe('translateService backends', () => {
  it('lists a port’s backends in address order, an address listed twice keeping its first slice’s endpoint', () => {
    // few distinct addresses so duplicates across slices are common; up to 40 endpoints (past the insertion sort)
    const endpoint = fc.record({
      last: fc.integer({ min: 1, max: 12 }),
      node: fc.constantFrom('a', 'b', 'c'),
    })
    const slicesArb = fc.array(fc.array(endpoint, { maxLength: 40 }), { minLength: 1, maxLength: 3 })
    fc.assert(
      fc.property(slicesArb, (lists) => {
        const slices = lists.map((eps, s) =>
          slice(
            'api',
            eps.map((e) => ({ ip: `10.0.0.${e.last}`, node: e.node })),
            { name: `api-${s}` },
          ),
        )
        const fe = translateService(service({ name: 'api' }), slices, { nodeName: 'a', nodeAddrs: [] })[0]
        // reference: every endpoint in slice order, stable-sorted by address, the first of each address kept
        const all = lists.flatMap((eps) =>
          eps.map((e) => ({ addr: ipToU32(`10.0.0.${e.last}`), node: e.node })),
        )
        const sorted = all.map((e, i) => ({ ...e, i })).sort((x, y) => x.addr - y.addr || x.i - y.i)
        const expected = sorted.filter((e, i) => i === 0 || sorted[i - 1].addr !== e.addr)
        expect(fe.backends.map((b) => [b.addr, b.node])).toEqual(expected.map((e) => [e.addr, e.node]))
      }),
      { numRuns: 200 },
    )
  })
})
