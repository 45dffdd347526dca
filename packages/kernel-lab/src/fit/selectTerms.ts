import { type FitResult, type FitRow, fitNonNegative } from './leastSquares'
import { dropOneTermTests } from './termTest'

/**
 * Backward elimination by AIC on the fitted rows: while some key's drop-one test (fit/termTest.ts) has ΔAIC ≤ 0
 * — the fit without it explains the data as well, counting one parameter fewer — the key with the lowest ΔAIC
 * is left out (constant 0) and the rest re-fitted. What the data cannot separate (legacy restore's invocation
 * hidden under tens of ms of restore, a quick sweep's nft walks that never reach the compat step) then stops
 * trading against the terms it is collinear with between calibrations. A key NNLS already pins at 0 has ΔAIC −2
 * and is dropped at no change. The last key always stays.
 */
export function selectTerms(
  rows: readonly FitRow[],
  keys: readonly string[],
  full: FitResult,
): { fit: FitResult; dropped: string[] } {
  let kept = keys.slice()
  let fit = full
  const dropped: string[] = []
  while (kept.length > 1 && rows.length > kept.length) {
    const worst = dropOneTermTests(rows, kept).reduce((a, b) => (b.deltaAic < a.deltaAic ? b : a))
    if (!(worst.deltaAic <= 0)) break
    kept = kept.filter((k) => k !== worst.key)
    dropped.push(worst.key)
    fit = fitNonNegative(rows, kept)
  }
  if (dropped.length === 0) return { fit: full, dropped }
  // dropped keys stay in the profile at 0 (the models' default would otherwise fill them in)
  for (const k of dropped)
    if (keys.includes(k) && rows.some((r) => (r.counts[k] ?? 0) !== 0)) fit.constants[k] = 0
  return { fit, dropped }
}
