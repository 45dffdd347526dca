import type { SyncSeconds } from './kube-proxy-loop'

/** Modeled seconds of one kube-proxy sync at one table size (from the iptables model's restore cost). */
export interface SyncSample {
  services: number
  /** full sync: the whole ruleset restored */
  fullSeconds: number
  /** partial sync carrying one changed service */
  partialSeconds: number
}

function interpolate(
  samples: readonly SyncSample[],
  services: number,
  pick: (s: SyncSample) => number,
): number {
  const first = samples[0]
  const last = samples[samples.length - 1]
  // outside the sampled sizes the cost scales in proportion to the table (restore work is per line)
  if (services <= first.services) return (pick(first) * services) / first.services
  if (services >= last.services) return (pick(last) * services) / last.services
  for (let i = 1; i < samples.length; i++) {
    const b = samples[i]
    if (services <= b.services) {
      const a = samples[i - 1]
      const t = (services - a.services) / (b.services - a.services)
      return pick(a) + t * (pick(b) - pick(a))
    }
  }
  return pick(last)
}

/**
 * A sync-duration function for the churn simulation built from the iptables model's modeled restore seconds at
 * a few table sizes: piecewise linear in services between samples, proportional outside them. A partial sync
 * carrying c changed services costs the one-service partial sync plus (c − 1) services' share of a full
 * restore (each extra service's chains are re-sent).
 */
export function syncSecondsFromSamples(samples: readonly SyncSample[]): SyncSeconds {
  if (samples.length === 0) throw new RangeError('syncSecondsFromSamples: no samples')
  const sorted = [...samples].sort((a, b) => a.services - b.services)
  return ({ services, changedServices, full }) => {
    const fullS = interpolate(sorted, services, (s) => s.fullSeconds)
    if (full) return fullS
    const perService = services > 0 ? fullS / services : 0
    return (
      interpolate(sorted, services, (s) => s.partialSeconds) + Math.max(0, changedServices - 1) * perService
    )
  }
}
