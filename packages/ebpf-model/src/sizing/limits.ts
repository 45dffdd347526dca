/**
 * Map size defaults and limits of Cilium v1.16, pkg/option/config.go (and pkg/defaults for the policy and LB
 * maps). Names follow the Go constants.
 */
export const CT_MAP_ENTRIES_GLOBAL_TCP_DEFAULT = 2 << 18 // 524288
export const CT_MAP_ENTRIES_GLOBAL_ANY_DEFAULT = 2 << 17 // 262144
/** int((CTMapEntriesGlobalTCPDefault + CTMapEntriesGlobalAnyDefault) * 2 / 3) */
export const NAT_MAP_ENTRIES_GLOBAL_DEFAULT = Math.trunc(
  ((CT_MAP_ENTRIES_GLOBAL_TCP_DEFAULT + CT_MAP_ENTRIES_GLOBAL_ANY_DEFAULT) * 2) / 3,
) // 524288
export const SOCK_REV_NAT_MAP_ENTRIES_DEFAULT = CT_MAP_ENTRIES_GLOBAL_ANY_DEFAULT

export const LIMIT_TABLE_MIN = 1 << 10
export const LIMIT_TABLE_MAX = 1 << 24
export const LIMIT_TABLE_AUTO_GLOBAL_TCP_MIN = 1 << 17
export const LIMIT_TABLE_AUTO_GLOBAL_ANY_MIN = 1 << 16
export const LIMIT_TABLE_AUTO_NAT_GLOBAL_MIN = 1 << 17
export const LIMIT_TABLE_AUTO_SOCK_REV_NAT_MIN = 1 << 16

/** pkg/defaults PolicyMapEntries and the bounds checkMapSizeLimits enforces (PolicyMapMin/Max). */
export const POLICY_MAP_ENTRIES_DEFAULT = 16384
export const POLICY_MAP_MIN = 1 << 8
export const POLICY_MAP_MAX = 1 << 16
/** pkg/defaults LBMapEntries (`bpf-lb-map-max`). */
export const LB_MAP_ENTRIES_DEFAULT = 65536
/** pkg/maps/ipcache MaxEntries: fixed, not an option. */
export const IPCACHE_MAP_ENTRIES = 512000
/** pkg/maps/lxcmap MaxEntries. */
export const LXC_MAP_ENTRIES = 65535
/** `bpf-map-dynamic-size-ratio` in the reference deployment (Helm default). */
export const DYNAMIC_SIZE_RATIO_DEFAULT = 0.0025

/**
 * Bytes per element the agent passes to `SetMapElementSizes` (daemon/cmd): key + value of the IPv6 variant,
 * the larger one, so the share of memory is not underestimated with IPv6 on.
 */
export const MAP_ELEMENT_SIZES = {
  /** ctmap.SizeofCtKey6Global (38, struct ipv6_ct_tuple) + SizeofCtEntry (56) */
  ct: 94,
  /** nat.SizeofNatKey6 (38) + SizeofNatEntry6 (56) */
  nat: 94,
  /** neighborsmap.SizeofNeighKey6 (16) + SizeOfNeighValue (8) */
  neigh: 24,
  /** lbmap.SizeofSockRevNat6Key (28) + SizeofSockRevNat6Value (20) */
  sockRevNat: 48,
} as const
