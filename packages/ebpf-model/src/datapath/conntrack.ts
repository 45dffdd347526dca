import { CT, CT_CLOSING, CT_SEEN_NON_SYN, CT_SERVICE, type CtValue, ctLifetimeOf } from './ctTable'
import type { NodeMaps } from './maps'

/**
 * Cilium's BPF conntrack: lifetimes per state (`bpf/lib/conntrack.h` ct_update_timeout: SYN until both sides
 * sent a non-SYN packet, established, closing after FIN/RST, non-TCP) and the agent's garbage collector
 * (`pkg/maps/ctmap/gc/gc.go`): a pass deletes expired entries and the next interval adapts to the share of
 * entries the pass deleted.
 */

export const IPPROTO_TCP = 6

/** Lifetime in seconds of an entry in its current state. */
export function ctLifetime(proto: number, e: Pick<CtValue, 'seenNonSyn' | 'closing' | 'service'>): number {
  return ctLifetimeOf(
    proto,
    (e.seenNonSyn ? CT_SEEN_NON_SYN : 0) | (e.closing ? CT_CLOSING : 0) | (e.service ? CT_SERVICE : 0),
  )
}

/** defaults.ConntrackGCStartingInterval, ConntrackGCMinInterval, ConntrackGCMaxLRUInterval (seconds). */
export const CT_GC_STARTING_INTERVAL = 5 * 60
export const CT_GC_MIN_INTERVAL = 10
export const CT_GC_MAX_LRU_INTERVAL = 12 * 60 * 60

/**
 * gc.go calculateIntervalWithConfig: over 25% deleted → interval × (1 − ratio) (ratio capped at 0.9), not
 * below the minimum; under 5% deleted → × 1.5, not above the LRU maximum; otherwise unchanged.
 */
export function nextGcInterval(previous: number, deleteRatio: number): number {
  if (deleteRatio === 0) return previous
  if (deleteRatio > 0.25)
    return Math.max(Math.round(previous * (1 - Math.min(deleteRatio, 0.9))), CT_GC_MIN_INTERVAL)
  if (deleteRatio < 0.05) return Math.min(Math.round(previous * 1.5), CT_GC_MAX_LRU_INTERVAL)
  return previous
}

export interface GcPass {
  at: number
  scanned: number
  deleted: number
  /** deleted / scanned of the fuller map, as gc.go's maxDeleteRatio */
  deleteRatio: number
  nextInterval: number
}

/** The agent's CT garbage collector: `run(now)` deletes expired entries of both CT maps. */
export class ConntrackGc {
  interval = CT_GC_STARTING_INTERVAL
  lastRun = 0
  readonly passes: GcPass[] = []

  constructor(private readonly maps: NodeMaps) {}

  /** Runs every pass due up to `now` (seconds of the node clock); returns them. */
  advance(now: number): GcPass[] {
    const out: GcPass[] = []
    while (this.lastRun + this.interval <= now) out.push(this.run(this.lastRun + this.interval))
    return out
  }

  run(now: number): GcPass {
    let scanned = 0
    let deleted = 0
    let maxRatio = 0
    for (const map of [this.maps.ct, this.maps.ctAny]) {
      const expired: number[] = []
      let n = 0
      for (const e of map.slots()) {
        n++
        if (map.get(e, CT.EXPIRES) <= now) expired.push(e)
      }
      for (const e of expired) map.deleteSlot(e)
      scanned += n
      deleted += expired.length
      if (n > 0) maxRatio = Math.max(maxRatio, expired.length / n)
    }
    this.interval = nextGcInterval(this.interval, maxRatio)
    this.lastRun = now
    const pass = { at: now, scanned, deleted, deleteRatio: maxRatio, nextInterval: this.interval }
    this.passes.push(pass)
    return pass
  }
}
