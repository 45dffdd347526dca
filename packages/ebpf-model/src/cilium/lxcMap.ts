import { type BpfHashMap, BpfU32HashMap } from '../maps/hashMap'
import { CILIUM_MAP_LAYOUTS } from './layouts'
import { type CiliumMapOptions, specFor } from './mapOptions'
import type { EndpointInfo } from './structs'

/**
 * `cilium_lxc` (bpf/lib/maps.h ENDPOINTS_MAP, pkg/maps/lxcmap): local endpoint IPv4 → ifindex, endpoint id,
 * MACs. Keyed here by the address alone (struct endpoint_key with family ENDPOINT_KEY_IPV4, key 0, cluster 0).
 */
export function createLxcMap(opts: CiliumMapOptions = {}): BpfHashMap<number, EndpointInfo> {
  return new BpfU32HashMap(specFor(CILIUM_MAP_LAYOUTS.cilium_lxc, opts))
}
