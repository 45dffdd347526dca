import { type CostProfile, modelCost } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OpCounts, opId } from './opCounts'

const profile: CostProfile = {
  schemaVersion: 1,
  name: 'test',
  description: 'test constants',
  provenance: { method: 'anchors', notes: '' },
  constants: {
    'bpf.lookup.hash': { value: 20, unit: 'ns', source: 'test' },
    'bpf.prog': { value: 40, unit: 'ns', source: 'test' },
    x: { value: 3, unit: 'ns', source: 'test' },
  },
}
const keys = ['bpf.lookup.hash:a', 'bpf.lookup.hash:b', 'bpf.prog:p', 'x', 'y:z']

describe('OpCounts.summary', () => {
  it('gives each packet the counts it added and their modeled ns, whatever paths came before', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 })), {
            maxLength: 8,
          }),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        (packets) => {
          const ops = new OpCounts()
          for (const adds of packets) {
            ops.reset()
            const counts: Record<string, number> = {}
            for (const [k, n] of adds) {
              ops.add(opId(keys[k]), n)
              counts[keys[k]] = (counts[keys[k]] ?? 0) + n
            }
            const s = ops.summary(profile)
            expect(s.counts).toEqual(counts)
            expect(s.ns).toBeCloseTo(modelCost(counts, profile), 9)
            expect(s.cost.ns).toBe(s.ns)
          }
        },
      ),
      { numRuns: 100 },
    )
  })
})

describe('OpCounts.nsOf', () => {
  const other: CostProfile = {
    ...profile,
    name: 'other',
    constants: {
      'bpf.lookup.hash': { value: 0.1, unit: 'ns', source: 'test' },
      'bpf.prog': { value: 7.3, unit: 'ns', source: 'test' },
      'y:z': { value: 1e-7, unit: 'ns', source: 'test' },
    },
  }
  it("is summary's ns to the last bit, whichever profiles alternate and ids are interned after its first call", () => {
    let fresh = 0
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.boolean(),
            fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 3 })), {
              maxLength: 8,
            }),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        (packets) => {
          const ops = new OpCounts()
          for (const [useOther, adds] of packets) {
            ops.reset()
            // key 5: an id interned now, after nsOf may have sized its constants array
            for (const [k, n] of adds) ops.add(k === 5 ? opId(`bpf.prog:fresh${fresh++}`) : opId(keys[k]), n)
            const p = useOther ? other : profile
            expect(Object.is(ops.nsOf(p), ops.summary(p).ns)).toBe(true)
          }
        },
      ),
      { numRuns: 100 },
    )
  })
})
