import { BpfDenseIdHashMap } from './denseIdHashMap'
import type { BpfKey, BpfMapBase, BpfMapSpec } from './types'

/**
 * BPF_MAP_TYPE_HASH_OF_MAPS (kernel/bpf/map_in_map.c over hashtab.c): a hash map whose values are inner maps
 * (userspace writes an inner map's fd, 4 bytes; the element stores a pointer). Inner maps are separate
 * kernel objects: `bpftool map show` lists each with its own memlock, so `memlock()` here is the outer
 * table only and `memlockWithInner()` adds the distinct inner maps. Keys are dense ids (cilium_lb4_maglev:
 * rev-NAT id · scope), hence the dense-id lookup.
 */
export class BpfHashOfMaps<K extends BpfKey, M extends BpfMapBase> extends BpfDenseIdHashMap<K, M> {
  constructor(spec: Omit<BpfMapSpec, 'type' | 'valueSize'> & { valueSize?: number }) {
    super({ ...spec, type: 'hash_of_maps', valueSize: spec.valueSize ?? 4 })
  }

  memlockWithInner(): number {
    let total = this.memlock()
    const seen = new Set<M>()
    for (const [, inner] of this.entries()) {
      if (seen.has(inner)) continue
      seen.add(inner)
      total += inner.memlock()
    }
    return total
  }
}
