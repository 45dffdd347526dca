import { createRng } from '@dataplane-sim/cluster'
import type { CacheSizes } from '../env/machine'
import { quantile, summarize } from '../measure/stats'
import type { Measurement } from '../measure/types'
import { fitGroups, profileKey } from './calibrate'
import { RERUN_LEVEL } from './compare'

/** One fitted constant, and where it lands when whole passes of the calibration are resampled. */
export interface ConstantSpread {
  /** profile key (`ipt.rule:nft`, `restore.legacy.line`, ...) */
  key: string
  /** the fit on every point's median */
  value: number
  /**
   * `level` confidence interval of the constant (2.5th and 97.5th percentile of the block-bootstrap fits for
   * 0.95): where this calibration's own estimate could have landed
   */
  lo: number
  hi: number
  /**
   * `level` rerun (prediction) interval: where a second calibration's estimate is expected to land, the
   * percentiles of value + fit(resample 1) − fit(resample 2). Both runs' noise is in it (√2 wider than the
   * confidence interval when the fits' spread is symmetric); the rerun check compares against this one
   */
  rerunLo: number
  rerunHi: number
  /** bootstrap fits that had this constant */
  samples: number
}

export interface BootstrapOptions {
  /** resamples (default 200) */
  samples?: number
  /** seed of the resampling (default 1): the same raw data always gives the same spread */
  seed?: number
  /** width of the intervals (default 0.95) */
  level?: number
  /** the machine's cache sizes, as the calibration's own fit used them */
  caches?: CacheSizes
}

/**
 * How much each fitted constant depends on run-to-run noise: a block bootstrap over passes. The lab measures
 * every point once per pass (measure/passes.ts; raw.json keeps each point's runs in pass order), so run r of
 * every point shares pass r's machine state (CPU frequency, neighbours on the host, the BPF program and map of
 * that pass). A resample draws whole passes with replacement — the same pass indices for every point — takes
 * each point's median over them and re-fits every group the way `dpsim calibrate` does. Resampling each
 * point's runs independently instead would mix passes and average a pass's drift away (every point moving
 * together is exactly what shifts a constant between calibrations).
 */
export function bootstrapConstants(
  measurements: readonly Measurement[],
  opts: BootstrapOptions = {},
): ConstantSpread[] {
  const samples = opts.samples ?? 200
  const level = opts.level ?? RERUN_LEVEL
  const rng = createRng(opts.seed ?? 1)
  const caches = opts.caches
  // constants taken from the machine (fixed) are not estimates: no interval, not in the rerun check; nor are
  // those no point of the group counts (a 0 that no measurement could move)
  const flatten = (fits: ReturnType<typeof fitGroups>) => {
    const out = new Map<string, number>()
    for (const f of fits)
      for (const [k, v] of Object.entries(f.constants))
        if (!f.fixed.includes(k) && !f.unexercised.includes(k)) out.set(profileKey(k, f.backend), v)
    return out
  }
  const base = flatten(fitGroups(measurements, { caches }))
  const passes = Math.max(0, ...measurements.map((m) => m.runs.length))
  const draws = new Map<string, number[]>()
  for (let s = 0; s < samples && passes > 0; s++) {
    const pick = Array.from({ length: passes }, () => rng.int(passes))
    const resampled = new Map<Measurement, number>()
    for (const m of measurements) {
      if (m.runs.length === 0) continue
      // a point with fewer runs than passes (a failed run) maps pass indices onto the runs it has
      resampled.set(m, summarize(pick.map((p) => m.runs[p % m.runs.length])).median)
    }
    const fit = flatten(
      fitGroups(measurements, { caches, valueFor: (m) => resampled.get(m) ?? m.summary.median }),
    )
    for (const key of base.keys()) {
      const list = draws.get(key) ?? []
      // a constant a resample's fit pinned at zero (non-negative least squares) is a 0, not a missing draw
      list.push(fit.get(key) ?? 0)
      draws.set(key, list)
    }
  }
  const tail = (1 - level) / 2
  return [...base.entries()]
    .map(([key, value]) => {
      const list = draws.get(key) ?? []
      const d = Float64Array.from(list).sort()
      // pairs of independent resamples: draw i against draw i + n/2 (the draws are i.i.d., so any pairing
      // without an index paired to itself is)
      const half = Math.floor(list.length / 2)
      const diffs = Float64Array.from(
        { length: half * 2 },
        (_, i) => value + list[i] - list[(i + half) % list.length],
      ).sort()
      return {
        key,
        value,
        lo: d.length ? Math.min(value, quantile(d, tail)) : value,
        hi: d.length ? Math.max(value, quantile(d, 1 - tail)) : value,
        rerunLo: diffs.length ? Math.max(0, Math.min(value, quantile(diffs, tail))) : value,
        rerunHi: diffs.length ? Math.max(value, quantile(diffs, 1 - tail)) : value,
        samples: d.length,
      }
    })
    .sort((a, b) => a.key.localeCompare(b.key))
}
