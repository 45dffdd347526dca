import type { CostProfile } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SVC_FLAG_AFFINITY } from '../agent/services'
import type { ProgrammedBackend } from '../agent/sink'
import { errnoOf } from '../maps/_testing'
import { BpfHashMap } from '../maps/hashMap'
import { OpCounts } from '../maps/opCounts'
import { BPF_EXIST, BPF_NOEXIST } from '../maps/types'
import { NodeMaps, PolicyMaps, type ServiceMaster, type ServiceSlot, serviceKey } from './maps'

const max = { lb: 64, policy: 16, ctTcp: 64, ctAny: 64, nat: 64, ipcache: 64, lxc: 16, affinity: 16 }

/** A master entry of `n` backends without slot keys (the tests give it theirs). */
function masterOf(n: number): ServiceMaster {
  return {
    count: n,
    revNat: n,
    flags: 0,
    affinityTimeout: 0,
    filteredOut: false,
    slotKeys: [],
    frontend: {} as never,
  }
}

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

describe('NodeMaps services map: masters in their hot-field index (lookupMaster)', () => {
  it('follows writes, rewrites, deletes and clear made after the index is made, counted as lookupInto', () => {
    const m = new NodeMaps(max, 251).services
    const ops = new OpCounts()
    const keys = [0, 1, 2, 3].map((i) => serviceKey(0x0a600000 + i, 80, 6, 0))
    const a = { ...masterOf(2), slotKeys: [-1, -2] }
    m.update(keys[0], a)
    m.update(keys[1], masterOf(1))
    // made now, from the map
    const c0 = m.lookupMaster(keys[0], ops)
    expect([m.masterAt(c0), m.masterCount(c0), m.masterRevNat(c0), m.masterSlotBase(c0)]).toEqual([
      a,
      2,
      2,
      1,
    ])
    expect(m.lookupMaster(keys[2], ops)).toBe(-1)
    // kept in step from here on
    const b = { ...masterOf(3), revNat: 9, flags: 4 }
    m.update(keys[2], b)
    m.update(keys[0], masterOf(5))
    m.delete(keys[1])
    const c2 = m.lookupMaster(keys[2], ops)
    expect([m.masterAt(c2), m.masterRevNat(c2), m.masterFlags(c2)]).toEqual([b, 9, 4])
    expect(m.masterCount(m.lookupMaster(keys[0], ops))).toBe(5)
    expect(m.lookupMaster(keys[1], ops)).toBe(-1)
    m.clear()
    expect(keys.map((k) => m.lookupMaster(k, ops))).toEqual([-1, -1, -1, -1])
    m.update(keys[3], b)
    expect(m.masterAt(m.lookupMaster(keys[3], ops))).toBe(b)
    expect(ops.get(m.costIds.lookup)).toBe(10)
    expect(m.counters).toMatchObject({ lookups: 10, hits: 4, misses: 6 })
  })
})

