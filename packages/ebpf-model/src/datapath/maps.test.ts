import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { errnoOf } from '../maps/_testing'
import { BpfHashMap } from '../maps/hashMap'
import { OpCounts } from '../maps/opCounts'
import { BPF_EXIST, BPF_NOEXIST } from '../maps/types'
import { NodeMaps, type ServiceMaster, type ServiceSlot, serviceKey } from './maps'

const max = { lb: 64, policy: 16, ctTcp: 64, ctAny: 64, nat: 64, ipcache: 64, lxc: 16, affinity: 16 }

describe('NodeMaps services map', () => {
  it('answers a slot lookup by backend id as the slot record says, counted as one lookup', () => {
    const m = new NodeMaps(max, 251)
    m.services.update(-3, { backendId: 7 })
    m.services.update(-3000, { backendId: 9 })
    const ops = new OpCounts()
    const id = m.services.costIds.lookup
    expect(m.services.lookupSlotInto(-3, ops)).toBe(7)
    expect(m.services.lookupSlotInto(-3000, ops)).toBe(9)
    expect(m.services.lookupSlotInto(-4, ops)).toBe(-1)
    expect(ops.get(id)).toBe(3)
    expect(m.services.counters).toMatchObject({ lookups: 3, hits: 2, misses: 1 })
    m.services.update(-3, { backendId: 8 })
    expect(m.services.lookupSlotInto(-3, ops)).toBe(8)
    m.services.delete(-3)
    expect(m.services.lookupSlotInto(-3, ops)).toBe(-1)
    m.services.update(-5, { backendId: 1 })
    m.services.clear()
    expect(m.services.lookupSlotInto(-5, ops)).toBe(-1)
  })

  it('keeps master entries (wide keys) apart from slots', () => {
    const m = new NodeMaps(max, 251)
    const k = serviceKey(0x0a600001, 80, 6, 0)
    const master = {
      count: 1,
      revNat: 1,
      flags: 0,
      affinityTimeout: 0,
      filteredOut: false,
      slotKeys: [-1],
      frontend: {} as never,
    }
    m.services.update(-1, { backendId: 4 })
    m.services.update(k, master)
    expect(m.services.lookupInto(k, new OpCounts())).toBe(master)
    expect(m.services.lookupSlotInto(-1, new OpCounts())).toBe(4)
  })
})

describe('NodeMaps services map against a plain hash map', () => {
  type V = ServiceMaster | ServiceSlot
  const masterOf = (n: number): ServiceMaster => ({
    count: n,
    revNat: n,
    flags: 0,
    affinityTimeout: 0,
    filteredOut: false,
    slotKeys: [],
    frontend: {} as never,
  })
  // slot keys near the column's start, some past its first growth, one beyond its reach, masters (wide keys)
  const key = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: -40, max: -1 }) },
    { weight: 1, arbitrary: fc.constantFrom(-1500, -5000, -(2 ** 24) - 3, 0, 7) },
    {
      weight: 3,
      arbitrary: fc.integer({ min: 0, max: 20 }).map((i) => serviceKey(0x0a600000 + i, 80, 6, 0)),
    },
  )
  const op = fc.record({
    kind: fc.constantFrom('update', 'update', 'slot', 'noexist', 'exist', 'delete', 'master', 'clear'),
    key,
    value: fc.integer({ min: 0, max: 1000 }),
  })

  it('keeps slot entries in columns with the same answers, errors, order and counts as BpfHashMap', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), fc.integer({ min: 4, max: 60 }), (ops, maxEntries) => {
        const m = new NodeMaps({ ...max, lb: maxEntries }, 251).services
        const h = new BpfHashMap<number | string, V>({ ...m.spec, type: 'hash' })
        const ca: Record<string, number> = {}
        const cb: Record<string, number> = {}
        for (const o of ops) {
          if (o.kind === 'clear') {
            m.clear()
            h.clear()
            continue
          }
          const v: V = o.kind === 'master' ? masterOf(o.value) : { backendId: o.value }
          const flags = o.kind === 'noexist' ? BPF_NOEXIST : o.kind === 'exist' ? BPF_EXIST : 0
          const a = errnoOf(() =>
            o.kind === 'delete'
              ? m.delete(o.key, ca)
              : o.kind === 'slot'
                ? m.updateSlot(o.key, o.value, flags, ca)
                : m.update(o.key, v, flags, ca),
          )
          const b = errnoOf(() => (o.kind === 'delete' ? h.delete(o.key, cb) : h.update(o.key, v, flags, cb)))
          expect(a).toBe(b)
        }
        const oa = new OpCounts()
        const ob = new OpCounts()
        for (const o of ops) {
          expect(m.peek(o.key)).toEqual(h.peek(o.key))
          expect(m.has(o.key)).toBe(h.has(o.key))
          expect(m.lookupInto(o.key, oa)).toEqual(h.lookupInto(o.key, ob))
          if (o.key < 0) {
            const s = h.lookupInto(o.key, ob)
            expect(m.lookupSlotInto(o.key, oa)).toBe(s && 'backendId' in s ? s.backendId : -1)
          }
        }
        expect([...m.entries()]).toEqual([...h.entries()])
        expect(m.size).toBe(h.size)
        expect(m.counters).toEqual(h.counters)
        expect(ca).toEqual(cb)
      }),
      { numRuns: 200 },
    )
  })
})
