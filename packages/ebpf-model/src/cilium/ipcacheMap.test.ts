import { ipToU32 } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { IpcacheMap } from './ipcacheMap'
import type { RemoteEndpointInfo } from './structs'

const info = (secIdentity: number): RemoteEndpointInfo => ({
  secIdentity,
  tunnelEndpoint: 0,
  nodeId: 0,
  key: 0,
  flags: 0,
})

describe('IpcacheMap', () => {
  it('resolves an address to the identity of its longest prefix', () => {
    const c = new IpcacheMap()
    c.update({ address: 0, prefix: 0 }, info(2))
    c.update({ address: ipToU32('10.0.0.0'), prefix: 8 }, info(16777217))
    c.update({ address: ipToU32('10.0.1.5'), prefix: 32 }, info(51234))
    const counts: Record<string, number> = {}
    expect(c.lookup(ipToU32('10.0.1.5'), counts)?.secIdentity).toBe(51234)
    expect(c.lookup(ipToU32('10.9.9.9'), counts)?.secIdentity).toBe(16777217)
    expect(c.map.lastPrefixLen).toBe(8)
    expect(c.lookup(ipToU32('8.8.8.8'), counts)?.secIdentity).toBe(2)
    expect(counts).toEqual({ 'bpf.lookup.lpm_trie:cilium_ipcache': 3 })
  })

  it('has the 24-byte key, 12-byte value and 512000 entries of cilium_ipcache', () => {
    const c = new IpcacheMap()
    expect(c.map.info()).toMatchObject({ keySize: 24, valueSize: 12, maxEntries: 512000, flags: 1 })
    c.update({ address: ipToU32('10.0.1.5'), prefix: 32 }, info(1))
    expect(c.map.memlock()).toBe(40 + 20 + 12)
    expect([...c.entries()]).toEqual([[{ address: ipToU32('10.0.1.5'), prefix: 32, clusterId: 0 }, info(1)]])
  })
})
