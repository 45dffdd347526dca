import { ipToU32 } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { maxEntriesFor } from '../../sizing/maxEntries'
import { sizeMaps } from '../../sizing/sizeMaps'
import { createCtMap } from '../ctMap'
import { IpcacheMap } from '../ipcacheMap'
import { createLb4BackendsMap } from '../lbBackendsMap'
import { mapList, mapListRows } from './mapList'

describe('mapList', () => {
  it('lists entries, capacity, use and memlock per map, CT sized from node memory', () => {
    const max = maxEntriesFor(sizeMaps({}, 16 * 2 ** 30))
    const ct = createCtMap('tcp', { maxEntries: max.cilium_ct4_global })
    const be = createLb4BackendsMap({ maxEntries: max.cilium_lb4_backends_v3 })
    const ipc = new IpcacheMap()
    be.update(1, { address: ipToU32('10.0.0.1'), port: 80, proto: 0, flags: 0, clusterId: 0 })
    ipc.update(
      { address: ipToU32('10.0.0.1'), prefix: 32 },
      { secIdentity: 9, tunnelEndpoint: 0, nodeId: 0, key: 0, flags: 0 },
    )
    const rows = mapListRows([ct.map, be, ipc.map])
    expect(rows[0]).toMatchObject({ name: 'cilium_ct4_global', entries: 0, max: 151765, prealloc: true })
    expect(rows[0].bytes).toBeGreaterThan(151765 * 120)
    expect(rows[1]).toMatchObject({ name: 'cilium_lb4_backends_v3', entries: 1, max: 65536, prealloc: false })
    expect(rows[2]).toMatchObject({ entries: 1, max: 512000, bytes: 72 })
    const text = mapList([be])
    expect(text.split('\n')[0]).toBe(
      'NAME                     TYPE   ENTRIES   MAX     USE %   MEMLOCK   PREALLOC',
    )
    expect(text.split('\n')[1]).toMatch(/^cilium_lb4_backends_v3\s+hash\s+1\s+65536\s+0\.0\s+\d+\s+no$/)
  })
})
