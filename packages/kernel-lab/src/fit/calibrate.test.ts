import {
  IPTABLES_PACKET_CONSTANTS,
  llcMissedBytes,
  NFT_COMPAT_OPS_BYTES,
} from '@dataplane-sim/iptables-model'
import { describe, expect, it } from 'vitest'
import type { MachineInfo } from '../env/machine'
import { summarize } from '../measure/stats'
import type { Measurement } from '../measure/types'
import { labReport } from '../report/labReport'
import { bootstrapConstants } from './bootstrap'
import {
  buildProfile,
  cacheNote,
  cachesFromNote,
  fitGroups,
  llcBytesOf,
  llcShareOf,
  llcWaysOf,
  llcWholeWaysOf,
  PACKET_KEYS,
  packetKeys,
  profileKey,
} from './calibrate'
import { bpfPacketCounts, forwardCounts, forwardMatchCounts, restoreCounts } from './counts'
import { countsAt, recount } from './recount'

const machine: MachineInfo = {
  kernel: '6.18.0-test',
  cpu: 'Test CPU',
  cpus: 2,
  node: 'v20',
  date: '2026-11-28T00:00:00Z',
  load1: 1,
}

function point(m: Omit<Measurement, 'summary' | 'runs'> & { value: number }): Measurement {
  const runs = [m.value * 0.98, m.value, m.value * 1.02]
  return { ...m, runs, summary: summarize(runs) }
}

// synthetic "kernel": legacy 4 ns per rule, 3 ns per match; nft 12 and 9; restores and lookups exact
const measurements: Measurement[] = [
  ...[1000, 5000, 20000].flatMap((n) => [
    point({
      experiment: 'packet-forward',
      backend: 'legacy',
      size: n,
      unit: 'ns',
      counts: forwardCounts(n),
      value: 2 * n * 4,
    }),
    point({
      experiment: 'packet-forward-match',
      backend: 'legacy',
      size: n,
      unit: 'ns',
      counts: forwardMatchCounts(n),
      value: 2 * n * 7,
    }),
    point({
      experiment: 'packet-forward',
      backend: 'nft',
      size: n,
      unit: 'ns',
      counts: forwardCounts(n),
      value: 2 * n * 12,
    }),
    point({
      experiment: 'packet-forward-match',
      backend: 'nft',
      size: n,
      unit: 'ns',
      counts: forwardMatchCounts(n),
      value: 2 * n * 21,
    }),
  ]),
  ...[1000, 5000, 20000].map((n) => {
    const counts = restoreCounts({ lines: 10 * n, rulesAfter: 7 * n, chainsAfter: 3 * n }, 'legacy')
    return point({
      experiment: 'restore-full',
      backend: 'legacy',
      size: n,
      unit: 's',
      counts,
      value: 0.004 + 10 * n * 2e-6,
    })
  }),
  point({
    experiment: 'packet-bpf',
    backend: 'bpf',
    size: 1000,
    unit: 'ns',
    counts: bpfPacketCounts(),
    value: 30,
  }),
  point({ experiment: 'packet-bpf-rtt', backend: 'bpf', size: 1000, unit: 'ns', counts: {}, value: 15000 }),
]

describe('buildProfile', () => {
  const { profile, fits } = buildProfile({ machine, quick: true, measurements })

  it('recovers per-rule and per-match costs for each backend, nft under `:nft` keys', () => {
    expect(profile.constants['ipt.rule'].value).toBeCloseTo(4, 3)
    expect(profile.constants['ipt.match'].value).toBeCloseTo(3, 3)
    expect(profile.constants['ipt.rule:nft'].value).toBeCloseTo(12, 3)
    expect(profile.constants['ipt.match:nft'].value).toBeCloseTo(9, 3)
    expect(profile.constants['ipt.rule'].unit).toBe('ns')
  })

  it('keys restore constants as iptables-model does, in seconds', () => {
    expect(profileKey('restore.legacy.line', 'nft')).toBe('restore.legacy.line')
    expect(profile.constants['restore.legacy.invocation'].unit).toBe('s')
    const modeled = fits.find((f) => f.name === 'iptables-legacy-restore')
    expect(modeled?.rmsRelativeError).toBeLessThan(0.01)
  })

  it('records kernel, CPU, date and the raw data in the provenance', () => {
    expect(profile.provenance).toMatchObject({ method: 'calibrate', kernel: '6.18.0-test', cpu: 'Test CPU' })
    expect(profile.provenance.data).toBe(measurements)
    expect(profile.constants['bpf.lookup.hash'].source).toMatch(/6\.18\.0-test, Test CPU, 2026-11-28/)
  })

  it('fits nothing from points without counts', () => {
    expect(fits.flatMap((f) => f.rows).some((r) => r.experiment === 'packet-bpf-rtt')).toBe(false)
  })
})

