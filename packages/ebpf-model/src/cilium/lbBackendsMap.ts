import { BpfHashMap } from '../maps/hashMap'
import { CILIUM_MAP_LAYOUTS } from './layouts'
import { type CiliumMapOptions, specFor } from './mapOptions'
import type { Lb4Backend, Lb4ReverseNat } from './structs'

/** `cilium_lb4_backends_v3`: backend id (u32) → address, port, state (pkg/maps/lbmap Backend4ValueV3). */
export function createLb4BackendsMap(opts: CiliumMapOptions = {}): BpfHashMap<number, Lb4Backend> {
  return new BpfHashMap(specFor(CILIUM_MAP_LAYOUTS.cilium_lb4_backends_v3, opts))
}

/** `cilium_lb4_reverse_nat`: rev_nat_index (u16) → the frontend address and port replies are rewritten to. */
export function createLb4ReverseNatMap(opts: CiliumMapOptions = {}): BpfHashMap<number, Lb4ReverseNat> {
  return new BpfHashMap(specFor(CILIUM_MAP_LAYOUTS.cilium_lb4_reverse_nat, opts))
}
