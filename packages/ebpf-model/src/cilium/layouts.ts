import type { BpfMapType } from '../maps/types'

/** How Cilium creates one of its maps: C struct sizes, type, default max entries, preallocation. */
export interface CiliumMapLayout {
  /** map name as `cilium map list` / bpftool shows it (per-endpoint maps: the prefix) */
  name: string
  type: BpfMapType
  keySize: number
  valueSize: number
  /** default max_entries of the reference deployment (Cilium 1.16.3 defaults) */
  maxEntries: number
  /**
   * `CONDITIONAL_PREALLOC` maps follow `preallocate-bpf-maps` (default false → BPF_F_NO_PREALLOC); LRU and
   * ARRAY maps are always preallocated, LPM tries never.
   */
  prealloc: 'conditional' | 'always' | 'never'
  /** the agent option that sets max_entries */
  option?: string
  /** key and value C structs */
  key: string
  value: string
  /** upstream files this layout mirrors */
  upstream: string
}

/** LB_MAGLEV_LUT_SIZE default (pkg/maglev DefaultTableSize). */
export const MAGLEV_DEFAULT_TABLE_SIZE = 16381

/** The Cilium v1.16 maps the model builds, keyed by name. */
export const CILIUM_MAP_LAYOUTS = {
  cilium_lb4_services_v2: {
    name: 'cilium_lb4_services_v2',
    type: 'hash',
    keySize: 12,
    valueSize: 12,
    maxEntries: 65536,
    prealloc: 'conditional',
    option: 'bpf-lb-map-max',
    key: 'struct lb4_key',
    value: 'struct lb4_service',
    upstream: 'bpf/lib/lb.h LB4_SERVICES_MAP_V2, pkg/maps/lbmap/types.go Service4Key/Service4Value',
  },
  cilium_lb4_backends_v3: {
    name: 'cilium_lb4_backends_v3',
    type: 'hash',
    keySize: 4,
    valueSize: 12,
    maxEntries: 65536,
    prealloc: 'conditional',
    option: 'bpf-lb-map-max',
    key: '__u32 backend_id',
    value: 'struct lb4_backend',
    upstream: 'bpf/lib/lb.h LB4_BACKEND_MAP, pkg/maps/lbmap/types.go Backend4KeyV3/Backend4ValueV3',
  },
  cilium_lb4_reverse_nat: {
    name: 'cilium_lb4_reverse_nat',
    type: 'hash',
    keySize: 2,
    valueSize: 6,
    maxEntries: 65536,
    prealloc: 'conditional',
    option: 'bpf-lb-map-max',
    key: '__u16 rev_nat_index',
    value: 'struct lb4_reverse_nat',
    upstream: 'bpf/lib/lb.h LB4_REVERSE_NAT_MAP, pkg/maps/lbmap/types.go RevNat4Key/RevNat4Value',
  },
  cilium_lb4_maglev: {
    name: 'cilium_lb4_maglev',
    type: 'hash_of_maps',
    keySize: 2,
    valueSize: 4,
    maxEntries: 65536,
    prealloc: 'conditional',
    option: 'bpf-lb-map-max',
    key: '__u16 rev_nat_index',
    value: 'inner ARRAY (key __u32 0, value __u32 backend_ids[LB_MAGLEV_LUT_SIZE], max_entries 1)',
    upstream: 'bpf/lib/lb.h LB4_MAGLEV_MAP_OUTER, pkg/maps/lbmap/maglev.go',
  },
  cilium_lb4_affinity: {
    name: 'cilium_lb4_affinity',
    type: 'lru_hash',
    keySize: 16,
    valueSize: 16,
    maxEntries: 65536,
    prealloc: 'always',
    option: 'bpf-lb-map-max',
    key: 'struct lb4_affinity_key',
    value: 'struct lb_affinity_val',
    upstream: 'bpf/lib/lb.h LB4_AFFINITY_MAP, pkg/maps/lbmap/affinity.go',
  },
  cilium_lb4_source_range: {
    name: 'cilium_lb4_source_range',
    type: 'lpm_trie',
    keySize: 12,
    valueSize: 1,
    maxEntries: 65536,
    prealloc: 'never',
    option: 'bpf-lb-map-max',
    key: 'struct lb4_src_range_key',
    value: '__u8',
    upstream: 'bpf/lib/lb.h LB4_SRC_RANGE_MAP, pkg/maps/lbmap/source_range.go',
  },
  cilium_ipcache: {
    name: 'cilium_ipcache',
    type: 'lpm_trie',
    keySize: 24,
    valueSize: 12,
    maxEntries: 512000,
    prealloc: 'never',
    key: 'struct ipcache_key',
    value: 'struct remote_endpoint_info',
    upstream: 'bpf/lib/eps.h IPCACHE_MAP, pkg/maps/ipcache/ipcache.go (MaxEntries 512000)',
  },
  cilium_policy: {
    name: 'cilium_policy_',
    type: 'lpm_trie',
    keySize: 12,
    valueSize: 24,
    maxEntries: 16384,
    prealloc: 'never',
    option: 'bpf-policy-map-max',
    key: 'struct policy_key',
    value: 'struct policy_entry',
    upstream: 'bpf/lib/policy.h POLICY_MAP, pkg/maps/policymap/policymap.go',
  },
  cilium_ct4_global: {
    name: 'cilium_ct4_global',
    type: 'lru_hash',
    keySize: 14,
    valueSize: 56,
    maxEntries: 524288,
    prealloc: 'always',
    option: 'bpf-ct-global-tcp-max',
    key: 'struct ipv4_ct_tuple',
    value: 'struct ct_entry',
    upstream: 'bpf/lib/conntrack_map.h CT_MAP_TCP4, pkg/maps/ctmap/ctmap.go',
  },
  cilium_ct_any4_global: {
    name: 'cilium_ct_any4_global',
    type: 'lru_hash',
    keySize: 14,
    valueSize: 56,
    maxEntries: 262144,
    prealloc: 'always',
    option: 'bpf-ct-global-any-max',
    key: 'struct ipv4_ct_tuple',
    value: 'struct ct_entry',
    upstream: 'bpf/lib/conntrack_map.h CT_MAP_ANY4, pkg/maps/ctmap/ctmap.go',
  },
  cilium_snat_v4_external: {
    name: 'cilium_snat_v4_external',
    type: 'lru_hash',
    keySize: 14,
    valueSize: 40,
    maxEntries: 524288,
    prealloc: 'always',
    option: 'bpf-nat-global-max',
    key: 'struct ipv4_ct_tuple',
    value: 'struct ipv4_nat_entry',
    upstream: 'bpf/lib/nat.h SNAT_MAPPING_IPV4, pkg/maps/nat/nat.go',
  },
  cilium_lxc: {
    name: 'cilium_lxc',
    type: 'hash',
    keySize: 20,
    valueSize: 48,
    maxEntries: 65535,
    prealloc: 'conditional',
    key: 'struct endpoint_key',
    value: 'struct endpoint_info',
    upstream: 'bpf/lib/maps.h ENDPOINTS_MAP, pkg/maps/lxcmap/lxcmap.go (MaxEntries 65535)',
  },
} as const satisfies Record<string, CiliumMapLayout>

export type CiliumMapName = keyof typeof CILIUM_MAP_LAYOUTS

/** The name of endpoint `id`'s policy map: `cilium_policy_` + the id zero-padded to 5 digits. */
export function policyMapName(endpointId: number): string {
  return `cilium_policy_${String(endpointId).padStart(5, '0')}`
}
