import { describe, expect, it } from 'vitest'
import { OpCounts } from '../maps/opCounts'
import { NodeMaps, serviceKey } from './maps'

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
