import type { CiliumMapName } from '../cilium/layouts'
import { LXC_MAP_ENTRIES } from './limits'
import type { MapSizes } from './sizeMaps'

/**
 * max_entries of each modeled Cilium map under a sizing: the LB maps all take `bpf-lb-map-max`
 * (pkg/maps/lbmap Init), per-endpoint policy maps `bpf-policy-map-max`, CT and NAT their (dynamic) sizes,
 * ipcache and lxc their fixed sizes.
 */
export function maxEntriesFor(s: MapSizes): Record<CiliumMapName, number> {
  return {
    cilium_lb4_services_v2: s.lb,
    cilium_lb4_backends_v3: s.lb,
    cilium_lb4_reverse_nat: s.lb,
    cilium_lb4_maglev: s.lb,
    cilium_lb4_affinity: s.lb,
    cilium_lb4_source_range: s.lb,
    cilium_ipcache: s.ipcache,
    cilium_policy: s.policy,
    cilium_ct4_global: s.ctTcp,
    cilium_ct_any4_global: s.ctAny,
    cilium_snat_v4_external: s.nat,
    cilium_lxc: LXC_MAP_ENTRIES,
  }
}
