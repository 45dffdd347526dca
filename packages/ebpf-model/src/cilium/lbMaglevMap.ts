import { BpfArrayMap } from '../maps/arrayMap'
import { BpfHashOfMaps } from '../maps/hashOfMaps'
import { CILIUM_MAP_LAYOUTS, MAGLEV_DEFAULT_TABLE_SIZE } from './layouts'
import { type CiliumMapOptions, specFor } from './mapOptions'

export type MaglevInnerMap = BpfArrayMap<Uint32Array>

/**
 * `cilium_lb4_maglev` (bpf/lib/lb.h, pkg/maps/lbmap/maglev.go): HASH_OF_MAPS keyed by rev_nat_index; each
 * inner map is an ARRAY of one element holding the whole lookup table, `__u32 backend_ids[M]`, so the
 * datapath does one outer and one inner lookup then indexes `backend_ids[hash % M]` (`lb4_select_backend_id`
 * with LB_SELECTION_MAGLEV).
 */
export class Lb4MaglevMap {
  readonly map: BpfHashOfMaps<number, MaglevInnerMap>
  readonly tableSize: number

  constructor(opts: CiliumMapOptions & { tableSize?: number } = {}) {
    this.tableSize = opts.tableSize ?? MAGLEV_DEFAULT_TABLE_SIZE
    this.map = new BpfHashOfMaps(specFor(CILIUM_MAP_LAYOUTS.cilium_lb4_maglev, opts))
  }

  /** Installs a service's table (length M). Creates the inner map, as `lbmap.updateMaglevTable` does. */
  setTable(revNatIndex: number, table: Uint32Array, counts?: Record<string, number>): void {
    if (table.length !== this.tableSize)
      throw new RangeError(`maglev table has ${table.length} entries, the map expects ${this.tableSize}`)
    const inner = new BpfArrayMap<Uint32Array>(
      { name: 'cilium_lb4_maglev_inner', keySize: 4, valueSize: 4 * this.tableSize, maxEntries: 1 },
      table,
    )
    this.map.update(revNatIndex, inner, 0, counts)
  }

  deleteTable(revNatIndex: number, counts?: Record<string, number>): void {
    this.map.delete(revNatIndex, counts)
  }

  /** Backend id for a flow hash: outer lookup, inner lookup, index. 0 when the service has no table. */
  lookupBackend(revNatIndex: number, hash: number, counts?: Record<string, number>): number {
    const inner = this.map.lookup(revNatIndex, counts)
    if (!inner) return 0
    const table = inner.lookup(0, counts)
    return table ? table[(hash >>> 0) % this.tableSize] : 0
  }

  peekTable(revNatIndex: number): Uint32Array | undefined {
    return this.map.peek(revNatIndex)?.peek(0)
  }
}