describe('NodeMaps services map against a plain hash map', () => {
  type V = ServiceMaster | ServiceSlot
  // slot keys near the column's start, some past its first growth, one beyond its reach, masters (wide keys)
  const key = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: -40, max: -1 }) },
    { weight: 1, arbitrary: fc.constantFrom(-1500, -5000, -(2 ** 24) - 3, 0, 7, 2.5, 2 ** 53 + 2) },
    {
      weight: 3,
      arbitrary: fc.integer({ min: 0, max: 8 }).map((i) => serviceKey(0x0a600000 + i, 80, 6, 0)),
    },
  )
  const op = fc.record({
    kind: fc.constantFrom(
      'update',
      'update',
      'slot',
      'noexist',
      'exist',
      'delete',
      'delete',
      'master',
      'master',
      'wideMaster',
      'clear',
      'reserve',
      'reserveMasters',
      'look',
      'look',
    ),
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
        const oa = new OpCounts()
        const ob = new OpCounts()
        // the masters' hot-field index (made at the first lookup, then kept in step with the writes): the same
        // lookup, counted the same, the record and its fields
        // (keys the index cannot hold, 2.5 and 2^53 + 2, through the map's own lookup into the scratch cell)
        const checkMaster = (key: number) => {
          const c = m.lookupMaster(key, oa)
          const r = h.lookupInto(key, ob) as ServiceMaster | undefined
          expect(c >= 0).toBe(r !== undefined)
          if (r === undefined) return
          expect(m.masterAt(c)).toEqual(r)
          expect(m.masterFlags(c)).toBe(r.flags | 0)
          expect(m.masterRevNat(c)).toBe(r.revNat)
          expect(m.masterPlain(c)).toBe('slotKeys' in r && r.revNat < 2 ** 31)
          if (m.masterPlain(c)) {
            expect(m.masterCount(c)).toBe(r.count)
            expect(m.masterSlotBase(c)).toBe(r.slotBase ?? 0)
          }
        }
        for (const o of ops) {
          if (o.kind === 'look') {
            if (o.key >= 0) checkMaster(o.key)
            continue
          }
          if (o.kind === 'clear') {
            m.clear()
            h.clear()
            continue
          }
          if (o.kind === 'reserve') {
            m.reserveSlots(o.value % 50)
            continue
          }
          if (o.kind === 'reserveMasters') {
            m.reserve(0, o.value % 50)
            continue
          }
          // masters with flags and slot runs; a wide one's fields do not fit the hot-field cell (read from the record)
          const v: V =
            o.kind === 'master'
              ? { ...masterOf(o.value), flags: o.value * 3, slotKeys: o.value % 2 ? [-3, -4] : [] }
              : o.kind === 'wideMaster'
                ? { ...masterOf(1), revNat: 2 ** 33 + o.value }
                : { backendId: o.value }
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
        for (const o of ops) {
          expect(m.peek(o.key)).toEqual(h.peek(o.key))
          expect(m.has(o.key)).toBe(h.has(o.key))
          expect(m.lookupInto(o.key, oa)).toEqual(h.lookupInto(o.key, ob))
          if (o.key >= 0) checkMaster(o.key)
          if (o.key < 0) {
            const s = h.lookupInto(o.key, ob)
            expect(m.lookupSlotInto(o.key, oa)).toBe(s && 'backendId' in s ? s.backendId : -1)
            const p = h.peek(o.key)
            expect(m.peekSlot(o.key)).toBe(p && 'backendId' in p ? p.backendId : -1)
          }
        }
        expect([...m.entries()]).toEqual([...h.entries()])
        expect(m.size).toBe(h.size)
        expect(m.counters).toEqual(h.counters)
        expect(ca).toEqual(cb)
        const id = m.costIds.lookup
        expect(oa.get(id)).toBe(ob.get(id))
      }),
      { numRuns: 200 },
    )
  })
})

