import { createRng } from '@dataplane-sim/cluster'
import { CACHE_BYTES_KEY } from '@dataplane-sim/iptables-model'
import { quantile, summarize } from '../measure/stats'
import type { Measurement } from '../measure/types'
import { CACHE_GRID_STEP, fitGroups, profileKey } from './calibrate'

/** One fitted constant, and where it lands when the runs behind each point are resampled. */
export interface ConstantSpread {
  /** profile key (`ipt.rule:nft`, `restore.legacy.line`, ...) */
  key: string
  /** the fit on every point's median */
  value: number
  /** `level` interval of the bootstrap fits (2.5th and 97.5th percentile for 0.95) */
  lo: number
  hi: number
  /** bootstrap fits that had this constant */
  samples: number
}

export interface BootstrapOptions {
  /** resamples (default 200) */
  samples?: number
  /** seed of the resampling (default 1): the same raw data always gives the same spread */
  seed?: number
  /** width of the interval (default 0.95) */
  level?: number
}

/**
 * How much each fitted constant depends on run-to-run noise: a bootstrap over runs. Every resample draws, for
 * every point, as many runs as it has, with replacement, from its own runs (raw.json keeps them all), takes
 * their median and re-fits every group the way `dpsim calibrate` does (the cache-resident size included). The
 * interval of a constant over the resamples is its measured spread: a rerun on the same machine should land
 * in it.
 */
export function bootstrapConstants(
  measurements: readonly Measurement[],
  opts: BootstrapOptions = {},
): ConstantSpread[] {
  const samples = opts.samples ?? 200
  const level = opts.level ?? 0.95
  const rng = createRng(opts.seed ?? 1)
  const flatten = (fits: ReturnType<typeof fitGroups>) => {
    const out = new Map<string, number>()
    for (const f of fits)
      for (const [k, v] of Object.entries(f.constants)) out.set(profileKey(k, f.backend), v)
    return out
  }
  const base = flatten(fitGroups(measurements))
  const draws = new Map<string, number[]>()
  for (let s = 0; s < samples; s++) {
    const resampled = new Map<Measurement, number>()
    for (const m of measurements) {
      if (m.runs.length === 0) continue
      const pick = Array.from({ length: m.runs.length }, () => m.runs[rng.int(m.runs.length)])
      resampled.set(m, summarize(pick).median)
    }
    const fit = flatten(fitGroups(measurements, { valueFor: (m) => resampled.get(m) ?? m.summary.median }))
    for (const [k, v] of fit) {
      const list = draws.get(k) ?? []
      list.push(v)
      draws.set(k, list)
    }
  }
  const tail = (1 - level) / 2
  return [...base.entries()]
    .map(([key, value]) => {
      const d = Float64Array.from(draws.get(key) ?? []).sort()
      // the cache-resident size is chosen on a grid: its interval is at least one grid step either side
      const step = key.startsWith(CACHE_BYTES_KEY) ? CACHE_GRID_STEP : 1
      return {
        key,
        value,
        lo: (d.length ? Math.min(value, quantile(d, tail)) : value) / step,
        hi: (d.length ? Math.max(value, quantile(d, 1 - tail)) : value) * step,
        samples: d.length,
      }
    })
    .sort((a, b) => a.key.localeCompare(b.key))
}