describe('labReport', () => {
  const { profile } = buildProfile({ machine, quick: true, measurements })
  const halved = {
    ...profile,
    constants: { ...profile.constants, 'ipt.rule': { ...profile.constants['ipt.rule'], value: 2 } },
  }
  const report = labReport(measurements, [
    { name: 'calibrated', profile },
    { name: 'halved', profile: halved },
  ])

  it('gives the error of each profile at every size', () => {
    const row = report.rows.find(
      (r) => r.experiment === 'packet-forward' && r.backend === 'legacy' && r.size === 5000,
    )
    expect(row?.modeled.calibrated.error).toBeCloseTo(0, 3)
    expect(row?.modeled.halved.error).toBeCloseTo(-0.5, 3)
    expect(row?.unit).toBe('ns')
  })

  it('takes the worst error over 1k–50k and writes one table per experiment and backend', () => {
    expect(report.worstError.calibrated).toBeLessThan(0.01)
    expect(report.worstError.halved).toBeCloseTo(0.5, 2)
    expect(report.markdown).toContain('### round trip through N non-matching FORWARD rules (rules) — nft')
    expect(report.markdown).toContain('| 20000 | 480.0 µs |')
  })
})

describe('the cache-resident size of a walk', () => {
  // synthetic legacy kernel: 6 ns per rule and 20 per match while cached, and 0.05 ns per byte a walk reads
  // beyond 12 MiB (the lab's ip rules are 488 bytes: 20k of them fit, 50k do not; match rules are 192)
  const cache = 12 * 2 ** 20
  const measured = (experiment: 'packet-forward' | 'packet-forward-match', n: number) => {
    const bytes = n * (experiment === 'packet-forward' ? 488 : 192)
    const walk = n * (experiment === 'packet-forward' ? 6 : 26) + Math.max(0, bytes - cache) * 0.05
    return point({
      experiment,
      backend: 'legacy',
      size: n,
      unit: 'ns',
      counts: { 'ipt.rule': 1 },
      value: 2 * walk,
    })
  }
  const points = recount(
    [1000, 5000, 10000, 20000, 50000].flatMap((n) => [
      measured('packet-forward', n),
      measured('packet-forward-match', n),
    ]),
  )
  const fit = fitGroups(points).find((f) => f.name === 'iptables-legacy-packet')!

  it('is chosen with the per-rule, per-match and per-uncached-byte costs, fitting a cliff exactly', () => {
    expect(fit.rmsRelativeError).toBeLessThan(0.01)
    expect(fit.constants['ipt.rule']).toBeCloseTo(6, 1)
    expect(fit.constants['ipt.match']).toBeCloseTo(20, 1)
    // anywhere between the largest walk without a cliff (20k × 488 B) and the one with it (50k × 488 B)
    expect(fit.cacheBytes).toBeGreaterThanOrEqual(20000 * 488)
    expect(fit.cacheBytes).toBeLessThan(50000 * 488)
    expect(fit.constants['ipt.uncachedBytes']).toBeGreaterThan(0)
  })

  it('is what the report prices the calibrated profile with', () => {
    const { profile } = buildProfile({ machine, quick: true, measurements: points })
    expect(profile.constants['ipt.cacheBytes']).toMatchObject({ unit: 'bytes', value: fit.cacheBytes })
    const report = labReport(points, [{ name: 'calibrated', profile }])
    expect(report.worstError.calibrated).toBeLessThan(0.02)
  })

  it('is the machine’s L2 for legacy walks when sysfs gives one: not fitted, no spread, in the provenance', () => {
    // a kernel whose walks step at the 512 KiB L2: 1k rules (488 KB) cached, 0.002 ns per byte beyond
    const l2 = 512 * 1024
    const l2Points = recount(
      [1000, 5000, 10000, 20000, 50000].map((n) =>
        point({
          experiment: 'packet-forward',
          backend: 'legacy',
          size: n,
          unit: 'ns',
          counts: { 'ipt.rule': 1 },
          value: 2 * (n * 5 + Math.max(0, n * 488 - l2) * 0.002),
        }),
      ),
    )
    const caches = { l1d: 32 * 1024, l2, l3: 32 * 2 ** 20 }
    const f = fitGroups(l2Points, { caches }).find((g) => g.name === 'iptables-legacy-packet')!
    expect(f.cacheBytes).toBe(l2)
    expect(f.fixed).toEqual(['ipt.cacheBytes'])
    expect(f.constants['ipt.rule']).toBeCloseTo(5, 2)
    expect(f.constants['ipt.uncachedBytes']).toBeCloseTo(0.002, 5)
    const { profile } = buildProfile({ machine: { ...machine, caches }, quick: true, measurements: l2Points })
    expect(profile.constants['ipt.cacheBytes']).toMatchObject({ value: l2, unit: 'bytes' })
    expect(profile.constants['ipt.cacheBytes'].source).toMatch(/L2 cache size .*not fitted/)
    expect(cachesFromNote(profile.provenance.notes ?? '')).toEqual(caches)
    const spread = bootstrapConstants(l2Points, { samples: 20, caches })
    expect(spread.map((c) => c.key)).not.toContain('ipt.cacheBytes')
    expect(spread.map((c) => c.key)).toContain('ipt.rule')
  })

  it('is left out (no uncached cost) when no walk shows a cliff', () => {
    const flat = recount(
      [1000, 5000, 20000].map((n) =>
        point({
          experiment: 'packet-forward',
          backend: 'nft',
          size: n,
          unit: 'ns',
          counts: { 'ipt.rule': 1 },
          value: 2 * n * 9,
        }),
      ),
    )
    const f = fitGroups(flat).find((g) => g.name === 'iptables-nft-packet')!
    expect(f.cacheBytes).toBe(Number.POSITIVE_INFINITY)
    expect(f.constants['ipt.uncachedBytes']).toBe(0)
    expect(f.constants['ipt.rule']).toBeCloseTo(9, 3)
  })
})