describe('NodeMaps slot runs (ServicesMap.lookupSlotOf) against the slot keys', () => {
  type V = ServiceMaster | ServiceSlot
  // what the agent's programmer does (node/programmer.ts service()): slot keys lowest-free-first, the first
  // ones of a rewritten service kept, extra ones deleted and freed, the master written last; beside it, the
  // writes no agent makes: a slot entry rewritten or deleted on its own, a master whose keys are not one run
  // or fewer than its count, a slot key that holds a master
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('service' as const),
      svc: fc.integer({ min: 0, max: 7 }),
      n: fc.integer({ min: 0, max: 6 }),
      extra: fc.integer({ min: 0, max: 2 }),
      ids: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 6, maxLength: 6 }),
    }),
    fc.record({ kind: fc.constant('remove' as const), svc: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('reserve' as const), n: fc.integer({ min: 0, max: 60 }) }),
    fc.record({
      kind: fc.constantFrom('slot' as const, 'dropSlot' as const, 'masterAtSlot' as const),
      at: fc.integer({ min: 1, max: 40 }),
      id: fc.integer({ min: 0, max: 50 }),
    }),
    fc.record({
      kind: fc.constant('odd' as const),
      svc: fc.integer({ min: 0, max: 7 }),
      keys: fc.array(fc.integer({ min: -40, max: -1 }), { maxLength: 4 }),
      count: fc.integer({ min: 0, max: 5 }),
    }),
  )

  it('answers every slot of every master as lookupSlotInto of its slot key does, counted the same', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const m = new NodeMaps(max, 251).services
        const h = new BpfHashMap<number | string, V>({ ...m.spec, type: 'hash' })
        const both = (f: (x: typeof h) => void) => {
          errnoOf(() => f(m))
          errnoOf(() => f(h))
        }
        const free: number[] = []
        let next = 1
        const take = () => {
          free.sort((a, b) => a - b)
          return free.length > 0 ? (free.shift() as number) : next++
        }
        const masters = new Map<number, ServiceMaster>()
        const keyOf = (svc: number) => serviceKey(0x0a600000 + svc, 80, 6, 0)
        for (const o of ops) {
          if (o.kind === 'service') {
            const old = masters.get(o.svc)
            const n = o.n
            const slotKeys: number[] = []
            for (let i = 0; i < n + o.extra; i++) {
              const k = old && i < old.slotKeys.length ? old.slotKeys[i] : -take()
              slotKeys.push(k)
              both((x) => x.update(k, { backendId: o.ids[i % 6] }))
            }
            for (let i = n + o.extra; old && i < old.slotKeys.length; i++) {
              const k = old.slotKeys[i]
              both((x) => x.delete(k))
              free.push(-k)
            }
            const master = { ...masterOf(n), slotKeys }
            masters.set(o.svc, master)
            both((x) => x.update(keyOf(o.svc), master))
          } else if (o.kind === 'remove') {
            const old = masters.get(o.svc)
            if (!old) continue
            masters.delete(o.svc)
            both((x) => x.delete(keyOf(o.svc)))
            for (const k of old.slotKeys) {
              both((x) => x.delete(k))
              free.push(-k)
            }
          } else if (o.kind === 'reserve') m.reserveSlots(o.n)
          else if (o.kind === 'slot') both((x) => x.update(-o.at, { backendId: o.id }))
          else if (o.kind === 'dropSlot') both((x) => x.delete(-o.at))
          else if (o.kind === 'masterAtSlot') {
            const v = masterOf(o.id)
            both((x) => x.update(-o.at, v))
          } else if (o.kind === 'odd') {
            const master = { ...masterOf(o.count), slotKeys: o.keys }
            masters.set(o.svc, master)
            both((x) => x.update(keyOf(o.svc), master))
          }
        }
        const oa = new OpCounts()
        const ob = new OpCounts()
        for (const master of masters.values())
          for (let slot = 1; slot <= master.count; slot++) {
            const s = h.lookupInto(master.slotKeys[slot - 1], ob)
            expect(m.lookupSlotOf(master, slot, oa)).toBe(s && 'backendId' in s ? s.backendId : -1)
          }
        expect(m.counters).toEqual(h.counters)
        const id = m.costIds.lookup
        expect(oa.get(id)).toBe(ob.get(id))
        expect([...m.entries()]).toEqual([...h.entries()])
      }),
      { numRuns: 300 },
    )
  })

  it('reads a run of slot keys from the column and anything else through the keys', () => {
    const m = new NodeMaps(max, 251).services
    for (let i = 1; i <= 6; i++) m.update(-i, { backendId: 10 + i })
    const run = { ...masterOf(3), slotKeys: [-2, -3, -4] }
    const gaps = { ...masterOf(2), slotKeys: [-5, -1] }
    const short = { ...masterOf(3), slotKeys: [-2, -3] }
    m.update(serviceKey(0x0a600001, 80, 6, 0), run)
    m.update(serviceKey(0x0a600002, 80, 6, 0), gaps)
    m.update(serviceKey(0x0a600003, 80, 6, 0), short)
    expect([run.slotBase, gaps.slotBase, short.slotBase]).toEqual([2, 0, 0])
    const ops = new OpCounts()
    expect([1, 2, 3].map((s) => m.lookupSlotOf(run, s, ops))).toEqual([12, 13, 14])
    expect([1, 2].map((s) => m.lookupSlotOf(gaps, s, ops))).toEqual([15, 11])
    expect(m.lookupSlotOf(short, 3, ops)).toBe(-1)
  })
})

describe('NodeMaps backends map address/port column against a plain hash map', () => {
  const backend = (id: number, addr: number, port: number): ProgrammedBackend => ({
    id,
    addr,
    port,
    proto: 6,
    state: 'active',
  })
  // dense ids, 0, ids past the column's first growth and one beyond its reach
  const id = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(3000, 9000, 2 ** 31 + 5) },
  )
  const op = fc.record({
    kind: fc.constantFrom('update', 'update', 'update', 'delete', 'clear', 'reserve'),
    id,
    // (−5 and 70000: values the column cannot hold, left to the record)
    addr: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, -5)),
    port: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constantFrom(0, 70000)),
  })

  it('answers address and port as lookupInto of the record does, counted the same', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const m = new NodeMaps(max, 251).backends
        const h = new BpfHashMap<number, ProgrammedBackend>({ ...m.spec, type: 'hash' })
        for (const o of ops) {
          if (o.kind === 'clear') {
            m.clear()
            h.clear()
            continue
          }
          if (o.kind === 'reserve') {
            m.reserve((o.id % 100) + 40)
            continue
          }
          const b = backend(o.id, o.addr, o.port)
          const a = errnoOf(() => (o.kind === 'delete' ? m.delete(o.id) : m.update(o.id, b)))
          expect(a).toBe(errnoOf(() => (o.kind === 'delete' ? h.delete(o.id) : h.update(o.id, b))))
        }
        const oa = new OpCounts()
        const ob = new OpCounts()
        for (const o of [...ops, { id: 41 }, { id: 5000 }]) {
          const r = h.lookupInto(o.id, ob)
          const found = m.lookupAddrPortInto(o.id, oa)
          expect(found).toBe(r !== undefined)
          if (r) expect([m.foundAddr, m.foundPort]).toEqual([r.addr, r.port])
        }
        expect(m.counters).toEqual(h.counters)
        expect(oa.get(m.costIds.lookup)).toBe(ob.get(h.costIds.lookup))
      }),
      { numRuns: 300 },
    )
  })
})

