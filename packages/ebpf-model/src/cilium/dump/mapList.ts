import type { BpfMapBase } from '../../maps/types'
import { tabwrite } from './_table'

export interface MapListRow {
  name: string
  type: string
  entries: number
  max: number
  /** entries / max in percent, one decimal */
  usePercent: number
  /** bpftool's memlock figure */
  bytes: number
  /** BPF_F_NO_PREALLOC */
  prealloc: boolean
}

export function mapListRows(maps: Iterable<BpfMapBase>): MapListRow[] {
  const rows: MapListRow[] = []
  for (const m of maps) {
    const i = m.info()
    rows.push({
      name: i.name,
      type: i.type,
      entries: i.entries,
      max: i.maxEntries,
      usePercent: Math.round((i.entries / i.maxEntries) * 1000) / 10,
      bytes: i.memlock,
      prealloc: i.flags === 0,
    })
  }
  return rows
}

/**
 * A sizing table in the spirit of `cilium map list` plus bpftool's `max_entries` and `memlock`: one row per
 * map with entries, capacity, use and memory (an ARRAY always counts as full, as the kernel holds every slot).
 */
export function mapList(maps: Iterable<BpfMapBase>): string {
  const rows = mapListRows(maps)
  return tabwrite([
    ['NAME', 'TYPE', 'ENTRIES', 'MAX', 'USE %', 'MEMLOCK', 'PREALLOC'],
    ...rows.map((r) => [
      r.name,
      r.type,
      String(r.entries),
      String(r.max),
      r.usePercent.toFixed(1),
      String(r.bytes),
      r.prealloc ? 'yes' : 'no',
    ]),
  ])
}