/** nft FORWARD sweeps at 1k–50k rules, priced per rule walk by `ip(n)` and `match(n)` ns. */
function nftSweeps(ip: (n: number) => number, match: (n: number) => number): Measurement[] {
  return recount(
    [1000, 5000, 10000, 20000, 50000].flatMap((n) =>
      (['packet-forward', 'packet-forward-match'] as const).map((experiment) =>
        point({
          experiment,
          backend: 'nft',
          size: n,
          unit: 'ns',
          counts: { 'ipt.rule': 1 },
          value: 2 * n * (experiment === 'packet-forward' ? ip(n) : match(n)),
        }),
      ),
    ),
  )
}

describe('iptables-nft compat matches', () => {
  // 18 ns per rule, 70 per compat match call; the match sweep steps up by ~150 ns per rule between 10k and
  // 20k rules and stays there at 50k (every scattered nft_expr_ops missed), the ip sweep never steps
  const points = nftSweeps(
    () => 18,
    (n) => (n >= 20000 ? 88 + 150 : 88),
  )
  const fit = fitGroups(points).find((f) => f.name === 'iptables-nft-packet')!

  it('explain the step of the match sweep with their scattered ops objects, the ip sweep staying flat', () => {
    expect(fit.excluded).toEqual([])
    expect(fit.rmsRelativeError).toBeLessThan(0.01)
    expect(fit.constants['ipt.rule']).toBeCloseTo(18, 1)
    expect(fit.constants['ipt.match']).toBeCloseTo(70, 1)
    // all 10k rules' objects fit, 20k rules' do not
    expect(fit.cacheBytes).toBeGreaterThanOrEqual(10000 * NFT_COMPAT_OPS_BYTES)
    expect(fit.cacheBytes).toBeLessThan(20000 * NFT_COMPAT_OPS_BYTES)
    expect(fit.constants['ipt.uncachedBytes']).toBeCloseTo(150 / NFT_COMPAT_OPS_BYTES, 3)
  })
})

