import { logGamma } from '../verdict/chiSquare'

/**
 * I_x(a, b), the regularized incomplete beta function: Lentz's continued fraction, on the side of x where it
 * converges fast (the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) otherwise).
 */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a)
  const lnPrefix = a * Math.log(x) + b * Math.log(1 - x) - logGamma(a) - logGamma(b) + logGamma(a + b)
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m < 1000; m++) {
    // the even step, then the odd step, of the continued fraction
    for (const num of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + num * d
      if (Math.abs(d) < tiny) d = tiny
      c = 1 + num / c
      if (Math.abs(c) < tiny) c = tiny
      d = 1 / d
      h *= d * c
    }
    if (Math.abs(d * c - 1) < 1e-15) break
  }
  return (Math.exp(lnPrefix) * h) / a
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5)
  return t >= 0 ? 1 - tail : tail
}

/**
 * The p-quantile of Student's t with `df` degrees of freedom (df ≥ 1; bisection on the CDF to 1e-12), the
 * factor a prediction from `df + 1` runs' sample standard deviation takes where a known one would take the
 * normal's (1.96 at p = 0.975): 12.71 with two runs, 2.571 with six.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p in (0, 1), got ${p}`)
  if (!(df >= 1)) throw new RangeError(`studentTQuantile: df ≥ 1, got ${df}`)
  if (p === 0.5) return 0
  if (p < 0.5) return -studentTQuantile(1 - p, df)
  let lo = 0
  let hi = 1
  while (studentTCdf(hi, df) < p) hi *= 2
  while (hi - lo > 1e-12 * Math.max(1, hi)) {
    const mid = (lo + hi) / 2
    if (studentTCdf(mid, df) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}
