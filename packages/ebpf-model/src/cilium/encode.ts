import type {
  CtEntry,
  EndpointInfo,
  IpcacheKey,
  Ipv4CtTuple,
  Ipv4NatEntry,
  Lb4AffinityKey,
  Lb4Backend,
  Lb4Key,
  Lb4ReverseNat,
  Lb4Service,
  LbAffinityVal,
  PolicyEntry,
  PolicyKey,
  RemoteEndpointInfo,
} from './structs'

/**
 * Byte images of the C structs (bpf/lib/common.h, nat.h) as they sit in a map on x86-64: host fields
 * little-endian, `__be` fields big-endian, padding zero. For dumps (`bpftool map dump` hex) and tests, never
 * the hot path.
 */

const LE = true
const BE = false

function view(size: number): [Uint8Array, DataView] {
  const b = new Uint8Array(size)
  return [b, new DataView(b.buffer)]
}

/** struct bpf_lpm_trie_key header: u32 prefixlen, host order. */
function lpmHeader(v: DataView, prefixLen: number): void {
  v.setUint32(0, prefixLen, LE)
}

export function encodeLb4Key(k: Lb4Key): Uint8Array {
  const [b, v] = view(12)
  v.setUint32(0, k.address, BE)
  v.setUint16(4, k.dport, BE)
  v.setUint16(6, k.backendSlot, LE)
  v.setUint8(8, k.proto)
  v.setUint8(9, k.scope)
  return b
}

export function encodeLb4Service(s: Lb4Service): Uint8Array {
  const [b, v] = view(12)
  v.setUint32(0, s.backendId, LE)
  v.setUint16(4, s.count, LE)
  v.setUint16(6, s.revNatIndex, LE)
  v.setUint8(8, s.flags)
  v.setUint8(9, s.flags2)
  return b
}

export function encodeLb4Backend(be: Lb4Backend): Uint8Array {
  const [b, v] = view(12)
  v.setUint32(0, be.address, BE)
  v.setUint16(4, be.port, BE)
  v.setUint8(6, be.proto)
  v.setUint8(7, be.flags)
  v.setUint8(8, be.clusterId)
  return b
}

export function encodeLb4ReverseNat(r: Lb4ReverseNat): Uint8Array {
  const [b, v] = view(6)
  v.setUint32(0, r.address, BE)
  v.setUint16(4, r.port, BE)
  return b
}

export function encodeLb4AffinityKey(k: Lb4AffinityKey): Uint8Array {
  const [b, v] = view(16)
  v.setUint32(0, k.clientIp, BE)
  v.setUint16(8, k.revNatId, LE)
  v.setUint8(10, k.netnsCookie ? 1 : 0)
  return b
}

export function encodeLbAffinityVal(a: LbAffinityVal): Uint8Array {
  const [b, v] = view(16)
  v.setBigUint64(0, BigInt(a.lastUsed), LE)
  v.setUint32(8, a.backendId, LE)
  return b
}

/** struct ipcache_key: prefixlen = 32 static bits + the CIDR prefix; family ENDPOINT_KEY_IPV4 (1). */
export function encodeIpcacheKey(k: IpcacheKey): Uint8Array {
  const [b, v] = view(24)
  lpmHeader(v, 32 + k.prefix)
  v.setUint16(4, k.clusterId, LE)
  v.setUint8(7, 1)
  v.setUint32(8, k.address, BE)
  return b
}

export function encodeRemoteEndpointInfo(r: RemoteEndpointInfo): Uint8Array {
  const [b, v] = view(12)
  v.setUint32(0, r.secIdentity, LE)
  v.setUint32(4, r.tunnelEndpoint, BE)
  v.setUint16(8, r.nodeId, LE)
  v.setUint8(10, r.key)
  v.setUint8(11, r.flags)
  return b
}

export function encodePolicyKey(k: PolicyKey): Uint8Array {
  const [b, v] = view(12)
  lpmHeader(v, k.protocol === 0 ? 40 : 48 + k.portPrefixLen)
  v.setUint32(4, k.identity, LE)
  v.setUint8(8, k.egress ? 1 : 0)
  v.setUint8(9, k.protocol)
  v.setUint16(10, k.dport, BE)
  return b
}

