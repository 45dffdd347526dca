import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { errnoOf } from './_testing'
import { BpfDenseIdHashMap } from './denseIdHashMap'
import { BpfHashMap } from './hashMap'
import { OpCounts } from './opCounts'
import { BPF_NOEXIST } from './types'

const spec = { name: 'test_dense', keySize: 4, valueSize: 4, maxEntries: 64 }

type Op = { kind: 'update' | 'noexist' | 'delete' | 'clear'; key: number; value: number }

// ids near zero on both sides (dense), a few far ones (Map only) and 51-bit keys like serviceKey's
const key = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -40, max: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(9000, 20000, -9000, 2 ** 45 + 7, 0.5, 2 ** 30, 2 ** 31 - 1) },
  // wide keys (the services map's masters): several per run, so the wide index grows and shifts back
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 40 }).map((i) => 2 ** 43 + i * 2 ** 30 + i * 7) },
)
const op = fc.record({
  kind: fc.constantFrom('update', 'update', 'update', 'noexist', 'delete', 'delete', 'clear'),
  key,
  value: fc.integer(),
}) as fc.Arbitrary<Op>

/** Applies one operation to both maps; the same error (or none) from each. */
function applyBoth(d: BpfHashMap<number, number>, h: BpfHashMap<number, number>, o: Op): void {
  if (o.kind === 'clear') {
    d.clear()
    h.clear()
    return
  }
  const act = (m: BpfHashMap<number, number>) =>
    errnoOf(() =>
      o.kind === 'delete'
        ? m.delete(o.key)
        : m.update(o.key, o.value, o.kind === 'noexist' ? BPF_NOEXIST : 0),
    )
  expect(act(d)).toBe(act(h))
}

describe('BpfDenseIdHashMap', () => {
  it('answers every lookup, error and dump like BpfHashMap whatever the key order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.array(key, { maxLength: 40 }), (ops, probes) => {
        const d = new BpfDenseIdHashMap<number, number>(spec)
        const h = new BpfHashMap<number, number>(spec)
        for (const o of ops) applyBoth(d, h, o)
        const ops1 = new OpCounts()
        const ops2 = new OpCounts()
        for (const k of [...probes, ...ops.map((o) => o.key)]) {
          expect(d.peek(k)).toBe(h.peek(k))
          expect(d.lookupInto(k, ops1)).toBe(h.lookupInto(k, ops2))
          expect(d.has(k)).toBe(h.has(k))
        }
        expect([...d.entries()]).toEqual([...h.entries()])
        expect(d.size).toBe(h.size)
        expect(d.counters).toEqual(h.counters)
      }),
      { numRuns: 200 },
    )
  })

  it('answers as BpfHashMap after room is reserved for ids and wide keys at any point', () => {
    // a reservation between writes: on an empty map (one allocation), over far ids the Map holds (moved into
    // the range), past the slack, and for wide keys (the index rehashed once)
    const reserve = fc.record({ ids: fc.constantFrom(0, 1, 41, 9001, 20001), wide: fc.nat(40) })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.nat(120), reserve, (ops, at, r) => {
        const d = new BpfDenseIdHashMap<number, number>(spec)
        const h = new BpfHashMap<number, number>(spec)
        for (let i = 0; i <= ops.length; i++) {
          if (i === Math.min(at, ops.length)) d.reserve(r.ids, r.wide)
          if (i < ops.length) applyBoth(d, h, ops[i])
        }
        for (const o of ops) {
          expect(d.peek(o.key)).toBe(h.peek(o.key))
          expect(d.has(o.key)).toBe(h.has(o.key))
        }
        expect([...d.entries()]).toEqual([...h.entries()])
        expect(d.size).toBe(h.size)
      }),
      { numRuns: 200 },
    )
  })

  it('keeps far ids the Map holds when room is reserved over them, on an empty dense range too', () => {
    const m = new BpfDenseIdHashMap<number, string>({ ...spec, maxEntries: 100 })
    m.update(9000, 'far')
    m.update(2 ** 43, 'wide')
    m.reserve(10000, 8)
    expect(m.peek(9000)).toBe('far')
    expect(m.peek(2 ** 43)).toBe('wide')
    m.update(1, 'one')
    expect([...m.entries()]).toEqual([
      [9000, 'far'],
      [2 ** 43, 'wide'],
      [1, 'one'],
    ])
    expect(m.size).toBe(3)
  })

  it('finds a key stored far ahead once the dense range grows past it', () => {
    const m = new BpfDenseIdHashMap<number, string>({ ...spec, maxEntries: 10000 })
    m.update(5000, 'far')
    for (let id = 1; id < 5000; id++) m.update(id, `b${id}`)
    m.update(5001, 'next')
    expect(m.peek(5000)).toBe('far')
    expect(m.peek(4999)).toBe('b4999')
    expect([...m.keys()].slice(0, 3)).toEqual([5000, 1, 2])
    m.delete(5000)
    expect(m.peek(5000)).toBeUndefined()
    expect(m.peek(5001)).toBe('next')
    expect(m.size).toBe(5000)
    expect([...m.keys()].slice(-2)).toEqual([4999, 5001])
  })
})
