/** One observation: counted operations and the measured value they should explain. */
export interface FitRow {
  counts: Readonly<Record<string, number>>
  y: number
  /** default 1/|y|: minimise relative, not absolute, error, so small sizes count as much as large ones */
  weight?: number
}

export interface FitResult {
  /** fitted value per key (≥ 0); keys the rows never exercise are absent */
  constants: Record<string, number>
  /** model − measured, relative to measured, per row */
  relativeErrors: number[]
  /** root mean square of relativeErrors */
  rmsRelativeError: number
}

/**
 * Weighted non-negative least squares: constants c ≥ 0 minimising Σ w²(y − Σ counts·c)². A kernel cost is
 * never negative, and with nearly collinear counts (lines and bytes of one table shape) an unconstrained fit
 * would trade a negative constant for a large one. The lab fits a handful of keys per group, so the exact
 * optimum is found by trying every subset of free keys (the others pinned at zero) and keeping the best
 * feasible one; past EXACT_KEYS keys, Lawson–Hanson style pinning of the most negative constant instead.
 */
export function fitNonNegative(rows: readonly FitRow[], keys: readonly string[]): FitResult {
  const used = keys.filter((k) => rows.some((r) => (r.counts[k] ?? 0) !== 0))
  let solution: Record<string, number> = {}
  if (used.length <= EXACT_KEYS) {
    let best = Number.POSITIVE_INFINITY
    for (let mask = 1; mask < 1 << used.length; mask++) {
      const free = used.filter((_k, i) => mask & (1 << i))
      const c = solveWeighted(rows, free)
      if (c.some((v) => v < 0)) continue
      const candidate = Object.fromEntries(free.map((k, i) => [k, c[i]]))
      const sse = weightedSse(rows, candidate)
      // a subset has to be clearly better to win: ties go to the one found first (fewer, earlier keys)
      if (sse < best * (1 - 1e-9)) {
        best = sse
        solution = candidate
      }
    }
  } else {
    let free = used.slice()
    for (let iter = 0; iter <= used.length; iter++) {
      const c = solveWeighted(rows, free)
      const negative = free.filter((_k, i) => c[i] < 0)
      if (negative.length === 0) {
        solution = Object.fromEntries(free.map((k, i) => [k, c[i]]))
        break
      }
      const worst = negative.reduce((a, b) => (c[free.indexOf(a)] <= c[free.indexOf(b)] ? a : b))
      free = free.filter((k) => k !== worst)
    }
  }
  for (const k of used) solution[k] ??= 0
  const relativeErrors = rows.map((r) => (predict(r.counts, solution) - r.y) / (r.y || 1))
  const rms = Math.sqrt(relativeErrors.reduce((a, e) => a + e * e, 0) / (relativeErrors.length || 1))
  return { constants: solution, relativeErrors, rmsRelativeError: rms }
}

const EXACT_KEYS = 10

const weightOf = (r: FitRow) => r.weight ?? 1 / Math.max(Math.abs(r.y), Number.MIN_VALUE)

function weightedSse(rows: readonly FitRow[], constants: Readonly<Record<string, number>>): number {
  let s = 0
  for (const r of rows) {
    const d = (predict(r.counts, constants) - r.y) * weightOf(r)
    s += d * d
  }
  return s
}

export function predict(
  counts: Readonly<Record<string, number>>,
  constants: Readonly<Record<string, number>>,
): number {
  let s = 0
  for (const k in counts) s += counts[k] * (constants[k] ?? 0)
  return s
}

function solveWeighted(rows: readonly FitRow[], keys: readonly string[]): number[] {
  const n = keys.length
  if (n === 0) return []
  const A = Array.from({ length: n }, () => new Float64Array(n + 1))
  for (const r of rows) {
    const w = weightOf(r)
    const w2 = w * w
    const x = keys.map((k) => r.counts[k] ?? 0)
    for (let i = 0; i < n; i++) {
      if (x[i] === 0) continue
      for (let j = 0; j < n; j++) A[i][j] += w2 * x[i] * x[j]
      A[i][n] += w2 * x[i] * r.y
    }
  }
  // a tiny ridge keeps exactly collinear columns solvable (it splits them) without moving a well-posed fit
  for (let i = 0; i < n; i++) A[i][i] += A[i][i] * 1e-12 + Number.MIN_VALUE
  // Gaussian elimination with partial pivoting
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r][col]) > Math.abs(A[pivot][col])) pivot = r
    ;[A[col], A[pivot]] = [A[pivot], A[col]]
    const p = A[col][col]
    if (p === 0) continue
    for (let r = 0; r < n; r++) {
      if (r === col) continue
      const f = A[r][col] / p
      if (f === 0) continue
      for (let k = col; k <= n; k++) A[r][k] -= f * A[col][k]
    }
  }
  return A.map((row, i) => (row[i] === 0 ? 0 : row[n] / row[i]))
}