describe('points a first fit misses by more than TRIM', () => {
  // 18 ns per rule, 70 per match call; the ip sweep (no compat match: nothing scattered) steps up 3× at
  // 50k rules while the match sweep does not: no term of the nft model explains that
  const points = nftSweeps(
    (n) => (n === 50000 ? 3 * 18 : 18),
    () => 88,
  )
  const fit = fitGroups(points).find((f) => f.name === 'iptables-nft-packet')!

  it('are left out of the fit, which then fits the others exactly', () => {
    expect(fit.excluded.map((m) => `${m.experiment} ${m.size}`)).toEqual(['packet-forward 50000'])
    expect(fit.rows).toHaveLength(9)
    expect(fit.constants['ipt.match']).toBeCloseTo(70, 1)
    expect(fit.rmsRelativeError).toBeLessThan(0.01)
  })

  it('are still in the report, marked as not fitted', () => {
    const { profile } = buildProfile({ machine, quick: true, measurements: points })
    const report = labReport(points, [{ name: 'calibrated', profile }], undefined, new Set(fit.excluded))
    const row = (e: string) => report.rows.find((r) => r.experiment === e && r.size === 50000)
    expect(row('packet-forward')?.notFitted).toBe(true)
    expect(row('packet-forward-match')?.notFitted).toBeUndefined()
    expect(report.markdown).toContain('| 50000 (not fitted) |')
    expect(report.markdown).toMatch(/Outside ±25 % with `calibrated` at 50000: /)
  })
})

describe('fitGroups on an nft restore sweep with its size-0 table', () => {
  // synthetic nft kernel: 2.5 ms a run, 20 ms to create the table, 20 µs a line, 2.4 ns a table byte
  const truth = {
    'restore.nft.invocation': 0.0025,
    'restore.nft.tableCreate': 0.02,
    'restore.nft.line': 2e-5,
    'restore.nft.tableByte': 2.4e-9,
  }
  const priced = (c: Record<string, number>) =>
    Object.entries(truth).reduce((a, [k, v]) => a + (c[k] ?? 0) * v, 0)
  const sweep = [0, 1000, 5000, 20000].flatMap((n) => {
    const at = { rulesAfter: 7 * n + 7, chainsAfter: 3 * n + 8, bytesAfter: 4360 * n + 3000 }
    const full = restoreCounts({ lines: 10 * n + 14, ...at, created: true }, 'nft')
    const one = restoreCounts({ lines: 3, ...at }, 'nft')
    return [
      point({
        experiment: 'restore-full',
        backend: 'nft',
        size: n,
        unit: 's',
        counts: full,
        value: priced(full),
      }),
      point({
        experiment: 'restore-one-rule',
        backend: 'nft',
        size: n,
        unit: 's',
        counts: one,
        value: priced(one),
      }),
    ]
  })
  const fit = fitGroups(sweep).find((f) => f.name === 'iptables-nft-restore')!

  it('tells the per-run cost from the cost of creating the table', () => {
    expect(fit.constants['restore.nft.invocation']).toBeCloseTo(0.0025, 4)
    expect(fit.constants['restore.nft.tableCreate']).toBeCloseTo(0.02, 4)
    expect(fit.dropped).toContain('restore.nft.lineChain')
    expect(fit.constants['restore.nft.lineChain']).toBe(0)
  })
})

/**
 * A synthetic legacy kernel's packet sweeps (FORWARD at 1k–50k rules, first packets at 1k–50k services with
 * 30k and 40k), every point priced by `truth` with the counts at L2 `l2`, LLC share `share` of `ways` ways.
 */
