import type { ScalingPoint } from '../suites/scaling'

/** One checked statement of issue 6's "Done when", with the figures that decide it. */
export interface Claim {
  id: string
  statement: string
  holds: boolean | null
  evidence: string
}

const r1 = (v: number) => (Number.isFinite(v) ? `${+v.toPrecision(3)}` : '—')

function match(p: ScalingPoint, dp: 'iptables' | 'ebpf', kind: string) {
  return p[dp].match.find((m) => m.kind === kind)
}
function update(p: ScalingPoint, dp: 'iptables' | 'ebpf') {
  return p[dp].update.find((u) => u.op === 'addService')
}

/** growth of y between the smallest and largest point, relative to the growth of services */
function growth(
  points: ScalingPoint[],
  y: (p: ScalingPoint) => number | undefined,
): { factor: number; scale: number } {
  const a = points[0]
  const b = points[points.length - 1]
  const ya = y(a)
  const yb = y(b)
  if (ya === undefined || yb === undefined || !(ya > 0))
    return { factor: Number.NaN, scale: b.services / a.services }
  return { factor: yb / ya, scale: b.services / a.services }
}

/** Least-squares y = intercept + slope·x and its R². */
export function linearFit(pts: ReadonlyArray<readonly [number, number]>): {
  slope: number
  intercept: number
  r2: number
} {
  const ok = pts.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
  const n = ok.length
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN }
  const mx = ok.reduce((a, [x]) => a + x, 0) / n
  const my = ok.reduce((a, [, y]) => a + y, 0) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (const [x, y] of ok) {
    sxy += (x - mx) * (y - my)
    sxx += (x - mx) ** 2
    syy += (y - my) ** 2
  }
  const slope = sxx > 0 ? sxy / sxx : Number.NaN
  const r2 = sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : Number.NaN
  return { slope, intercept: my - slope * mx, r2 }
}

/**
 * The report's claims: at 10k services iptables' modeled first packet costs ≥ 50× eBPF's and grows linearly
 * while eBPF stays flat; the one-service update grows with the table for iptables-legacy and stays flat for
 * eBPF, in measured JS time and in modeled kernel time. "Linear" means a least-squares line over the points
 * fits with R² ≥ 0.95, a positive slope and at least 5× growth (a fixed part — the rules every packet walks —
 * keeps it from being proportional); "grows" means by at least √ of the growth in services; "flat" means it grows by less than 2× (3× for JS time, which is noisy on a shared machine) while services
 * grow by 10× or more.
 */
export function checkClaims(points: readonly ScalingPoint[]): Claim[] {
  const sorted = [...points].sort((a, b) => a.services - b.services)
  const claims: Claim[] = []
  const at10k = sorted.find((p) => p.services === 10_000)
  claims.push({
    id: 'gap-10k',
    statement: 'At 10k services the modeled first-packet cost of iptables is at least 50× the eBPF one',
    holds: at10k ? at10k.gap.firstPacketModeled >= 50 : null,
    evidence: at10k
      ? `gap ${r1(at10k.gap.firstPacketModeled)}× (JS-measured ${r1(at10k.gap.firstPacketJs)}×)`
      : 'no 10k point',
  })
  const span = sorted.length >= 2 ? sorted[sorted.length - 1].services / sorted[0].services : 1
  const check = (
    id: string,
    statement: string,
    y: (p: ScalingPoint) => number | undefined,
    kind: 'linear' | 'grows' | 'flat' | 'flat-js',
  ) => {
    if (sorted.length < 2 || span < 10) {
      claims.push({ id, statement, holds: null, evidence: 'needs points spanning 10× in services' })
      return
    }
    const g = growth(sorted, y)
    if (kind === 'linear') {
      const fit = linearFit(sorted.map((p) => [p.services, y(p) ?? Number.NaN]))
      claims.push({
        id,
        statement,
        holds: Number.isFinite(fit.r2) ? fit.slope > 0 && fit.r2 >= 0.95 && g.factor >= 5 : null,
        evidence: `least-squares line: ${r1(fit.slope)} per service + ${r1(fit.intercept)}, R² ${fit.r2.toFixed(3)}; ×${r1(g.factor)} over ${sorted[0].services} → ${sorted[sorted.length - 1].services} services`,
      })
      return
    }
    const holds =
      kind === 'flat' ? g.factor < 2 : kind === 'flat-js' ? g.factor < 3 : g.factor >= Math.sqrt(g.scale)
    claims.push({
      id,
      statement,
      holds: Number.isFinite(g.factor) ? holds : null,
      evidence: `×${r1(g.factor)} while services grow ×${r1(g.scale)} (${sorted[0].services} → ${sorted[sorted.length - 1].services})`,
    })
  }
  check(
    'ipt-first-linear',
    'iptables modeled first-packet cost grows linearly with services',
    (p) => match(p, 'iptables', 'random')?.modeledNs,
    'linear',
  )
  check(
    'ebpf-first-flat',
    'eBPF modeled first-packet cost stays flat',
    (p) => match(p, 'ebpf', 'random')?.modeledNs,
    'flat',
  )
  check(
    'ipt-first-js-grows',
    'iptables first-packet JS time grows with services',
    (p) => match(p, 'iptables', 'random')?.js.medianNs,
    'grows',
  )
  check(
    'ebpf-first-js-flat',
    'eBPF first-packet JS time stays flat',
    (p) => match(p, 'ebpf', 'random')?.js.medianNs,
    'flat-js',
  )
  check(
    'ipt-update-modeled-grows',
    'one-service update, modeled iptables-legacy restore time grows with the table',
    (p) => {
      const u = update(p, 'iptables')
      return u?.variants['legacy-partial'] ?? u?.modeledSeconds
    },
    'grows',
  )
  check(
    'ebpf-update-modeled-flat',
    'one-service update, modeled eBPF map-operation time stays flat',
    (p) => update(p, 'ebpf')?.modeledSeconds,
    'flat',
  )
  check(
    'ipt-update-js-grows',
    'one-service update, measured JS time of the iptables model grows with the table',
    (p) => update(p, 'iptables')?.js.medianNs,
    'grows',
  )
  check(
    'ebpf-update-js-flat',
    'one-service update, measured JS time of the eBPF model stays flat',
    (p) => update(p, 'ebpf')?.js.medianNs,
    'flat-js',
  )
  return claims
}
