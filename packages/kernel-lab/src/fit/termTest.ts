import { type FitRow, fitNonNegative } from './leastSquares'

/** What leaving one key out of a fit costs, on the same rows. */
export interface TermTest {
  key: string
  /** weighted residual sum of squares with every key, and without this one */
  sseAll: number
  sseWithout: number
  /** partial F statistic for the one dropped parameter: (ΔSSE / 1) / (SSE / (n − p)) */
  f: number
  /** AIC without the key minus AIC with every key (n ln(SSE/n) + 2p): > 0 means the key earns its place */
  deltaAic: number
}

/**
 * Whether each key of a non-negative weighted least-squares fit is supported by the data: the fit is redone
 * without it and the loss compared (nested-model F test and AIC). Used on pooled raw data to decide whether a
 * term whose constant trades against another between calibrations can be dropped: a key with F below ~4
 * (5 % critical value for one parameter and many rows) and ΔAIC < 0 is not separable from the others.
 */
export function dropOneTermTests(rows: readonly FitRow[], keys: readonly string[]): TermTest[] {
  const sse = (ks: readonly string[]) => {
    const f = fitNonNegative(rows, ks)
    return f.rmsRelativeError ** 2 * rows.length
  }
  const n = rows.length
  const p = keys.length
  const all = sse(keys)
  const aic = (s: number, k: number) => n * Math.log(Math.max(s, 1e-300) / n) + 2 * k
  return keys.map((key) => {
    const without = sse(keys.filter((k) => k !== key))
    return {
      key,
      sseAll: all,
      sseWithout: without,
      f: n > p ? (without - all) / (all / (n - p)) : Number.NaN,
      deltaAic: aic(without, p - 1) - aic(all, p),
    }
  })
}