/** A profile that only counts (the slot-copy tests compare counts). */
const countsOnly: CostProfile = {
  schemaVersion: 1,
  name: 'counts only',
  description: 'test',
  provenance: { method: 'anchors', notes: '' },
  constants: {},
}

/**
 * Writes under the slot copies (`ServicesMap.slotCopy` and the masters' cells' copies of them), with their
 * weights: backends (few ids, addresses and ports: an id's address or port often changes under a slot),
 * slot entries at `key`, ipcache entries of the backends' addresses (as /32s, or a /24 over two of them),
 * and clears.
 */
function copyWrites(key: fc.Arbitrary<number>, w: { backend: number; slot: number; ipcache: number }) {
  const bid = fc.integer({ min: 0, max: 4 })
  const addr = fc.constantFrom(0xc6120001, 0xc6120002, 7)
  return [
    {
      weight: w.backend,
      arbitrary: fc.record({
        kind: fc.constant('backend' as const),
        id: bid,
        addr,
        port: fc.constantFrom(80, 81),
      }),
    },
    {
      weight: Math.ceil(w.backend / 2),
      arbitrary: fc.record({ kind: fc.constant('unbackend' as const), id: bid }),
    },
    { weight: w.slot, arbitrary: fc.record({ kind: fc.constant('slot' as const), key, id: bid }) },
    { weight: Math.ceil(w.slot / 2), arbitrary: fc.record({ kind: fc.constant('unslot' as const), key }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom('clearBackends' as const, 'clearServices' as const, 'clearIpcache' as const),
      }),
    },
    {
      weight: w.ipcache,
      arbitrary: fc.record({
        kind: fc.constantFrom('ipcache' as const, 'unipcache' as const),
        addr,
        prefix: fc.constantFrom(32, 32, 24),
        identity: fc.integer({ min: 1, max: 5 }),
      }),
    },
  ]
}

type CopyWrite = ReturnType<typeof copyWrites>[number]['arbitrary'] extends fc.Arbitrary<infer T> ? T : never

/** Makes write `o` (`copyWrites`) on `m`; a delete of what is absent is skipped. */
function writeUnderCopies(m: NodeMaps, o: CopyWrite): void {
  if (o.kind === 'backend')
    m.backends.update(o.id, { id: o.id, addr: o.addr, port: o.port, proto: 6, state: 'active' })
  else if (o.kind === 'unbackend') {
    if (m.backends.has(o.id)) m.backends.delete(o.id)
  } else if (o.kind === 'slot') m.services.updateSlot(o.key, o.id)
  else if (o.kind === 'unslot') {
    if (m.services.has(o.key)) m.services.delete(o.key)
  } else if (o.kind === 'ipcache') {
    const at = o.prefix === 32 ? o.addr : o.addr & 0xffffff00
    m.ipcache.update(o.prefix, at, { identity: o.identity, tunnelEndpoint: 0, source: 'pod' })
  } else if (o.kind === 'unipcache') {
    const at = o.prefix === 32 ? o.addr : o.addr & 0xffffff00
    if (m.ipcache.has(o.prefix, at)) m.ipcache.delete(o.prefix, at)
  } else if (o.kind === 'clearBackends') m.backends.clear()
  else if (o.kind === 'clearServices') m.services.clear()
  else if (o.kind === 'clearIpcache') m.ipcache.clear()
}

