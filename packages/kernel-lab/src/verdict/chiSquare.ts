/**
 * Pearson's chi-square goodness of fit of observed counts to expected probabilities, with its p-value
 * (upper tail of the chi-square distribution, k − 1 degrees of freedom).
 */
export function chiSquareTest(
  observed: readonly number[],
  probabilities: readonly number[],
): { statistic: number; df: number; p: number } {
  const n = observed.reduce((a, b) => a + b, 0)
  let statistic = 0
  for (let i = 0; i < observed.length; i++) {
    const e = n * probabilities[i]
    if (e > 0) statistic += (observed[i] - e) ** 2 / e
    else if (observed[i] > 0) statistic = Number.POSITIVE_INFINITY
  }
  const df = Math.max(1, observed.length - 1)
  return {
    statistic,
    df,
    p: statistic === Number.POSITIVE_INFINITY ? 0 : 1 - regularizedGammaP(df / 2, statistic / 2),
  }
}

/** P(a, x), the regularized lower incomplete gamma function (series for x < a + 1, else continued fraction). */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0
  const lnPrefix = a * Math.log(x) - x - logGamma(a)
  if (x < a + 1) {
    let sum = 1 / a
    let term = sum
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n)
      sum += term
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break
    }
    return sum * Math.exp(lnPrefix)
  }
  // Lentz's continued fraction for Q(a, x)
  let b = x + 1 - a
  let c = 1 / 1e-300
  let d = 1 / b
  let h = d
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < 1e-300) d = 1e-300
    c = b + an / c
    if (Math.abs(c) < 1e-300) c = 1e-300
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-15) break
  }
  return 1 - Math.exp(lnPrefix) * h
}

/** ln Γ(x), Lanczos approximation (g = 7, n = 9). */
export function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ]
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  const xx = x - 1
  let a = g[0]
  const t = xx + 7.5
  for (let i = 1; i < 9; i++) a += g[i] / (xx + i)
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a)
}
