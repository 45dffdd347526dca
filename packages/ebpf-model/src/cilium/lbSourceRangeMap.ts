import { BpfLpmTrie } from '../maps/lpmTrie'
import { CILIUM_MAP_LAYOUTS } from './layouts'
import { type CiliumMapOptions, specFor } from './mapOptions'
import type { Lb4SrcRangeKey } from './structs'

/** SRC_RANGE_STATIC_PREFIX(struct lb4_src_range_key): rev_nat_id + pad, always matched in full. */
export const SRC_RANGE_STATIC_PREFIX = 32

/**
 * `cilium_lb4_source_range` (bpf/lib/lb.h `lb4_src_range_ok`): LPM over (rev_nat_id, source CIDR) for
 * loadBalancerSourceRanges. A frontend with SVC_FLAG_SOURCE_RANGE drops a client no entry covers.
 */
export class Lb4SourceRangeMap {
  readonly map: BpfLpmTrie<number>
  private readonly words = [0, 0]

  constructor(opts: CiliumMapOptions = {}) {
    this.map = new BpfLpmTrie(specFor(CILIUM_MAP_LAYOUTS.cilium_lb4_source_range, opts))
  }

  /** Whether `saddr` is inside one of the service's ranges (a datapath lookup, counted). */
  allows(revNatId: number, saddr: number, counts?: Record<string, number>): boolean {
    this.words[0] = (revNatId << 16) >>> 0
    this.words[1] = saddr >>> 0
    return this.map.lookup(this.words, counts) !== undefined
  }

  update(key: Lb4SrcRangeKey, counts?: Record<string, number>): void {
    this.map.update(
      SRC_RANGE_STATIC_PREFIX + key.prefix,
      [(key.revNatId << 16) >>> 0, key.address],
      1,
      0,
      counts,
    )
  }

  delete(key: Lb4SrcRangeKey, counts?: Record<string, number>): void {
    this.map.delete(SRC_RANGE_STATIC_PREFIX + key.prefix, [(key.revNatId << 16) >>> 0, key.address], counts)
  }

  *entries(): IterableIterator<Lb4SrcRangeKey> {
    for (const e of this.map.entries())
      yield { revNatId: e.data[0] >>> 16, address: e.data[1], prefix: e.prefixLen - SRC_RANGE_STATIC_PREFIX }
  }
}