function syntheticLegacySweeps(
  truth: Record<string, number>,
  l2: number,
  share: number,
  ways = Number.POSITIVE_INFINITY,
  /** the whole L3 and its ways, which warm walks have to themselves */
  whole = Number.POSITIVE_INFINITY,
  wholeWays = Number.POSITIVE_INFINITY,
): Measurement[] {
  const shaped = recount(
    [
      ...[1000, 5000, 10000, 20000, 50000].map((n) => ['packet-forward', n] as const),
      ...[1000, 5000, 10000, 20000, 30000, 40000, 50000].map((n) => ['packet-nat-first', n] as const),
    ].map(([experiment, size]) =>
      point({ experiment, backend: 'legacy', size, unit: 'ns', counts: { 'ipt.rule': 1 }, value: 1 }),
    ),
  )
  const priced = (m: Measurement) =>
    Object.entries(
      countsAt(m, {
        cacheBytes: l2,
        llcShareBytes: share,
        llcShareWays: ways,
        llcBytes: whole,
        llcWays: wholeWays,
      }),
    ).reduce((t, [k, v]) => t + v * (truth[k] ?? 0), 0)
  return recount(shaped.map((m) => point({ ...m, value: priced(m) })))
}

describe('cold walks beyond one CPU’s share of the L3', () => {
  // synthetic legacy kernel on a machine whose 32 MiB L3 two CPUs share: 5 ns per rule, 0.01 ns per byte
  // streamed past the 512 KiB L2, and 0.15 ns per byte a cold walk reads beyond its 16 MiB share
  const l2 = 512 * 1024
  const caches = { l1d: 32 * 1024, l2, l3: 32 * 2 ** 20, l3Shared: 2 }
  const share = 16 * 2 ** 20
  const truth: Record<string, number> = {
    'ipt.rule': 5,
    'ipt.uncachedBytes': 0.01,
    'ipt.llcMissBytes': 0.15,
  }
  const points = syntheticLegacySweeps(truth, l2, share)
  const fit = fitGroups(points, { caches }).find((g) => g.name === 'iptables-legacy-packet')!

  it('takes the share from sysfs: the L3 over the CPUs sharing it', () => {
    expect(llcShareOf(caches)).toBe(share)
    expect(llcShareOf({ l2, l3: 32 * 2 ** 20 })).toBe(Number.POSITIVE_INFINITY)
    expect(llcShareOf(undefined)).toBe(Number.POSITIVE_INFINITY)
  })

  it('counts only the first packets past the share (cold walks), never the warm FORWARD walks', () => {
    const llc = (experiment: string, size: number) =>
      countsAt(points.find((m) => m.experiment === experiment && m.size === size)!, {
        cacheBytes: l2,
        llcShareBytes: share,
      })['ipt.llcMissBytes']
    expect(llc('packet-nat-first', 30000)).toBe(0)
    expect(llc('packet-nat-first', 40000)).toBeGreaterThan(0)
    expect(llc('packet-nat-first', 50000)).toBeGreaterThan(llc('packet-nat-first', 40000))
    expect(llc('packet-forward', 50000)).toBe(0)
  })

  it('fits the per-byte price beyond the share with the group’s other keys, no point left out', () => {
    expect(PACKET_KEYS).toContain('ipt.llcMissBytes')
    expect(fit.excluded).toEqual([])
    expect(fit.llcShareBytes).toBe(share)
    expect(fit.constants['ipt.llcMissBytes']).toBeCloseTo(0.15, 4)
    expect(fit.constants['ipt.rule']).toBeCloseTo(5, 3)
    expect(fit.fixed).toEqual(['ipt.cacheBytes', 'ipt.llcShareBytes', 'ipt.llcBytes'])
  })

  it('says a per-byte price beyond the share is not measured when no point of the sweep crosses it', () => {
    const below = points.filter((m) => m.size <= 30000)
    const f = fitGroups(below, { caches }).find((g) => g.name === 'iptables-legacy-packet')!
    expect(f.unexercised).toEqual(['ipt.llcMissBytes'])
    const { profile } = buildProfile({ machine: { ...machine, caches }, quick: true, measurements: below })
    // priced by the model's default (from the l3-probe), said so, instead of a 0 claiming no such cost
    expect(profile.constants['ipt.llcMissBytes'].value).toBe(
      IPTABLES_PACKET_CONSTANTS['ipt.llcMissBytes'].value,
    )
    expect(profile.constants['ipt.llcMissBytes'].value).toBeGreaterThan(0)
    expect(profile.constants['ipt.llcMissBytes'].source).toMatch(
      /no point .* has this count, so this calibration does not measure it: the model's default/,
    )
    expect(profile.constants['ipt.rule'].source).toMatch(/non-negative least squares/)
    // a 0 no measurement could move is no estimate: no interval, not in the rerun check
    const spread = bootstrapConstants(below, { samples: 10, caches }).map((c) => c.key)
    expect(spread).not.toContain('ipt.llcMissBytes')
    expect(spread).toContain('ipt.rule')
  })

  it('writes the share as a machine constant with its sysfs source, and the sharing CPUs in the provenance', () => {
    const { profile } = buildProfile({ machine: { ...machine, caches }, quick: false, measurements: points })
    expect(profile.constants['ipt.llcShareBytes']).toMatchObject({ value: share, unit: 'bytes' })
    expect(profile.constants['ipt.llcShareBytes'].source).toMatch(/÷ the 2 CPUs sharing it .*not fitted/)
    expect(profile.constants['ipt.llcMissBytes']).toMatchObject({ unit: 'ns/byte' })
    expect(profile.constants['ipt.llcMissBytes'].value).toBeCloseTo(0.15, 4)
    expect(cacheNote(caches)).toContain('L3 32768 KiB shared by 2 CPUs')
    expect(cachesFromNote(profile.provenance.notes ?? '')).toEqual(caches)
    // a provenance written before the sharing count was recorded still reads
    expect(cachesFromNote('caches L1d 32 KiB, L2 512 KiB, L3 32768 KiB (sysfs cpu0/cache)')).toEqual({
      l1d: 32 * 1024,
      l2,
      l3: 32 * 2 ** 20,
    })
    const spread = bootstrapConstants(points, { samples: 10, caches })
    expect(spread.map((c) => c.key)).not.toContain('ipt.llcShareBytes')
    expect(spread.map((c) => c.key)).toContain('ipt.llcMissBytes')
  })

  it('leaves the 50k first packet out as a step without the share, as before the term', () => {
    const without = fitGroups(points, { caches: { l1d: caches.l1d, l2, l3: caches.l3 } }).find(
      (g) => g.name === 'iptables-legacy-packet',
    )!
    expect(without.llcShareBytes).toBe(Number.POSITIVE_INFINITY)
    expect(without.constants['ipt.llcMissBytes']).toBeUndefined()
    expect(without.excluded.map((m) => `${m.experiment} ${m.size}`)).toContain('packet-nat-first 50000')
  })
})

