/** Median and spread of repeated measurements: what the lab reports for every point. */
export interface Summary {
  n: number
  median: number
  /** 10th and 90th percentiles (nearest rank) */
  p10: number
  p90: number
  min: number
  max: number
  /** (p90 − p10) / median: the relative spread the report quotes */
  spread: number
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))
  return sorted[i]
}

export function summarize(values: readonly number[]): Summary {
  const s = Float64Array.from(values).sort()
  const median =
    s.length === 0
      ? Number.NaN
      : s.length % 2
        ? s[s.length >> 1]
        : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
  const p10 = quantile(s, 0.1)
  const p90 = quantile(s, 0.9)
  return {
    n: s.length,
    median,
    p10,
    p90,
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
    spread: median ? (p90 - p10) / Math.abs(median) : 0,
  }
}

/**
 * Mean of the values between the `cut` and 1−`cut` quantiles. Ping reports whole microseconds: the median of
 * such samples moves in 1 µs steps, the trimmed mean resolves a fraction of that while still ignoring the
 * scheduling outliers of a shared machine.
 */
export function trimmedMean(values: readonly number[], cut = 0.1): number {
  if (values.length === 0) return Number.NaN
  const s = Float64Array.from(values).sort()
  const lo = Math.floor(s.length * cut)
  const hi = Math.max(lo + 1, s.length - lo)
  let sum = 0
  for (let i = lo; i < hi; i++) sum += s[i]
  return sum / (hi - lo)
}

/**
 * Mean of the values between the `from` and `to` quantiles. For round trips timed in user space (the
 * first-packet sender times each flow with process.hrtime around Node's event loop), scheduling and
 * event-loop delays only ever add time, and on a shared 2-CPU machine they add tens to hundreds of µs to a
 * large share of the samples: the lower half is where the kernel's own path shows.
 */
export function quantileMean(values: readonly number[], from: number, to: number): number {
  if (values.length === 0) return Number.NaN
  const s = Float64Array.from(values).sort()
  const lo = Math.min(s.length - 1, Math.floor(s.length * from))
  const hi = Math.max(lo + 1, Math.min(s.length, Math.ceil(s.length * to)))
  let sum = 0
  for (let i = lo; i < hi; i++) sum += s[i]
  return sum / (hi - lo)
}
