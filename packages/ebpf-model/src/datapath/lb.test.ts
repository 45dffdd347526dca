import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BpfLruHashMap } from '../maps/lruHashMap'
import { OpCounts } from '../maps/opCounts'
import { AffinityTable } from './affinityTable'
import type { AffinityValue } from './maps'

describe('AffinityTable (cilium_lb4_affinity on typed arrays)', () => {
  // the object LRU hash map (`BpfLruHashMap`, kernel LRU semantics) keyed `client|revNat` as the reference
  const spec = { name: 'cilium_lb4_affinity', keySize: 16, valueSize: 16, maxEntries: 6 }
  const client = fc.constantFrom(0, 1, 0x0a000001, 2 ** 32 - 1)
  const revNat = fc.constantFrom(0, 1, 7, 2 ** 16 - 1, 2 ** 21, 2 ** 31 - 1)

  it('finds, writes, renews and evicts as the object LRU map does (values, sizes, order, counters)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            op: fc.constantFrom('find', 'find', 'write', 'write', 'touch'),
            client,
            revNat,
            backendId: fc.integer({ min: 1, max: 9 }),
            now: fc.integer({ min: 0, max: 1000 }),
          }),
          { maxLength: 80 },
        ),
        (ops) => {
          const table = new AffinityTable(spec)
          const ref = new BpfLruHashMap<string, AffinityValue>(spec)
          const counts = new OpCounts()
          for (const o of ops) {
            const key = `${o.client >>> 0}|${o.revNat >>> 0}`
            if (o.op === 'write') {
              table.write(o.client, o.revNat, o.backendId, o.now, counts)
              ref.update(key, { backendId: o.backendId, lastUsed: o.now }, 0, undefined, 'prog')
              continue
            }
            const e = table.find(o.client, o.revNat, counts)
            const v = ref.lookupInto(key, counts)
            expect(
              e >= 0 ? { backendId: table.backendId(e), lastUsed: table.lastUsed(e) } : undefined,
            ).toEqual(v)
            if (o.op === 'touch' && e >= 0 && v) {
              table.touch(e, o.now)
              v.lastUsed = o.now
            }
          }
          expect([...table.entries()]).toEqual([...ref.entries()])
          expect(table.size).toBe(ref.size)
          expect(table.counters).toEqual(ref.counters)
        },
      ),
      { numRuns: 300 },
    )
  })
})