/**
 * A synthetic legacy kernel on this machine kind: a 32 MiB, 16-way L3 two CPUs share (cold walks get 8 ways of
 * 16 MiB, warm ones the whole of it), 5 ns per rule, 0.01 ns per byte streamed past the 512 KiB L2 and 0.12 ns
 * per byte whose pages overfill their L3 sets.
 */
const SIXTEEN_WAY = (() => {
  const l2 = 512 * 1024
  const caches = { l1d: 32 * 1024, l2, l3: 32 * 2 ** 20, l3Shared: 2, l3Ways: 16 }
  const share = 16 * 2 ** 20
  const truth: Record<string, number> = { 'ipt.rule': 5, 'ipt.uncachedBytes': 0.01, 'ipt.llcMissBytes': 0.12 }
  return { l2, caches, share, points: syntheticLegacySweeps(truth, l2, share, 8, 2 * share, 16) }
})()

describe('cold walks whose pages overfill L3 sets: the share’s ways from sysfs', () => {
  // the same synthetic legacy kernel, on a 16-way L3: first packets pay 0.12 ns per byte llcMissedBytes gives
  // with 8 ways of a 16 MiB share (pages placed at random), from well below the share on
  const { l2, caches, share, points } = SIXTEEN_WAY
  const llc = (size: number, ways: number) =>
    countsAt(points.find((m) => m.experiment === 'packet-nat-first' && m.size === size)!, {
      cacheBytes: l2,
      llcShareBytes: share,
      llcShareWays: ways,
    })['ipt.llcMissBytes']

  it('takes the ways from sysfs: the L3’s ways over the CPUs sharing it', () => {
    expect(llcWaysOf(caches)).toBe(8)
    expect(llcWaysOf({ ...caches, l3Ways: undefined })).toBe(Number.POSITIVE_INFINITY)
    expect(llcWaysOf({ ...caches, l3Shared: 32 })).toBe(1)
  })

  it('counts first packets below the share too, more than the bytes beyond it, and no warm walk', () => {
    expect(llc(20000, 8)).toBeGreaterThan(0)
    expect(llc(30000, 8)).toBeGreaterThan(llc(20000, 8))
    expect(llc(30000, Number.POSITIVE_INFINITY)).toBe(0)
    expect(llc(50000, 8)).toBeGreaterThan(llc(50000, Number.POSITIVE_INFINITY))
    const forward = points.find((m) => m.experiment === 'packet-forward' && m.size === 50000)!
    expect(
      countsAt(forward, { cacheBytes: l2, llcShareBytes: share, llcShareWays: 8 })['ipt.llcMissBytes'],
    ).toBe(0)
  })

  it('recovers the price with the machine’s ways, and writes the ways as a fixed machine constant', () => {
    const fit = fitGroups(points, { caches }).find((g) => g.name === 'iptables-legacy-packet')!
    expect(fit.llcShareWays).toBe(8)
    expect(fit.excluded).toEqual([])
    expect(fit.constants['ipt.llcMissBytes']).toBeCloseTo(0.12, 4)
    expect(fit.fixed).toEqual([
      'ipt.cacheBytes',
      'ipt.llcShareBytes',
      'ipt.llcShareWays',
      'ipt.llcBytes',
      'ipt.llcWays',
    ])
    const { profile } = buildProfile({ machine: { ...machine, caches }, quick: false, measurements: points })
    expect(profile.constants['ipt.llcShareWays']).toMatchObject({ value: 8, unit: 'ways' })
    expect(profile.constants['ipt.llcShareWays'].source).toMatch(
      /16 ways of the L3 .* ÷ the 2 CPUs .*not fitted/,
    )
    expect(cacheNote(caches)).toContain('L3 32768 KiB shared by 2 CPUs, 16-way')
    expect(cachesFromNote(profile.provenance.notes ?? '')).toEqual(caches)
    const spread = bootstrapConstants(points, { samples: 10, caches }).map((c) => c.key)
    expect(spread).not.toContain('ipt.llcShareWays')
    expect(spread).toContain('ipt.llcMissBytes')
  })

  it('fits the same data worse when the ways are not known (the bytes beyond the share alone)', () => {
    const withWays = fitGroups(points, { caches }).find((g) => g.name === 'iptables-legacy-packet')!
    const without = fitGroups(points, { caches: { ...caches, l3Ways: undefined } }).find(
      (g) => g.name === 'iptables-legacy-packet',
    )!
    expect(without.llcShareWays).toBe(Number.POSITIVE_INFINITY)
    expect(withWays.rmsRelativeError).toBeLessThan(1e-6)
    expect(without.rmsRelativeError).toBeGreaterThan(0.01)
  })
})

