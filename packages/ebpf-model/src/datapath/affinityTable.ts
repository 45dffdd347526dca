import { BpfLruTupleMap } from '../maps/lruTupleMap'
import type { OpCounts } from '../maps/opCounts'
import type { BpfMapSpec } from '../maps/types'
import type { AffinityValue } from './maps'

/** Value words of an affinity slot (`struct lb_affinity_val`: backend id, last used). */
const BACKEND_ID = 0
const LAST_USED = 1
const STRIDE = 2

/**
 * `cilium_lb4_affinity` as the datapath uses it (`bpf/lib/lb.h` lb4_affinity_backend_id /
 * lb4_update_affinity_by_addr, `pkg/maps/lbmap`): an LRU hash keyed by `struct lb4_affinity_key` (client
 * address, rev NAT id; the netns cookie unused for by-address affinity), valued by backend id and last-used
 * time, on typed arrays like the conntrack table (`BpfLruTupleMap`: the kernel's LRU semantics, no object per
 * entry). A program refreshes an entry's last-used time through the lookup pointer (`touch`).
 */
export class AffinityTable extends BpfLruTupleMap {
  constructor(spec: Omit<BpfMapSpec, 'type'>) {
    // (slots for 4096 entries first, doubling as more come: see `BpfLruTupleMap`)
    super(spec, STRIDE, 4096)
  }

  /** The datapath's lookup of (client, revNat): counted, sets the reference bit; the slot or −1. */
  find(client: number, revNat: number, ops: OpCounts): number {
    return this.lookupInto(client, revNat, 0, 0, ops)
  }

  backendId(e: number): number {
    return this.vals[e * STRIDE + BACKEND_ID]
  }

  lastUsed(e: number): number {
    return this.vals[e * STRIDE + LAST_USED]
  }

  /** The entry's last-used time renewed in place, as the program writes through the lookup pointer. */
  touch(e: number, now: number): void {
    this.vals[e * STRIDE + LAST_USED] = now
  }

  /** A program's update of (client, revNat) to `backendId` used at `now` (counted as a program write). */
  write(client: number, revNat: number, backendId: number, now: number, ops: OpCounts): void {
    const e = this.update(client, revNat, 0, 0, 0, ops, 'prog')
    const vals = this.vals
    vals[e * STRIDE + BACKEND_ID] = backendId
    vals[e * STRIDE + LAST_USED] = now
  }

  /** Entries from the oldest to the youngest, keyed `client|revNat` (unsigned). */
  *entries(): IterableIterator<[string, AffinityValue]> {
    for (const e of this.slots())
      yield [
        `${this.keyWord(e, 0)}|${this.keyWord(e, 1)}`,
        { backendId: this.backendId(e), lastUsed: this.lastUsed(e) },
      ]
  }
}
