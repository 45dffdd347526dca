import { BpfLruHashMap } from '../maps/lruHashMap'
import { CILIUM_MAP_LAYOUTS } from './layouts'
import { type CiliumMapOptions, specFor } from './mapOptions'
import type { Lb4AffinityKey, LbAffinityVal } from './structs'

const TWO32 = 2 ** 32

/** client IP (32 bits) + netns flag + rev NAT id (16 bits) fit in one exact JS number. */
function packAffinity(clientIp: number, revNatId: number, netnsCookie: boolean): number {
  return revNatId * 2 * TWO32 + (netnsCookie ? TWO32 : 0) + (clientIp >>> 0)
}

/**
 * `cilium_lb4_affinity` (bpf/lib/lb.h `lb4_affinity_backend_id`): LRU of (client, service) → backend and
 * last use, for sessionAffinity: ClientIP. The datapath honours an entry while `now − lastUsed` is within
 * the service's affinity timeout (held in the master entry's backend_id field).
 */
export class Lb4AffinityMap {
  readonly map: BpfLruHashMap<number, LbAffinityVal>

  constructor(opts: CiliumMapOptions = {}) {
    this.map = new BpfLruHashMap(specFor(CILIUM_MAP_LAYOUTS.cilium_lb4_affinity, opts))
  }

  lookup(clientIp: number, revNatId: number, netnsCookie = false, counts?: Record<string, number>) {
    return this.map.lookup(packAffinity(clientIp, revNatId, netnsCookie), counts)
  }

  /** A program-side write (`lb4_update_affinity_by_addr`). */
  update(key: Lb4AffinityKey, value: LbAffinityVal, counts?: Record<string, number>): void {
    this.map.update(packAffinity(key.clientIp, key.revNatId, key.netnsCookie), value, 0, counts, 'prog')
  }

  delete(key: Lb4AffinityKey, counts?: Record<string, number>): void {
    this.map.delete(packAffinity(key.clientIp, key.revNatId, key.netnsCookie), counts)
  }

  *entries(): IterableIterator<[Lb4AffinityKey, LbAffinityVal]> {
    for (const [k, v] of this.map.entries()) {
      const revNatId = Math.floor(k / (2 * TWO32))
      const rest = k - revNatId * 2 * TWO32
      yield [{ clientIp: rest % TWO32, revNatId, netnsCookie: rest >= TWO32 }, v]
    }
  }
}
