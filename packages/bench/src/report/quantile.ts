/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between closest ranks (the R-7 / numpy
 * default). `values` need not be sorted; it is not modified. NaN for an empty list.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const n = values.length
  if (n === 0) return Number.NaN
  const sorted = Float64Array.from(values as ArrayLike<number>).sort()
  const pos = (n - 1) * Math.min(1, Math.max(0, q))
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN
  let s = 0
  for (let i = 0; i < values.length; i++) s += values[i]
  return s / values.length
}
