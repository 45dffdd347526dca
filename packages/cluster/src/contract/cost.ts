/** One constant of a cost profile, with its unit and where its value comes from. */
export interface CostConstant {
  value: number
  unit: string
  source: string
}

/**
 * Modeled kernel cost constants. A profile is data (JSON): counted operations times these constants
 * give modeled time. Keys match the keys of `Cost.counts` / `UpdateReport.counts`.
 */
export interface CostProfile {
  schemaVersion: 1
  name: string
  description: string
  provenance: {
    /** 'anchors' for the defaults derived from shared/anchors.md, 'calibrate' for a lab run */
    method: string
    kernel?: string
    cpu?: string
    date?: string
    notes?: string
    /** raw measurements the constants were fitted to, or a path to them */
    data?: unknown
  }
  constants: Record<string, CostConstant>
}

/**
 * Σ counts[k] × constants[k].value. Counts whose key has no constant cost nothing; `prefix` limits the sum to
 * keys starting with it. A count may name its constant through a `:` suffix (`bpf.lookup:cilium_ipcache`
 * falls back to `bpf.lookup`).
 */
export function modelCost(
  counts: Readonly<Record<string, number>>,
  profile: CostProfile,
  prefix = '',
): number {
  let total = 0
  for (const key in counts) {
    if (prefix && !key.startsWith(prefix)) continue
    const c = profile.constants[key] ?? profile.constants[key.split(':', 1)[0]]
    if (c) total += counts[key] * c.value
  }
  return total
}

/** Adds `n` to counts[key]. */
export function count(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n
}
