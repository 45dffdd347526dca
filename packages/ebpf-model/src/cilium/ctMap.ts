import { BpfLruHashMap } from '../maps/lruHashMap'
import { packTuple, unpackTuple } from './_pack'
import { CILIUM_MAP_LAYOUTS } from './layouts'
import { type CiliumMapOptions, specFor } from './mapOptions'
import type { CtEntry, Ipv4CtTuple, Ipv4NatEntry } from './structs'

/** An LRU map keyed by struct ipv4_ct_tuple, as conntrack and NAT maps are. */
export class TupleLruMap<V> {
  constructor(readonly map: BpfLruHashMap<string, V>) {}

  /** Datapath lookup, counted; marks the entry referenced. */
  lookup(
    daddr: number,
    saddr: number,
    dport: number,
    sport: number,
    nexthdr: number,
    flags: number,
    counts?: Record<string, number>,
  ): V | undefined {
    return this.map.lookup(packTuple(daddr, saddr, dport, sport, nexthdr, flags), counts)
  }

  peek(t: Ipv4CtTuple): V | undefined {
    return this.map.peek(packTuple(t.daddr, t.saddr, t.dport, t.sport, t.nexthdr, t.flags))
  }

  /** A write from the datapath (`ct_create4`, `snat_v4_new_mapping`); returns the key evicted, if any. */
  create(t: Ipv4CtTuple, value: V, counts?: Record<string, number>): Ipv4CtTuple | undefined {
    const ev = this.map.update(
      packTuple(t.daddr, t.saddr, t.dport, t.sport, t.nexthdr, t.flags),
      value,
      0,
      counts,
      'prog',
    )
    if (ev === undefined) return undefined
    const [daddr, saddr, dport, sport, nexthdr, flags] = unpackTuple(ev)
    return { daddr, saddr, dport, sport, nexthdr, flags }
  }

  /** A delete by the agent's GC (`ctmap.GC` / `nat` GC): a syscall per entry. */
  delete(t: Ipv4CtTuple, counts?: Record<string, number>): void {
    this.map.delete(packTuple(t.daddr, t.saddr, t.dport, t.sport, t.nexthdr, t.flags), counts)
  }

  *entries(): IterableIterator<[Ipv4CtTuple, V]> {
    for (const [k, v] of this.map.entries()) {
      const [daddr, saddr, dport, sport, nexthdr, flags] = unpackTuple(k)
      yield [{ daddr, saddr, dport, sport, nexthdr, flags }, v]
    }
  }
}

/**
 * `cilium_ct4_global` (TCP) or `cilium_ct_any4_global` (everything else): bpf/lib/conntrack_map.h,
 * pkg/maps/ctmap. LRU, so a full table silently evicts the oldest unreferenced flow.
 */
export function createCtMap(kind: 'tcp' | 'any', opts: CiliumMapOptions = {}): TupleLruMap<CtEntry> {
  const layout =
    kind === 'tcp' ? CILIUM_MAP_LAYOUTS.cilium_ct4_global : CILIUM_MAP_LAYOUTS.cilium_ct_any4_global
  return new TupleLruMap(new BpfLruHashMap<string, CtEntry>(specFor(layout, opts)))
}

/** `cilium_snat_v4_external` (bpf/lib/nat.h, pkg/maps/nat): BPF masquerading / NodePort SNAT mappings. */
export function createNatMap(opts: CiliumMapOptions = {}): TupleLruMap<Ipv4NatEntry> {
  return new TupleLruMap(
    new BpfLruHashMap<string, Ipv4NatEntry>(specFor(CILIUM_MAP_LAYOUTS.cilium_snat_v4_external, opts)),
  )
}
