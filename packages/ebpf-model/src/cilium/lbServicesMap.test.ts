import { ipToU32 } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { errnoOf } from '../maps/_testing'
import { LB_LOOKUP_SCOPE_EXT, LB_LOOKUP_SCOPE_INT, SVC_FLAG_ROUTABLE } from './constants'
import { type Lb4Frontend, Lb4ServicesMap } from './lbServicesMap'

const fe: Lb4Frontend = { address: ipToU32('10.96.0.10'), dport: 53, proto: 0, scope: LB_LOOKUP_SCOPE_EXT }
const master = { revNatIndex: 7, flags: 0, flags2: 0 }

describe('Lb4ServicesMap', () => {
  it('writes a master entry with the backend count at slot 0 and one backend id per slot', () => {
    const m = new Lb4ServicesMap()
    expect(m.upsertService(fe, master, [11, 12, 13])).toBe(4)
    const counts: Record<string, number> = {}
    const head = m.lookup(fe.address, 53, 0, LB_LOOKUP_SCOPE_EXT, 0, counts)
    expect(head).toMatchObject({ count: 3, revNatIndex: 7, backendId: 0 })
    expect(m.lookup(fe.address, 53, 0, LB_LOOKUP_SCOPE_EXT, 2, counts)?.backendId).toBe(12)
    expect(counts['bpf.lookup.hash:cilium_lb4_services_v2']).toBe(2)
    expect(m.map.size).toBe(4)
  })

  it('keeps the scopes apart: an internal-scope frontend is a different key', () => {
    const m = new Lb4ServicesMap()
    m.upsertService(fe, master, [1])
    m.upsertService({ ...fe, scope: LB_LOOKUP_SCOPE_INT }, master, [2, 3])
    expect(m.lookup(fe.address, 53, 0, LB_LOOKUP_SCOPE_INT, 0)?.count).toBe(2)
    expect(m.lookup(fe.address, 53, 0, LB_LOOKUP_SCOPE_EXT, 0)?.count).toBe(1)
  })

  it('shrinks a frontend by deleting the slots beyond the new count, after rewriting the master', () => {
    const m = new Lb4ServicesMap()
    m.upsertService(fe, master, [1, 2, 3])
    expect(m.upsertService(fe, { ...master, flags: SVC_FLAG_ROUTABLE }, [4])).toBe(2 + 2)
    expect(m.map.size).toBe(2)
    expect(m.peek({ ...fe, backendSlot: 1 })?.backendId).toBe(4)
    expect(m.peek({ ...fe, backendSlot: 0 })?.flags).toBe(SVC_FLAG_ROUTABLE)
  })

  it('stores the affinity timeout in the master entry backend_id field', () => {
    const m = new Lb4ServicesMap()
    m.upsertService(fe, { ...master, affinityTimeout: 10800 }, [1])
    expect(m.peek({ ...fe, backendSlot: 0 })?.backendId).toBe(10800)
  })

  it('refuses a frontend that does not fit with E2BIG and leaves the map unchanged', () => {
    const m = new Lb4ServicesMap({ maxEntries: 4 })
    m.upsertService(fe, master, [1, 2])
    expect(errnoOf(() => m.upsertService({ ...fe, dport: 54 }, master, [1, 2]))).toBe('E2BIG')
    expect(m.map.size).toBe(3)
    expect(m.peek({ ...fe, dport: 54, backendSlot: 1 })).toBeUndefined()
  })

  it('deletes the master entry and every slot', () => {
    const m = new Lb4ServicesMap()
    m.upsertService(fe, master, [1, 2])
    expect(m.deleteService(fe)).toBe(3)
    expect(m.map.size).toBe(0)
    expect(m.deleteService(fe)).toBe(0)
  })

  it('round-trips keys through entries()', () => {
    const m = new Lb4ServicesMap()
    m.upsertService({ ...fe, address: 0xffffffff, dport: 65535, proto: 6, scope: 1 }, master, [9])
    const keys = [...m.entries()].map(([k]) => k)
    expect(keys).toContainEqual({ address: 0xffffffff, dport: 65535, proto: 6, scope: 1, backendSlot: 1 })
  })
})
