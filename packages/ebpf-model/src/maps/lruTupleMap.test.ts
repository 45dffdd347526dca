import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LIMIT_TABLE_MAX } from '../sizing/limits'
import { BpfLruHashMap } from './lruHashMap'
import { BpfLruTupleMap } from './lruTupleMap'
import { OpCounts, opId } from './opCounts'
import { hash4, MAX_SLOTS, TupleIndex } from './tupleIndex'
import { BPF_NOEXIST } from './types'

/** A key number spread over the four words, with high bits set so signed/unsigned handling is exercised. */
const words = (k: number): [number, number, number, number] => [
  (0xc0a80000 + k) >>> 0,
  (k * 2654435761) >>> 0,
  ((k & 0xffff) << 16) | 80,
  (6 << 1) | (k & 1),
]

describe('TupleIndex', () => {
  it('finds every live key and none of the removed ones across growth and backward-shift deletes', () => {
    const t = new TupleIndex(16)
    const slots = new Map<number, number>()
    for (let k = 0; k < 5000; k++) slots.set(k, t.insert(...words(k)))
    for (let k = 0; k < 5000; k += 3) {
      t.remove(slots.get(k) as number)
      slots.delete(k)
    }
    for (let k = 5000; k < 6000; k++) slots.set(k, t.insert(...words(k)))
    expect(t.size).toBe(slots.size)
    for (let k = 0; k < 6000; k++) expect(t.find(...words(k))).toBe(slots.get(k) ?? -1)
  })

  it('keeps one occupancy bit per bucket, set exactly when it holds an entry, and finds as a Map under random inserts, removes, reservations, clears and lookups between them', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            // keys from a small range, so removes find keys inserted since the last (rare) clear
            {
              arbitrary: fc.record({
                op: fc.constant('insert' as const),
                k: fc.integer({ min: 0, max: 80 }),
              }),
              weight: 10,
            },
            {
              arbitrary: fc.record({
                op: fc.constant('remove' as const),
                k: fc.integer({ min: 0, max: 80 }),
              }),
              weight: 6,
            },
            {
              arbitrary: fc.record({
                op: fc.constant('reserve' as const),
                k: fc.integer({ min: 0, max: 600 }),
              }),
              weight: 1,
            },
            { arbitrary: fc.record({ op: fc.constant('clear' as const), k: fc.constant(0) }), weight: 1 },
            // lookups between the writes: of keys whose bucket writes may still be pending (`flush`)
            {
              arbitrary: fc.record({
                op: fc.constant('find' as const),
                k: fc.integer({ min: 0, max: 80 }),
              }),
              weight: 6,
            },
          ),
          { maxLength: 400 },
        ),
        (ops) => {
          const t = new TupleIndex(16)
          const model = new Map<number, number>()
          for (const { op, k } of ops) {
            if (op === 'insert' && !model.has(k)) model.set(k, t.insert(...words(k)))
            else if (op === 'remove' && model.has(k)) {
              t.remove(model.get(k) as number)
              model.delete(k)
            } else if (op === 'reserve') t.reserveBuckets(k)
            else if (op === 'clear') {
              t.clearIndex()
              model.clear()
            } else if (op === 'find') {
              const other = (k * 7) % 81
              expect(t.find2(...words(k), ...words(other))).toBe(model.get(k) ?? -1)
              expect(t.secondFound).toBe(model.get(other) ?? -1)
              expect(t.find(...words(other))).toBe(model.get(other) ?? -1)
            }
          }
          const buckets = t.bucketWords
          const occupied = t.occupancyWords
          for (let i = 0; i < buckets.length; i++) {
            expect(((occupied[i >>> 5] >>> (i & 31)) & 1) === 1).toBe(buckets[i] !== 0)
            // an occupied bucket: the slot of a key present, under the tag of that key's hash
            if (buckets[i] === 0) continue
            const slot = buckets[i] & (MAX_SLOTS - 1)
            const key = [...model].find(([, s]) => s === slot)?.[0]
            expect(key).toBeDefined()
            const h = hash4(...words(key as number))
            expect(buckets[i] >>> 25).toBe(Math.max(1, h >>> 24))
          }
          // each key present in one bucket, nothing else in any
          expect(buckets.filter((w) => w !== 0).length).toBe(model.size)
          for (let k = 0; k <= 80; k++) expect(t.find(...words(k))).toBe(model.get(k) ?? -1)
          for (let k = 0; k <= 80; k++) {
            const other = (k * 7) % 81
            expect(t.find2(...words(k), ...words(other))).toBe(model.get(k) ?? -1)
            expect(t.secondFound).toBe(model.get(other) ?? -1)
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('holds any table Cilium allows (LimitTableMax) and says so past its slot bits', () => {
    expect(MAX_SLOTS).toBeGreaterThanOrEqual(LIMIT_TABLE_MAX)
    expect(() => new TupleIndex(MAX_SLOTS + 1)).toThrow(/at most/)
  })

  it('keeps a slot stable while its entry lives and reuses freed slots', () => {
    const t = new TupleIndex(16)
    const a = t.insert(...words(1))
    const b = t.insert(...words(2))
    t.remove(a)
    const c = t.insert(...words(3))
    expect(c).toBe(a)
    expect(t.find(...words(2))).toBe(b)
    expect(t.keyWord(b, 0) >>> 0).toBe(words(2)[0])
  })
})

describe('BpfLruTupleMap against BpfLruHashMap', () => {
  it('agrees on contents, eviction victims, order and errors under random lookups, updates and deletes', () => {
    const op = fc.record({
      kind: fc.constantFrom('lookup', 'update', 'delete', 'peek', 'noexist'),
      key: fc.integer({ min: 0, max: 12 }),
    })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 80 }), (max, ops) => {
        const spec = { name: 'ct', keySize: 16, valueSize: 8, maxEntries: max }
        const ref = new BpfLruHashMap<number, number>(spec)
        const m = new BpfLruTupleMap(spec, 1)
        ops.forEach((o, i) => {
          const w = words(o.key)
          if (o.kind === 'lookup') {
            const v = ref.lookup(o.key)
            const e = m.lookup(...w)
            expect(e >= 0 ? m.vals[e] : undefined).toBe(v)
          } else if (o.kind === 'peek') {
            const e = m.peek(...w)
            expect(e >= 0 ? m.vals[e] : undefined).toBe(ref.peek(o.key))
          } else if (o.kind === 'delete') {
            if (ref.has(o.key)) {
              ref.delete(o.key)
              m.delete(...w)
            } else {
              expect(() => ref.delete(o.key)).toThrow()
              expect(() => m.delete(...w)).toThrow()
            }
          } else {
            const flags = o.kind === 'noexist' ? BPF_NOEXIST : 0
            let refErr = false
            let victim: number | undefined
            try {
              victim = ref.update(o.key, i, flags)
            } catch {
              refErr = true
            }
            if (refErr) expect(() => m.update(...w, flags)).toThrow()
            else {
              const e = m.update(...w, flags)
              m.vals[e] = i
              expect(m.lastEvicted).toEqual(victim === undefined ? [] : words(victim))
            }
          }
          expect(m.size).toBe(ref.size)
        })
        expect([...m.slots()].map((e) => m.vals[e])).toEqual([...ref.entries()].map(([, v]) => v))
        expect(m.counters).toEqual(ref.counters)
      }),
      { numRuns: 200 },
    )
  })

  it('counts datapath lookups and program writes under its lru_hash cost keys', () => {
    const m = new BpfLruTupleMap({ name: 'cilium_ct4_glob', keySize: 16, valueSize: 56, maxEntries: 8 }, 2)
    const ops = new OpCounts()
    m.lookupInto(...words(1), ops)
    m.update(...words(1), 0, ops, 'prog')
    expect(ops.get(opId('bpf.lookup.lru_hash:cilium_ct4_glob'))).toBe(1)
    expect(ops.get(opId('bpf.prog_update.lru_hash:cilium_ct4_glob'))).toBe(1)
  })
})