describe('cold legacy walks evict the L2 the CPU’s other work re-reads (ipt.l2Refill)', () => {
  // the same synthetic legacy kernel, plus 2.5 µs per first packet whose walk streamed a whole L2 of entries
  // (a 1k-service walk, 488 KB, streams 93 % of the 512 KiB L2; 5k and up the whole of it)
  const l2 = 512 * 1024
  const caches = { l1d: 32 * 1024, l2, l3: 32 * 2 ** 20, l3Shared: 2, l3Ways: 16 }
  const share = 16 * 2 ** 20
  const base: Record<string, number> = { 'ipt.rule': 5, 'ipt.uncachedBytes': 0.01, 'ipt.llcMissBytes': 0.12 }
  const refill = (m: Measurement) =>
    countsAt(m, { cacheBytes: l2, llcShareBytes: share, llcShareWays: 8 })['ipt.l2Refill'] ?? 0

  it('counts first packets by the share of the L2 their walk streamed, and no warm walk', () => {
    const points = syntheticLegacySweeps(base, l2, share, 8, 2 * share, 16)
    const first = (n: number) => points.find((m) => m.experiment === 'packet-nat-first' && m.size === n)!
    expect(refill(first(1000))).toBeGreaterThan(0.85)
    expect(refill(first(1000))).toBeLessThan(1)
    expect(refill(first(5000))).toBeCloseTo(1, 2)
    expect(refill(first(50000))).toBeCloseTo(1, 2)
    for (const m of points.filter((p) => p.experiment === 'packet-forward')) expect(refill(m)).toBe(0)
  })

  it('recovers the refill with the other terms when the kernel has it, and fits it at 0 when not', () => {
    const withRefill = fitGroups(
      syntheticLegacySweeps({ ...base, 'ipt.l2Refill': 2500 }, l2, share, 8, 2 * share, 16),
      {
        caches,
      },
    ).find((g) => g.name === 'iptables-legacy-packet')!
    expect(withRefill.excluded).toEqual([])
    expect(withRefill.constants['ipt.l2Refill']).toBeCloseTo(2500, 0)
    expect(withRefill.constants['ipt.rule']).toBeCloseTo(5, 4)
    expect(withRefill.rmsRelativeError).toBeLessThan(1e-6)
    const without = fitGroups(syntheticLegacySweeps(base, l2, share, 8, 2 * share, 16), { caches }).find(
      (g) => g.name === 'iptables-legacy-packet',
    )!
    expect(without.constants['ipt.l2Refill'] ?? 0).toBeCloseTo(0, 6)
    expect(without.constants['ipt.rule']).toBeCloseTo(5, 4)
  })

  it('is a legacy term only: the nft group does not fit it', () => {
    expect(packetKeys('legacy')).toContain('ipt.l2Refill')
    expect(packetKeys('nft')).not.toContain('ipt.l2Refill')
    expect(packetKeys('nft')).toEqual(PACKET_KEYS.filter((k) => k !== 'ipt.l2Refill'))
  })
})

