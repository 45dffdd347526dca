import { BpfHashMap } from '../maps/hashMap'
import { BPF_ANY } from '../maps/types'
import { packLb4Key, unpackLb4Key } from './_pack'
import { CILIUM_MAP_LAYOUTS } from './layouts'
import { type CiliumMapOptions, specFor } from './mapOptions'
import type { Lb4Key, Lb4Service } from './structs'

/** A service frontend: the lb4_key fields without the slot. */
export type Lb4Frontend = Omit<Lb4Key, 'backendSlot'>

/**
 * `cilium_lb4_services_v2` (bpf/lib/lb.h, pkg/maps/lbmap/lbmap.go): per frontend a master entry at slot 0
 * whose `count` is the number of backend slots, then slots 1..count each holding a backend id. The datapath
 * (`lb4_lookup_service` then `lb4_select_backend_id`) reads the master, picks a slot, reads it.
 */
export class Lb4ServicesMap {
  readonly map: BpfHashMap<string, Lb4Service>

  constructor(opts: CiliumMapOptions = {}) {
    this.map = new BpfHashMap(specFor(CILIUM_MAP_LAYOUTS.cilium_lb4_services_v2, opts))
  }

  /** Datapath lookup of one slot (0 = master), counted. */
  lookup(
    address: number,
    dport: number,
    proto: number,
    scope: number,
    slot: number,
    counts?: Record<string, number>,
  ): Lb4Service | undefined {
    return this.map.lookup(packLb4Key(address, dport, proto, scope, slot), counts)
  }

  peek(key: Lb4Key): Lb4Service | undefined {
    return this.map.peek(packLb4Key(key.address, key.dport, key.proto, key.scope, key.backendSlot))
  }

  update(key: Lb4Key, value: Lb4Service, flags = BPF_ANY, counts?: Record<string, number>): void {
    this.map.update(
      packLb4Key(key.address, key.dport, key.proto, key.scope, key.backendSlot),
      value,
      flags,
      counts,
    )
  }

  delete(key: Lb4Key, counts?: Record<string, number>): void {
    this.map.delete(packLb4Key(key.address, key.dport, key.proto, key.scope, key.backendSlot), counts)
  }

  /**
   * Writes a frontend the way `lbmap.UpsertService` does: backend slots first, then the master entry (so the
   * datapath never sees a count larger than the slots written), then removes slots beyond the new count.
   * All-or-nothing: checks capacity before writing, so a full map (E2BIG) leaves the frontend as it was.
   * Returns the number of map operations made.
   */
  upsertService(
    fe: Lb4Frontend,
    master: Omit<Lb4Service, 'count' | 'backendId'> & { affinityTimeout?: number },
    backendIds: readonly number[],
    counts?: Record<string, number>,
  ): number {
    const { address, dport, proto, scope } = fe
    let previous = 0
    const old = this.map.peek(packLb4Key(address, dport, proto, scope, 0))
    if (old) previous = old.count
    const added = (old ? 0 : 1) + Math.max(0, backendIds.length - previous)
    this.map.checkRoom(added)
    let ops = 0
    for (let i = 0; i < backendIds.length; i++) {
      const slot: Lb4Service = {
        backendId: backendIds[i],
        count: 0,
        revNatIndex: master.revNatIndex,
        flags: master.flags,
        flags2: master.flags2,
      }
      this.map.update(packLb4Key(address, dport, proto, scope, i + 1), slot, BPF_ANY, counts)
      ops++
    }
    const m: Lb4Service = {
      backendId: master.affinityTimeout ?? 0,
      count: backendIds.length,
      revNatIndex: master.revNatIndex,
      flags: master.flags,
      flags2: master.flags2,
    }
    this.map.update(packLb4Key(address, dport, proto, scope, 0), m, BPF_ANY, counts)
    ops++
    for (let s = backendIds.length + 1; s <= previous; s++) {
      this.map.delete(packLb4Key(address, dport, proto, scope, s), counts)
      ops++
    }
    return ops
  }

  /** Removes the master entry and every slot (`lbmap.DeleteService`); returns the operations made. */
  deleteService(fe: Lb4Frontend, counts?: Record<string, number>): number {
    const { address, dport, proto, scope } = fe
    const master = this.map.peek(packLb4Key(address, dport, proto, scope, 0))
    if (!master) return 0
    for (let s = 1; s <= master.count; s++)
      this.map.delete(packLb4Key(address, dport, proto, scope, s), counts)
    this.map.delete(packLb4Key(address, dport, proto, scope, 0), counts)
    return master.count + 1
  }

  *entries(): IterableIterator<[Lb4Key, Lb4Service]> {
    for (const [k, v] of this.map.entries()) {
      const [address, dport, proto, scope, backendSlot] = unpackLb4Key(k)
      yield [{ address, dport, proto, scope, backendSlot }, v]
    }
  }
}
