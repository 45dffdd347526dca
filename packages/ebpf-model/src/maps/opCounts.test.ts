import { type CostProfile, modelCost } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MutedPath, OpCounts, opId } from './opCounts'

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
/** Another profile, its constants such that sums differ in their last bits (`nsOf` caches per profile). */
const other: CostProfile = {
  ...profile,
  name: 'other',
  constants: {
    'bpf.lookup.hash': { value: 0.1, unit: 'ns', source: 'test' },
    'bpf.prog': { value: 7.3, unit: 'ns', source: 'test' },
    'y:z': { value: 1e-7, unit: 'ns', source: 'test' },
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

describe('OpCounts.mute', () => {
  // two sequences sharing their first three adds (a fast path that branches after its third lookup)
  const seqA = [0, 1, 0, 2, 3, 0, 4].map((k) => opId(keys[k]))
  const seqB = [0, 1, 0, 4, 4, 2].map((k) => opId(keys[k]))

  it('leaves, for any prefix, the counts, record and modeled ns the same adds leave unmuted, to the last bit', () => {
    const a = new MutedPath(Int32Array.from(seqA))
    const b = new MutedPath(Int32Array.from(seqB))
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            k: fc.integer({ min: 0, max: seqA.length }),
            // switch to B after three adds (when k ≥ 3), to go on for `kb` adds of it
            toB: fc.boolean(),
            kb: fc.integer({ min: 3, max: seqB.length }),
            read: fc.constantFrom('nsOf', 'summary', 'get', 'settle+add'),
            useOther: fc.boolean(),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (packets) => {
          const muted = new OpCounts()
          const plain = new OpCounts()
          for (const p of packets) {
            const prof = p.useOther ? other : profile
            muted.reset()
            plain.reset()
            muted.mute(a)
            const viaB = p.toB && p.k >= 3
            const seq = viaB ? seqB.slice(0, p.kb) : seqA.slice(0, p.k)
            for (let i = 0; i < seq.length; i++) {
              if (viaB && i === 3) muted.follow(b)
              muted.add(seq[i])
              plain.add(seq[i])
            }
            if (p.read === 'nsOf') expect(Object.is(muted.nsOf(prof), plain.nsOf(prof))).toBe(true)
            else if (p.read === 'summary') expect(muted.summary(prof)).toBe(plain.summary(prof))
            else if (p.read === 'get') expect(muted.get(seq[0] ?? 0)).toBe(plain.get(seq[0] ?? 0))
            else {
              // a caller leaving the sequence settles first, then counts as usual
              muted.settle()
              muted.add(opId(keys[4]), 2)
              plain.add(opId(keys[4]), 2)
            }
            expect(Object.is(muted.nsOf(prof), plain.nsOf(prof))).toBe(true)
            const record: Record<string, number> = {}
            const expected: Record<string, number> = {}
            muted.addTo(record)
            plain.addTo(expected)
            expect(Object.entries(record)).toEqual(Object.entries(expected))
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it('throws (checked, as in tests) when an add strays from the sequence or a switch does not share the prefix', () => {
    const ops = new OpCounts()
    ops.mute(new MutedPath(Int32Array.from(seqA)))
    ops.add(seqA[0])
    // add 1 of the sequence is key 1, not key 0
    expect(() => ops.add(seqA[0])).toThrow(/muted add 1/)
    ops.reset()
    ops.mute(new MutedPath(Int32Array.from(seqA)))
    for (let i = 0; i < 4; i++) ops.add(seqA[i])
    expect(() => ops.follow(new MutedPath(Int32Array.from(seqB)))).toThrow(/differ at add 3/)
    ops.reset()
    ops.add(seqA[0])
    expect(() => ops.mute(new MutedPath(Int32Array.from(seqA)))).toThrow(/already/)
  })
})
