import { ipToU32 } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { ctEntry } from './_testing'
import { IPPROTO_TCP, TUPLE_F_OUT } from './constants'
import { createCtMap, createNatMap } from './ctMap'
import type { Ipv4CtTuple } from './structs'

const tuple = (sport: number): Ipv4CtTuple => ({
  saddr: ipToU32('10.0.1.5'),
  daddr: ipToU32('10.0.2.7'),
  sport,
  dport: 80,
  nexthdr: IPPROTO_TCP,
  flags: TUPLE_F_OUT,
})

describe('conntrack and NAT maps', () => {
  it('are LRU maps with Cilium names, struct sizes and default sizes', () => {
    expect(createCtMap('tcp').map.info()).toMatchObject({
      name: 'cilium_ct4_global',
      type: 'lru_hash',
      keySize: 14,
      valueSize: 56,
      maxEntries: 524288,
    })
    expect(createCtMap('any').map.spec).toMatchObject({ name: 'cilium_ct_any4_global', maxEntries: 262144 })
    expect(createNatMap().map.spec).toMatchObject({
      name: 'cilium_snat_v4_external',
      valueSize: 40,
      maxEntries: 524288,
    })
  })

  it('creates entries from the datapath (counted as program writes) and finds them by tuple', () => {
    const ct = createCtMap('tcp')
    const counts: Record<string, number> = {}
    ct.create(tuple(40000), ctEntry(60), counts)
    const t = tuple(40000)
    expect(ct.lookup(t.daddr, t.saddr, t.dport, t.sport, t.nexthdr, t.flags, counts)?.lifetime).toBe(60)
    expect(ct.lookup(t.daddr, t.saddr, t.dport, 40001, t.nexthdr, t.flags, counts)).toBeUndefined()
    expect(counts).toEqual({
      'bpf.prog_update.lru_hash:cilium_ct4_global': 1,
      'bpf.lookup.lru_hash:cilium_ct4_global': 2,
    })
  })

  it('evicts the oldest unreferenced flow when the table is full and reports its tuple', () => {
    const ct = createCtMap('tcp', { maxEntries: 2 })
    ct.create(tuple(1), ctEntry(60))
    ct.create(tuple(2), ctEntry(60))
    const t1 = tuple(1)
    ct.lookup(t1.daddr, t1.saddr, t1.dport, t1.sport, t1.nexthdr, t1.flags)
    expect(ct.create(tuple(3), ctEntry(60))).toEqual(tuple(2))
    expect([...ct.entries()].map(([k]) => k.sport).sort()).toEqual([1, 3])
  })

  it('charges memlock for the whole preallocated table, as bpftool shows for CT maps', () => {
    // 48 + 16 + 56 = 120 bytes per element × 524288, + 524288 buckets × 16, + header and per-CPU locks
    expect(createCtMap('tcp').map.memlock()).toBe(832 + 524288 * 16 + 2 * 8 * 4 + 524288 * 120)
  })
})