describe('ServicesMap.lookupSlotBackendInto (slot copies of the backend address and its ipcache answer) against the lookups', () => {
  // few ids and keys, long runs: slots find their backends, which then change under them
  const key = fc.integer({ min: -5, max: -1 })
  const op = fc.oneof(...copyWrites(key, { backend: 4, slot: 4, ipcache: 3 }), {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('lookup' as const), key, renew: fc.boolean() }),
  })

  it('answers the id, address and port, and counts, of lookupSlotInto then lookupAddrPortInto, and a valid ipcache copy is the ipcache lookup, after any writes', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 40, maxLength: 150 }), (ops) => {
        const a = new NodeMaps(max, 251)
        const b = new NodeMaps(max, 251)
        for (const o of ops) {
          if (o.kind === 'lookup') {
            const oa = new OpCounts()
            const ob = new OpCounts()
            const got = a.services.lookupSlotBackendInto(o.key, oa)
            const id = b.services.lookupSlotInto(o.key, ob)
            const found = id >= 0 && b.backends.lookupAddrPortInto(id, ob)
            expect(got).toBe(found ? id : -1)
            if (found)
              expect([a.backends.foundAddr, a.backends.foundPort]).toEqual([
                b.backends.foundAddr,
                b.backends.foundPort,
              ])
            const sa = oa.summary(countsOnly)
            const sb = ob.summary(countsOnly)
            expect([sa.ids, sa.values]).toEqual([sb.ids, sb.values])
            if (found) {
              // the slot's record answered (its id, address and port kept with it: the path lean packets take)
              expect(a.services.foundSlot).toBe(-o.key)
              // a copy said valid is the ipcache's answer now; else the answer, as identityOf renews it
              const addr = b.backends.foundAddr
              const num = b.ipcache.lookupNumWordsInto(addr, 0, new OpCounts())
              const prefixLen = b.ipcache.lastPrefixLen
              if (a.services.foundIpcacheValid)
                expect([a.services.foundIpcacheNum, a.services.foundIpcachePrefixLen]).toEqual([
                  num,
                  prefixLen,
                ])
              else if (o.renew) a.services.refreshIpcacheCopy(a.services.foundSlot, addr, num, prefixLen)
              // an answer for another address is not taken
              else a.services.refreshIpcacheCopy(a.services.foundSlot, addr ^ 1, num + 1, 8)
            }
            continue
          }
          for (const m of [a, b]) writeUnderCopies(m, o)
        }
        expect(a.services.counters).toEqual(b.services.counters)
        expect(a.backends.counters).toEqual(b.backends.counters)
      }),
      { numRuns: 400 },
    )
  })
})

