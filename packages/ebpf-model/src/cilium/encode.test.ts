import { ipToU32 } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { ALLOW, ctEntry } from './_testing'
import { IPPROTO_TCP, SVC_FLAG_NODEPORT, TUPLE_F_SERVICE } from './constants'
import {
  encodeCtEntry,
  encodeEndpointInfo,
  encodeEndpointKey,
  encodeIpcacheKey,
  encodeIpv4CtTuple,
  encodeIpv4NatEntry,
  encodeLb4AffinityKey,
  encodeLb4Backend,
  encodeLb4Key,
  encodeLb4ReverseNat,
  encodeLb4Service,
  encodeLbAffinityVal,
  encodeNatTuple,
  encodePolicyEntry,
  encodePolicyKey,
  encodeRemoteEndpointInfo,
  hexBytes,
} from './encode'
import { CILIUM_MAP_LAYOUTS } from './layouts'

describe('C struct encodings', () => {
  it('have exactly the sizes of the layouts', () => {
    const L = CILIUM_MAP_LAYOUTS
    const t = { daddr: 1, saddr: 2, dport: 3, sport: 4, nexthdr: 6, flags: 0 }
    expect(encodeLb4Key({ address: 1, dport: 2, backendSlot: 3, proto: 0, scope: 0 }).length).toBe(
      L.cilium_lb4_services_v2.keySize,
    )
    expect(encodeLb4Service({ backendId: 1, count: 2, revNatIndex: 3, flags: 0, flags2: 0 }).length).toBe(
      L.cilium_lb4_services_v2.valueSize,
    )
    expect(encodeLb4Backend({ address: 1, port: 2, proto: 0, flags: 0, clusterId: 0 }).length).toBe(
      L.cilium_lb4_backends_v3.valueSize,
    )
    expect(encodeLb4ReverseNat({ address: 1, port: 2 }).length).toBe(L.cilium_lb4_reverse_nat.valueSize)
    expect(encodeLb4AffinityKey({ clientIp: 1, revNatId: 2, netnsCookie: false }).length).toBe(
      L.cilium_lb4_affinity.keySize,
    )
    expect(encodeLbAffinityVal({ lastUsed: 1, backendId: 2 }).length).toBe(L.cilium_lb4_affinity.valueSize)
    expect(encodeIpcacheKey({ address: 1, prefix: 32, clusterId: 0 }).length).toBe(L.cilium_ipcache.keySize)
    expect(
      encodeRemoteEndpointInfo({ secIdentity: 1, tunnelEndpoint: 0, nodeId: 0, key: 0, flags: 0 }).length,
    ).toBe(L.cilium_ipcache.valueSize)
    expect(
      encodePolicyKey({ identity: 1, egress: false, protocol: 6, dport: 80, portPrefixLen: 16 }).length,
    ).toBe(L.cilium_policy.keySize)
    expect(encodePolicyEntry(ALLOW).length).toBe(L.cilium_policy.valueSize)
    expect(encodeIpv4CtTuple(t).length).toBe(L.cilium_ct4_global.keySize)
    expect(encodeCtEntry(ctEntry(1)).length).toBe(L.cilium_ct4_global.valueSize)
    expect(encodeIpv4NatEntry({ created: 1, needsCt: true, toAddress: 1, toPort: 2 }).length).toBe(
      L.cilium_snat_v4_external.valueSize,
    )
    expect(encodeEndpointKey(1).length).toBe(L.cilium_lxc.keySize)
    expect(encodeEndpointInfo({ ifindex: 1, lxcId: 2, flags: 0, mac: 0n, nodeMac: 0n }).length).toBe(
      L.cilium_lxc.valueSize,
    )
  })

  it('put addresses and ports in network order and host fields little-endian', () => {
    const k = encodeLb4Key({ address: ipToU32('10.96.0.10'), dport: 53, backendSlot: 1, proto: 0, scope: 1 })
    expect(hexBytes(k)).toBe('0a 60 00 0a 00 35 01 00 00 01 00 00')
    const v = encodeLb4Service({
      backendId: 0x01020304,
      count: 2,
      revNatIndex: 7,
      flags: SVC_FLAG_NODEPORT,
      flags2: 0,
    })
    expect(hexBytes(v)).toBe('04 03 02 01 02 00 07 00 02 00 00 00')
  })

  it('write LPM keys with their prefix length header: ipcache 32 static bits + the CIDR', () => {
    const k = encodeIpcacheKey({ address: ipToU32('10.0.1.0'), prefix: 24, clusterId: 0 })
    expect(hexBytes(k.subarray(0, 12))).toBe('38 00 00 00 00 00 00 01 0a 00 01 00')
    const p = encodePolicyKey({
      identity: 0x1234,
      egress: true,
      protocol: IPPROTO_TCP,
      dport: 8080,
      portPrefixLen: 12,
    })
    expect(hexBytes(p)).toBe('3c 00 00 00 34 12 00 00 01 06 1f 90')
  })

  it('lays out CT keys with the addresses swapped and NAT keys as the packet has them', () => {
    const t = encodeIpv4CtTuple({
      daddr: ipToU32('10.96.0.10'),
      saddr: ipToU32('10.0.1.5'),
      dport: 53,
      sport: 40000,
      nexthdr: 17,
      flags: TUPLE_F_SERVICE,
    })
    // the conntrack key holds the source address in its `daddr` field (ipv4_ct_tuple_reverse)
    expect(hexBytes(t)).toBe('0a 00 01 05 0a 60 00 0a 00 35 9c 40 11 04')
    const n = encodeNatTuple({
      daddr: ipToU32('1.1.1.1'),
      saddr: ipToU32('10.0.1.5'),
      dport: 443,
      sport: 40000,
      nexthdr: 6,
      flags: 0,
    })
    expect(hexBytes(n.subarray(0, 8))).toBe('01 01 01 01 0a 00 01 05')
  })
})