export function encodePolicyEntry(e: PolicyEntry): Uint8Array {
  const [b, v] = view(24)
  v.setUint16(0, e.proxyPort, BE)
  v.setUint8(
    2,
    (e.deny ? 1 : 0) |
      (e.wildcardProtocol ? 2 : 0) |
      (e.wildcardDport ? 4 : 0) |
      ((e.lpmPrefixLength ?? 0) << 3),
  )
  v.setUint8(3, e.authType)
  v.setBigUint64(8, BigInt(e.packets), LE)
  v.setBigUint64(16, BigInt(e.bytes), LE)
  return b
}

function tupleBytes(first: number, second: number, t: Ipv4CtTuple): Uint8Array {
  const [b, v] = view(14)
  v.setUint32(0, first, BE)
  v.setUint32(4, second, BE)
  v.setUint16(8, t.dport, BE)
  v.setUint16(10, t.sport, BE)
  v.setUint8(12, t.nexthdr)
  v.setUint8(13, t.flags)
  return b
}

/**
 * A conntrack key as `ct_lookup4` stores it: the tuple is read from the packet then reversed
 * (`ipv4_ct_tuple_reverse`), so the C field `daddr` holds the flow's source address and `saddr` its
 * destination ("address fields are reversed", bpf/lib/common.h), while the ports keep their names.
 */
export function encodeIpv4CtTuple(t: Ipv4CtTuple): Uint8Array {
  return tupleBytes(t.saddr, t.daddr, t)
}

/** A NAT map key (`snat_v4_nat`): the same struct, filled straight from the packet, nothing reversed. */
export function encodeNatTuple(t: Ipv4CtTuple): Uint8Array {
  return tupleBytes(t.daddr, t.saddr, t)
}

export function encodeCtEntry(e: CtEntry): Uint8Array {
  const [b, v] = view(56)
  v.setBigUint64(0, BigInt(e.rxPackets), LE)
  v.setBigUint64(8, BigInt(e.rxBytes), LE)
  v.setBigUint64(16, BigInt(e.txPackets), LE)
  v.setBigUint64(24, BigInt(e.txBytes), LE)
  v.setUint32(32, e.lifetime, LE)
  const bits =
    (e.rxClosing ? 1 : 0) |
    (e.txClosing ? 2 : 0) |
    (e.seenNonSyn ? 1 << 4 : 0) |
    (e.nodePort ? 1 << 5 : 0) |
    (e.proxyRedirect ? 1 << 6 : 0) |
    (e.dsr ? 1 << 7 : 0)
  v.setUint16(36, bits, LE)
  v.setUint16(38, e.revNatIndex, LE)
  v.setUint16(40, e.ifindex, LE)
  v.setUint8(42, e.txFlagsSeen)
  v.setUint8(43, e.rxFlagsSeen)
  v.setUint32(44, e.srcSecId, LE)
  v.setUint32(48, e.lastTxReport, LE)
  v.setUint32(52, e.lastRxReport, LE)
  return b
}

export function encodeIpv4NatEntry(e: Ipv4NatEntry): Uint8Array {
  const [b, v] = view(40)
  v.setBigUint64(0, BigInt(e.created), LE)
  v.setBigUint64(8, e.needsCt ? 1n : 0n, LE)
  v.setUint32(32, e.toAddress, BE)
  v.setUint16(36, e.toPort, BE)
  return b
}

/** struct endpoint_key for an IPv4 endpoint (family ENDPOINT_KEY_IPV4). */
export function encodeEndpointKey(ip: number): Uint8Array {
  const [b, v] = view(20)
  v.setUint32(0, ip, BE)
  v.setUint8(16, 1)
  return b
}

export function encodeEndpointInfo(e: EndpointInfo): Uint8Array {
  const [b, v] = view(48)
  v.setUint32(0, e.ifindex, LE)
  v.setUint16(6, e.lxcId, LE)
  v.setUint32(8, e.flags, LE)
  v.setBigUint64(16, e.mac, LE)
  v.setBigUint64(24, e.nodeMac, LE)
  return b
}

/** `bpftool map dump` style hex: `0a 00 00 01 ...`. */
export function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ')
}