describe('ServicesMap.lookupSlotBackendAt (slot copies in the master cell) against the lookups', () => {
  const svc = fc.integer({ min: 0, max: 2 })
  // three masters over six slot keys (runs that overlap, as no agent writes them, so a slot write lands
  // under two cells), the backends and ipcache entries their copies hold, written under them
  const op = fc.oneof(
    ...copyWrites(fc.integer({ min: -6, max: -1 }), { backend: 3, slot: 3, ipcache: 2 }),
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('master' as const),
        svc,
        base: fc.integer({ min: 1, max: 4 }),
        n: fc.integer({ min: 0, max: 3 }),
        affinity: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('unmaster' as const), svc }) },
    {
      weight: 12,
      arbitrary: fc.record({
        kind: fc.constant('lookup' as const),
        svc,
        // a few packets to the service in a row: the first after a write renews the copies, the others take them
        ks: fc.array(fc.nat(2), { minLength: 1, maxLength: 4 }),
        renew: fc.boolean(),
      }),
    },
  )
  const keyOf = (i: number) => serviceKey(0x0a600000 + i, 80, 6, 0)

  it('answers the id, address and port, counts and ipcache answer of the slot and backend lookups, from the cell while nothing under it was written', () => {
    let inCell = 0
    let fromRecord = 0
    fc.assert(
      fc.property(fc.array(op, { minLength: 40, maxLength: 150 }), (ops) => {
        const a = new NodeMaps(max, 251)
        const b = new NodeMaps(max, 251)
        // the masters' index made (one lookup, counted alike)
        for (const m of [a, b]) m.services.lookupMaster(keyOf(0), new OpCounts())
        const lookup = (c: number, slot: number, renew: boolean) => {
          const oa = new OpCounts()
          const ob = new OpCounts()
          const got = a.services.lookupSlotBackendAt(c, slot, oa)
          if (a.services.foundInCell) inCell++
          else fromRecord++
          const id = b.services.lookupSlotInto(-slot, ob)
          const found = id >= 0 && b.backends.lookupAddrPortInto(id, ob)
          expect(got).toBe(found ? id : -1)
          const sa = oa.summary(countsOnly)
          const sb = ob.summary(countsOnly)
          expect([sa.ids, sa.values]).toEqual([sb.ids, sb.values])
          if (!found) return
          expect([a.backends.foundAddr, a.backends.foundPort]).toEqual([
            b.backends.foundAddr,
            b.backends.foundPort,
          ])
          expect(a.services.foundSlot).toBe(slot)
          const at = b.backends.foundAddr
          const num = b.ipcache.lookupNumWordsInto(at, 0, new OpCounts())
          const prefixLen = b.ipcache.lastPrefixLen
          // a copy taken (from the cell or the record) is the ipcache's answer now, and stands for the
          // lookup for this address only; else identityOf's lookup renews the record's
          if (a.services.ipcacheCopyFor(slot, at))
            expect([a.services.foundIpcacheNum, a.services.foundIpcachePrefixLen]).toEqual([num, prefixLen])
          else if (renew) a.services.refreshIpcacheCopy(slot, at, num, prefixLen)
          expect(a.services.ipcacheCopyFor(slot, at ^ 1)).toBe(false)
        }
        for (const o of ops) {
          if (o.kind === 'lookup') {
            const c = a.services.peekMaster(keyOf(o.svc))
            if (c < 0 || !a.services.masterPlain(c)) continue
            const count = a.services.masterCount(c)
            const base = a.services.masterSlotBase(c)
            if (count <= 0 || base <= 0) continue
            for (const k of o.ks) lookup(c, base + (k % count), o.renew)
            continue
          }
          for (const m of [a, b]) {
            if (o.kind === 'master') {
              const slotKeys = Array.from({ length: o.n }, (_, i) => -(o.base + i))
              const flags = o.affinity ? SVC_FLAG_AFFINITY : 0
              m.services.update(keyOf(o.svc), { ...masterOf(o.n), flags, slotKeys })
            } else if (o.kind === 'unmaster') {
              if (m.services.has(keyOf(o.svc))) m.services.delete(keyOf(o.svc))
            } else writeUnderCopies(m, o)
          }
        }
        expect(a.services.counters).toEqual(b.services.counters)
        expect(a.backends.counters).toEqual(b.backends.counters)
      }),
      { numRuns: 400 },
    )
    // both ways were taken, many times
    expect(inCell).toBeGreaterThan(300)
    expect(fromRecord).toBeGreaterThan(300)
  })

  it("keeps a master's affinity timeout and filteredOut in its cell together", () => {
    const m = new NodeMaps(max, 251).services
    const keys = [0, 1, 2].map(keyOf)
    m.update(keys[0], { ...masterOf(0), affinityTimeout: 86400, filteredOut: true })
    m.update(keys[1], { ...masterOf(0), affinityTimeout: 10800, filteredOut: false })
    // a timeout the cell cannot hold: the record is read
    m.update(keys[2], { ...masterOf(0), affinityTimeout: 2 ** 30, filteredOut: true })
    const ops = new OpCounts()
    const [c0, c1, c2] = keys.map((k) => m.lookupMaster(k, ops))
    expect([m.masterPlain(c0), m.masterAffinityTimeout(c0), m.masterFilteredOut(c0)]).toEqual([
      true,
      86400,
      true,
    ])
    expect([m.masterPlain(c1), m.masterAffinityTimeout(c1), m.masterFilteredOut(c1)]).toEqual([
      true,
      10800,
      false,
    ])
    expect(m.masterPlain(c2)).toBe(false)
    expect(m.masterAt(c2).affinityTimeout).toBe(2 ** 30)
  })
})

describe('PolicyMaps', () => {
  it('answers byId as get, through sets, deletes and clears of dense and other ids', () => {
    const maps = new NodeMaps(max, 251)
    const tries = [maps.newPolicyMap(), maps.newPolicyMap()]
    const id = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(-1, 65535, 65536, 70000, 2 ** 31))
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            op: fc.constantFrom('set', 'set', 'delete', 'clear'),
            id,
            t: fc.integer({ min: 0, max: 1 }),
          }),
          { maxLength: 60 },
        ),
        fc.array(id, { minLength: 1, maxLength: 10 }),
        (ops, probes) => {
          const p = new PolicyMaps()
          for (const o of ops) {
            if (o.op === 'set') p.set(o.id, tries[o.t])
            else if (o.op === 'delete') p.delete(o.id)
            else p.clear()
            for (const q of [...probes, o.id]) expect(p.byId(q)).toBe(p.get(q))
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
