import { ipToU32 } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { maglevTable } from '../maglev/table'
import { Lb4AffinityMap } from './lbAffinityMap'
import { createLb4BackendsMap, createLb4ReverseNatMap } from './lbBackendsMap'
import { Lb4MaglevMap } from './lbMaglevMap'
import { Lb4SourceRangeMap } from './lbSourceRangeMap'

describe('load-balancer maps', () => {
  it('create backends and rev NAT maps as NO_PREALLOC hashes by default, preallocated on request', () => {
    const b = createLb4BackendsMap()
    expect(b.info()).toMatchObject({ name: 'cilium_lb4_backends_v3', keySize: 4, valueSize: 12, flags: 1 })
    expect(createLb4ReverseNatMap({ preallocate: true }).info()).toMatchObject({
      keySize: 2,
      valueSize: 6,
      flags: 0,
    })
  })

  it('look up a backend through the Maglev outer map, the inner array and hash % M', () => {
    const mg = new Lb4MaglevMap({ tableSize: 251 })
    const table = maglevTable(
      [
        { id: 5, address: ipToU32('10.0.0.5'), port: 80, protocol: 'TCP' },
        { id: 6, address: ipToU32('10.0.0.6'), port: 80, protocol: 'TCP' },
      ],
      251,
    )
    mg.setTable(3, table)
    const counts: Record<string, number> = {}
    expect(mg.lookupBackend(3, 251 + 17, counts)).toBe(table[17])
    expect(mg.lookupBackend(4, 17, counts)).toBe(0)
    expect(counts).toEqual({
      'bpf.lookup.hash_of_maps:cilium_lb4_maglev': 2,
      'bpf.lookup.array:cilium_lb4_maglev_inner': 1,
    })
    expect(() => mg.setTable(3, new Uint32Array(10))).toThrow(RangeError)
    // inner map: one element of 4 × 251 bytes, rounded to 8
    expect(mg.map.memlockWithInner() - mg.map.memlock()).toBe(320 + 1008)
  })

  it('remember a client backend per service in the affinity LRU', () => {
    const a = new Lb4AffinityMap()
    a.update(
      { clientIp: ipToU32('192.168.1.9'), revNatId: 12, netnsCookie: false },
      { lastUsed: 100, backendId: 7 },
    )
    expect(a.lookup(ipToU32('192.168.1.9'), 12)?.backendId).toBe(7)
    expect(a.lookup(ipToU32('192.168.1.9'), 13)).toBeUndefined()
    expect([...a.entries()][0][0]).toEqual({
      clientIp: ipToU32('192.168.1.9'),
      revNatId: 12,
      netnsCookie: false,
    })
    expect(a.map.info()).toMatchObject({ type: 'lru_hash', keySize: 16, valueSize: 16 })
  })

  it('check loadBalancerSourceRanges per service by longest prefix', () => {
    const s = new Lb4SourceRangeMap()
    s.update({ revNatId: 4, address: ipToU32('192.168.0.0'), prefix: 16 })
    expect(s.allows(4, ipToU32('192.168.3.4'))).toBe(true)
    expect(s.allows(4, ipToU32('192.169.0.1'))).toBe(false)
    expect(s.allows(5, ipToU32('192.168.3.4'))).toBe(false)
    expect([...s.entries()]).toEqual([{ revNatId: 4, address: ipToU32('192.168.0.0'), prefix: 16 }])
    s.delete({ revNatId: 4, address: ipToU32('192.168.0.0'), prefix: 16 })
    expect(s.map.size).toBe(0)
  })
})
