/**
 * Cilium v1.16 BPF map keys and values as TypeScript records, one per C struct of bpf/lib/common.h
 * (and bpf/lib/nat.h for the NAT entry). Addresses are uint32 host-order numbers here; the byte encodings
 * (`encode.ts`) put them in network order where Cilium stores them so (`__be32`, `__be16`).
 */

/** struct lb4_key (12 bytes). `backendSlot` 0 is the service's master entry. */
export interface Lb4Key {
  address: number
  dport: number
  backendSlot: number
  /** L4 protocol; Cilium 1.16 writes 0 (IPPROTO_ANY): "currently not used" */
  proto: number
  /** LB_LOOKUP_SCOPE_EXT or LB_LOOKUP_SCOPE_INT */
  scope: number
}

/** struct lb4_service (12 bytes). On the master entry `backendId` is the affinity timeout and `count` the slots. */
export interface Lb4Service {
  backendId: number
  count: number
  revNatIndex: number
  /** SVC_FLAG_* */
  flags: number
  /** SVC_FLAG2_* */
  flags2: number
}

/** struct lb4_backend (12 bytes), keyed by the u32 backend id. */
export interface Lb4Backend {
  address: number
  port: number
  proto: number
  /** BE_STATE_* */
  flags: number
  clusterId: number
}

/** struct lb4_reverse_nat (6 bytes, packed), keyed by the u16 rev_nat_index. */
export interface Lb4ReverseNat {
  address: number
  port: number
}

/** struct lb4_affinity_key (16 bytes, packed): client IP (or netns cookie) + rev NAT id. */
export interface Lb4AffinityKey {
  clientIp: number
  revNatId: number
  /** the client id is a socket's netns cookie (socket-LB) rather than an IP */
  netnsCookie: boolean
}

/** struct lb_affinity_val (16 bytes, packed). */
export interface LbAffinityVal {
  /** bpf_mono_now() seconds at last use */
  lastUsed: number
  backendId: number
}

/** struct lb4_src_range_key (12 bytes, LPM): rev NAT id (static 32-bit prefix) then the source CIDR. */
export interface Lb4SrcRangeKey {
  revNatId: number
  address: number
  /** the CIDR's prefix length (the LPM prefix is 32 + this) */
  prefix: number
}

/** struct ipcache_key (24 bytes, LPM over cluster_id, family and the address). IPv4, cluster 0 here. */
export interface IpcacheKey {
  address: number
  /** the CIDR's prefix length; the LPM prefixlen Cilium writes is 32 + this (getStaticPrefixBits) */
  prefix: number
  clusterId: number
}

/** struct remote_endpoint_info (12 bytes). */
export interface RemoteEndpointInfo {
  secIdentity: number
  /** node IP for tunnelled destinations; 0 in native routing */
  tunnelEndpoint: number
  nodeId: number
  /** IPsec key index */
  key: number
  /** flag_skip_tunnel and friends (v1.16 `flags` byte) */
  flags: number
}

/** struct policy_key (12 bytes, LPM over sec_label, egress, protocol, dport). */
export interface PolicyKey {
  /** remote security identity; 0 is the L3 wildcard, looked up separately */
  identity: number
  egress: boolean
  /** 0 = any protocol (only when the port is wildcarded too) */
  protocol: number
  /** start of the port range; 0 with `portPrefixLen` 0 = any port */
  dport: number
  /** leading bits of `dport` that must match: 16 = one port, 0 = any, k = a 2^(16−k) aligned range */
  portPrefixLen: number
}

/** struct policy_entry (24 bytes). */
export interface PolicyEntry {
  /** L7 proxy redirect port, 0 when none */
  proxyPort: number
  deny: boolean
  wildcardProtocol: boolean
  wildcardDport: boolean
  /**
   * v1.16 `lpm_prefix_length:5`: prefix bits of the key beyond the static identity + direction (0 = any
   * protocol, 8 = protocol only, 8 + port bits); `__policy_check` compares it between the L3-specific and
   * the L3-wildcard match. PolicyMap.update fills it (and the wildcard bits) from the key.
   */
  lpmPrefixLength?: number
  /** 0 disabled, 1 spire, 2 always-fail */
  authType: number
  packets: number
  bytes: number
}

/**
 * struct ipv4_ct_tuple (14 bytes, packed). Fields here are named for the direction of the flow the entry
 * describes (saddr = its source); the C conntrack key stores the addresses swapped, which `encodeIpv4CtTuple`
 * reproduces, and the dumps print `saddr:sport -> daddr:dport` as cilium-dbg does.
 */
export interface Ipv4CtTuple {
  daddr: number
  saddr: number
  dport: number
  sport: number
  nexthdr: number
  /** TUPLE_F_* */
  flags: number
}

/** struct ct_entry (56 bytes). Times are bpf_mono_now() seconds. */
export interface CtEntry {
  rxPackets: number
  /** rx_bytes, or the backend id on CT_SERVICE entries */
  rxBytes: number
  txPackets: number
  txBytes: number
  /** expiry time: now + the lifetime for the flow's state */
  lifetime: number
  rxClosing: boolean
  txClosing: boolean
  seenNonSyn: boolean
  nodePort: boolean
  proxyRedirect: boolean
  dsr: boolean
  revNatIndex: number
  ifindex: number
  txFlagsSeen: number
  rxFlagsSeen: number
  srcSecId: number
  lastTxReport: number
  lastRxReport: number
}

/** struct ipv4_nat_entry (40 bytes): nat_entry header + the translated address/port. */
export interface Ipv4NatEntry {
  /** bpf_mono_now() seconds at creation */
  created: number
  needsCt: boolean
  /** to_saddr (egress entries) or to_daddr (ingress / reverse entries) */
  toAddress: number
  toPort: number
}

/** struct endpoint_key (20 bytes) → struct endpoint_info (48 bytes): the cilium_lxc map. */
export interface EndpointInfo {
  ifindex: number
  lxcId: number
  /** ENDPOINT_F_HOST for the host endpoint */
  flags: number
  mac: bigint
  nodeMac: bigint
}
