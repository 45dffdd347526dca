import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StagedMap } from './stagedMap'

describe('StagedMap', () => {
  it('reads as the Map with every new key set when staged, in the same order, across reads and writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant<'read'>('read'), fc.integer({ min: 0, max: 1000 })), { maxLength: 60 }),
        (ops) => {
          const staged = new StagedMap<number, number>()
          const plain = new Map<number, number>()
          for (const [i, op] of ops.entries()) {
            if (op === 'read') {
              expect([...staged.map]).toEqual([...plain])
              // a write through the read map, as a watch event does
              staged.map.set(-i - 1, i)
              plain.set(-i - 1, i)
            } else if (!plain.has(op)) {
              staged.stage(op, i)
              plain.set(op, i)
            }
          }
          expect([...staged.map]).toEqual([...plain])
        },
      ),
      { numRuns: 100 },
    )
  })
})