describe('warm walks whose pages overfill sets of the whole L3', () => {
  // the synthetic kernel of the tests above, on a machine whose warm FORWARD walks have the whole 32 MiB,
  // 16-way L3 (the CPU sharing it idle): the 50k walk's 24.4 MB, pages placed at random, overfill some sets
  const { l2, caches, share, points } = SIXTEEN_WAY
  const forward = (n: number) => points.find((m) => m.experiment === 'packet-forward' && m.size === n)!

  it('takes the whole L3 and its ways from sysfs', () => {
    expect(llcBytesOf(caches)).toBe(2 * share)
    expect(llcWholeWaysOf(caches)).toBe(16)
    expect(llcWholeWaysOf({ ...caches, l3Ways: undefined })).toBe(Number.POSITIVE_INFINITY)
    expect(llcBytesOf(undefined)).toBe(Number.POSITIVE_INFINITY)
  })

  it('counts the 50k FORWARD walk with the whole L3 (fewer bytes than the share would), and the 20k one not', () => {
    const at = (m: Measurement, llcBytes: number, llcWays: number) =>
      countsAt(m, { cacheBytes: l2, llcShareBytes: share, llcShareWays: 8, llcBytes, llcWays })[
        'ipt.llcMissBytes'
      ]
    const whole = at(forward(50000), 2 * share, 16)
    expect(whole).toBeGreaterThan(0)
    // the round trip's two walks, each as llcMissedBytes gives it for 16 ways of 32 MiB
    const oneWalk = countsAt(forward(50000), { cacheBytes: l2 })['ipt.bytes'] / 2
    expect(whole).toBeCloseTo(2 * llcMissedBytes(oneWalk, 2 * share, 16), 3)
    expect(whole).toBeLessThan(at(forward(50000), share, 8))
    expect(at(forward(20000), 2 * share, 16)).toBe(0)
    expect(at(forward(50000), Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(0)
  })

  it('recovers the price from both sweeps and writes the whole L3 as fixed machine constants', () => {
    const fit = fitGroups(points, { caches }).find((g) => g.name === 'iptables-legacy-packet')!
    expect(fit.rmsRelativeError).toBeLessThan(1e-6)
    expect(fit.constants['ipt.llcMissBytes']).toBeCloseTo(0.12, 4)
    expect(fit.constants['ipt.llcBytes']).toBe(2 * share)
    expect(fit.constants['ipt.llcWays']).toBe(16)
    const { profile } = buildProfile({ machine: { ...machine, caches }, quick: false, measurements: points })
    expect(profile.constants['ipt.llcBytes']).toMatchObject({ value: 2 * share, unit: 'bytes' })
    expect(profile.constants['ipt.llcWays'].source).toMatch(/16 ways of the L3 .*not fitted/)
    expect(fit.excluded).toEqual([])
  })
})