describe('BpfLruTupleMap sized off a power of two', () => {
  it('holds and finds max_entries keys when max_entries is not a power of two', () => {
    const m = new BpfLruTupleMap({ name: 'odd', keySize: 16, valueSize: 8, maxEntries: 1500 }, 1)
    for (let k = 0; k < 1500; k++) m.update(...words(k))
    expect(m.size).toBe(1500)
    for (let k = 0; k < 1500; k++) expect(m.peek(...words(k))).toBeGreaterThanOrEqual(0)
  })
})

describe('TupleIndex.find2 and BpfLruTupleMap.lookupPairInto', () => {
  it('find two keys as two finds would, and count the second lookup only when asked', () => {
    const t = new TupleIndex(16)
    for (let k = 0; k < 3000; k += 2) t.insert(...words(k))
    for (let k = 0; k < 200; k++) {
      const other = (k * 7) % 400
      expect(t.find2(...words(k), ...words(other))).toBe(t.find(...words(k)))
      expect(t.secondFound).toBe(t.find(...words(other)))
    }
    const m = new BpfLruTupleMap({ name: 'pair', keySize: 16, valueSize: 8, maxEntries: 64 }, 1)
    m.update(...words(2))
    const ops = new OpCounts()
    expect(m.lookupPairInto(...words(1), ...words(2), ops)).toBe(-1)
    expect(ops.get(opId('bpf.lookup.lru_hash:pair'))).toBe(1)
    expect(m.lookupSecondInto(ops)).toBe(m.peek(...words(2)))
    expect(ops.get(opId('bpf.lookup.lru_hash:pair'))).toBe(2)
    expect(m.counters).toMatchObject({ lookups: 2, hits: 1, misses: 1 })
  })
})

describe('BpfLruTupleMap.reserveBuckets and update of a key known absent', () => {
  it('answers, evicts and orders as a map grown by doubling and updated with its own find', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean()), { maxLength: 400 }),
        fc.integer({ min: 0, max: 2000 }),
        (ops, reserve) => {
          const spec = { keySize: 16, valueSize: 8, maxEntries: 128 }
          const plain = new BpfLruTupleMap({ name: 'plain', ...spec }, 1)
          const fast = new BpfLruTupleMap({ name: 'fast', ...spec }, 1)
          fast.reserveBuckets(reserve)
          for (const [k, lookupFirst] of ops) {
            // a lookup that just missed lets the write skip its own find, as ctCreate after ctLookup does
            const absent = lookupFirst && fast.peek(...words(k)) < 0
            expect(fast.update(...words(k), 0, undefined, 'prog', absent)).toBe(plain.update(...words(k)))
            expect(fast.lastEvicted).toEqual(plain.lastEvicted)
          }
          expect([...fast.slots()]).toEqual([...plain.slots()])
          for (let k = 0; k <= 300; k++) expect(fast.peek(...words(k))).toBe(plain.peek(...words(k)))
        },
      ),
      { numRuns: 60 },
    )
  })
})
