import type { CostProfile } from '@dataplane-sim/cluster'

const cache = new WeakMap<CostProfile, Map<string, number>>()

/**
 * `modelCost` (Σ counts × constants, `a:b` keys falling back to `a`) with the per-key constant resolved once
 * per profile: the datapath calls it for every packet.
 */
export function costOf(counts: Readonly<Record<string, number>>, profile: CostProfile): number {
  let values = cache.get(profile)
  if (!values) cache.set(profile, (values = new Map()))
  let total = 0
  for (const key in counts) {
    let v = values.get(key)
    if (v === undefined) {
      const c = profile.constants[key] ?? profile.constants[key.split(':', 1)[0]]
      v = c ? c.value : 0
      values.set(key, v)
    }
    total += counts[key] * v
  }
  return total
}
