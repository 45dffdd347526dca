import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { runCli } from '../program'

const dir = mkdtempSync(join(tmpdir(), 'dpsim-calibrate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** raw.json of a FORWARD sweep whose per-rule cost is `perRule` (what `dpsim calibrate --raw-dir` writes). */
function raw(name: string, perRule: number): string {
  const measurements = [100, 400, 1600].map((n) => {
    const runs = [0.995, 1, 1.005].map((f) => 2 * n * perRule * f)
    return {
      experiment: 'packet-forward',
      backend: 'legacy',
      size: n,
      unit: 'ns',
      runs,
      summary: {
        median: runs[1],
        min: runs[0],
        max: runs[2],
        mean: runs[1],
        p25: runs[0],
        p75: runs[2],
        n: 3,
      },
      counts: { 'ipt.rule': 2 * n },
    }
  })
  const file = join(dir, name)
  // the caches the sweep ran with, as a calibration records them (else the fit takes this machine's, and the
  // constants it fits depend on where the test runs)
  writeFileSync(file, JSON.stringify({ measurements, verdicts: [], provenance: { notes: CACHES } }))
  return file
}

/** A provenance note's caches (`cacheNote`): the machine kind the committed calibrations ran on. */
const CACHES =
  '1-minute load 0.5; caches L1d 32 KiB, L2 512 KiB, L3 32768 KiB shared by 2 CPUs, 16-way (sysfs cpu0/cache)'

/** The same, recorded as a quick sweep. */
function quickRaw(name: string, perRule: number): string {
  const file = raw(name, perRule)
  writeFileSync(
    file,
    JSON.stringify({
      ...JSON.parse(readFileSync(file, 'utf8')),
      provenance: { notes: `quick sweep; ${CACHES}` },
    }),
  )
  return file
}

async function cli(argv: string[]) {
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  try {
    const code = await runCli(argv)
    return { code, stderr: err.mock.calls.map((c) => String(c[0])).join('') }
  } finally {
    err.mockRestore()
  }
}

describe('dpsim calibrate --compare-raw --history', () => {
  it('writes the rerun README with the between-run section and says both counts', async () => {
    const out = join(dir, 'README.md')
    const { code, stderr } = await cli([
      'calibrate',
      '--from-raw',
      raw('a.json', 6),
      '--compare-raw',
      raw('b.json', 6.6),
      '--history',
      raw('h1.json', 5.4),
      '--history',
      raw('h2.json', 6.9),
      '-o',
      out,
    ])
    expect(code).toBe(0)
    expect(stderr).toMatch(
      /1 of 2 constants of the second run within[^\n]*\ncalibrate: with the between-run spread of 2 more runs: 2 of 2/,
    )
    expect(readFileSync(out, 'utf8')).toContain('## Between calibrations')
  })

  it('exits 2 when --history comes with neither a rerun check nor a README to widen', async () => {
    const { code, stderr } = await cli(['calibrate', '--history', raw('h.json', 6)])
    expect(code).toBe(2)
    expect(stderr).toMatch(/--history needs --compare-raw .* or --raw-dir/)
  })
})

describe('dpsim calibrate --raw-dir --history', () => {
  it('adds the between-run spread to the run’s README and leaves the profile as without it', async () => {
    const a = raw('own.json', 6)
    const with_ = join(dir, 'with')
    const without = join(dir, 'without')
    const args = (d: string) => ['calibrate', '--from-raw', a, '--raw-dir', d, '-o', join(d, 'profile.json')]
    expect(
      (await cli([...args(with_), '--history', raw('e1.json', 5.4), '--history', raw('e2.json', 6.9)])).code,
    ).toBe(0)
    expect((await cli(args(without))).code).toBe(0)
    const readme = readFileSync(join(with_, 'README.md'), 'utf8')
    expect(readme).toContain('## Between calibrations')
    expect(readme).toMatch(/\| `ipt.rule` \| 6 \| .* \| 3 \| 6\.1 \|/)
    expect(readFileSync(join(without, 'README.md'), 'utf8')).not.toContain('## Between calibrations')
    // the same profile but for where its raw data was written
    const profile = (d: string) => {
      const p = JSON.parse(readFileSync(join(d, 'profile.json'), 'utf8'))
      expect(p.provenance.data).toMatch(/raw\.json$/)
      p.provenance.data = undefined
      return p
    }
    expect(profile(with_)).toEqual(profile(without))
  })

  it('exits 2 naming the file when a history run is the run itself or of the other sweep, writing nothing', async () => {
    const a = raw('self.json', 6)
    const d = join(dir, 'refused')
    const self = await cli(['calibrate', '--from-raw', a, '--raw-dir', d, '--history', a])
    expect(self.code).toBe(2)
    expect(self.stderr).toMatch(/self\.json:1: expected a calibration other than this run/)
    const q = quickRaw('quick.json', 6)
    const other = await cli(['calibrate', '--from-raw', a, '--raw-dir', d, '--history', q])
    expect(other.code).toBe(2)
    expect(other.stderr).toMatch(
      /quick\.json:1: expected a full calibration as this run .* is, got a quick one/,
    )
    expect(existsSync(d)).toBe(false)
  })
})

describe('dpsim calibrate --from-raw A --from-raw B (a pool)', () => {
  it('fits the pool, says which runs it merged and writes their between-run spread; its raw.json re-fits alike', async () => {
    const d = join(dir, 'pool')
    const args = ['--raw-dir', d, '-o', join(d, 'profile.json')]
    const a = raw('p6.json', 6)
    const b = raw('p7.json', 7)
    expect((await cli(['calibrate', '--from-raw', a, '--from-raw', b, ...args])).code).toBe(0)
    const readme = readFileSync(join(d, 'README.md'), 'utf8')
    expect(readme).toContain('pooled: the passes of 2 calibrations of this machine')
    expect(readme).toContain('The 2 calibrations this profile pools')
    // τ from the two runs alone: runs 2, their mean 6.5
    expect(readme).toMatch(/\| `ipt.rule` \| [\d.]+ \| .* \| 2 \| 6\.5 \|/)
    const profile = (f: string) => JSON.parse(readFileSync(f, 'utf8'))
    const pooled = profile(join(d, 'profile.json'))
    expect(pooled.constants['ipt.rule'].value).toBeGreaterThan(6)
    expect(pooled.constants['ipt.rule'].value).toBeLessThan(7)
    const again = join(dir, 'again.json')
    expect((await cli(['calibrate', '--from-raw', join(d, 'raw.json'), '-o', again])).code).toBe(0)
    expect(profile(again).constants).toEqual(pooled.constants)
  })

  it('exits 2 for a pool with --history, a run given twice or runs of two sweeps, writing nothing', async () => {
    const a = raw('pa.json', 6)
    const d = join(dir, 'pool-refused')
    const history = await cli([
      'calibrate',
      '--from-raw',
      a,
      '--from-raw',
      raw('pb.json', 7),
      '--raw-dir',
      d,
      '--history',
      raw('ph.json', 6.2),
    ])
    expect(history.code).toBe(2)
    expect(history.stderr).toMatch(/--history with several --from-raw/)
    const twice = await cli(['calibrate', '--from-raw', a, '--from-raw', raw('pa2.json', 6), '--raw-dir', d])
    expect(twice.code).toBe(2)
    expect(twice.stderr).toMatch(/pa2\.json:1: expected each calibration once in a pool/)
    const q = quickRaw('pq.json', 6.5)
    const sweeps = await cli(['calibrate', '--from-raw', a, '--from-raw', q, '--raw-dir', d])
    expect(sweeps.code).toBe(2)
    expect(sweeps.stderr).toMatch(/pq\.json:1: expected a full calibration as .*pa\.json is, got a quick one/)
    expect(existsSync(d)).toBe(false)
  })
})

describe('dpsim calibrate --from-raw A1 --from-raw A2 … --compare-raw B (a new run against a pool)', () => {
  it('checks B against the pool’s prediction intervals and prices B’s measurements by the pool’s profile', async () => {
    const pool = [
      '--from-raw',
      raw('q6.json', 6),
      '--from-raw',
      raw('q7.json', 7),
      '--from-raw',
      raw('q65.json', 6.5),
    ]
    const out = join(dir, 'vs-pool.md')
    const near = await cli(['calibrate', ...pool, '--compare-raw', raw('qn.json', 6.6), '-o', out])
    expect(near.code).toBe(0)
    expect(near.stderr).toMatch(/(\d+) of \1 constants of the new run within the pool's prediction intervals/)
    expect(near.stderr).toMatch(/priced by the pool's profile: worst \|error\| \d/)
    const md = readFileSync(out, 'utf8')
    expect(md).toContain('# A new calibration against a pool')
    expect(md).toContain('95% prediction interval for one more run')
    expect(md).toContain('Per table, the worst |error| of `pool`')
    const far = await cli([
      'calibrate',
      ...pool,
      '--compare-raw',
      raw('qf.json', 12),
      '-o',
      join(dir, 'far.md'),
    ])
    expect(far.stderr).toMatch(/\d+ of \d+ constants of the new run within/)
    expect(far.stderr).not.toMatch(/(\d+) of \1 constants/)
    expect(readFileSync(join(dir, 'far.md'), 'utf8')).toMatch(/\| `ipt.rule` \|.*\| no \|$/m)
  })

  it('exits 2 when B is one of the pooled runs, or when a pool’s raw.json stands where one run is expected', async () => {
    const a = raw('r6.json', 6)
    const same = await cli([
      'calibrate',
      '--from-raw',
      a,
      '--from-raw',
      raw('r7.json', 7),
      '--compare-raw',
      a,
    ])
    expect(same.code).toBe(2)
    expect(same.stderr).toMatch(/r6\.json:1: expected a calibration other than the new run/)
    const d = join(dir, 'pool-raw')
    expect(
      (
        await cli([
          'calibrate',
          '--from-raw',
          a,
          '--from-raw',
          raw('r8.json', 8),
          '--raw-dir',
          d,
          '-o',
          join(d, 'p.json'),
        ])
      ).code,
    ).toBe(0)
    const pooledRaw = join(d, 'raw.json')
    const asRun = await cli(['calibrate', '--from-raw', pooledRaw, '--compare-raw', raw('r9.json', 9)])
    expect(asRun.code).toBe(2)
    expect(asRun.stderr).toMatch(/pool-raw\/raw\.json:1: expected one calibration, got a pool of several/)
    const inPool = await cli([
      'calibrate',
      '--from-raw',
      pooledRaw,
      '--from-raw',
      raw('r10.json', 10),
      '-o',
      join(dir, 'x.json'),
    ])
    expect(inPool.code).toBe(2)
    expect(inPool.stderr).toMatch(/expected one calibration, got a pool/)
  })
})
