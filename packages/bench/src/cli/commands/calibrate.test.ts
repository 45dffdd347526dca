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
  writeFileSync(file, JSON.stringify({ measurements, verdicts: [] }))
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
    const q = join(dir, 'quick.json')
    writeFileSync(
      q,
      JSON.stringify({
        ...JSON.parse(readFileSync(raw('q.json', 6), 'utf8')),
        provenance: { notes: 'quick sweep' },
      }),
    )
    const other = await cli(['calibrate', '--from-raw', a, '--raw-dir', d, '--history', q])
    expect(other.code).toBe(2)
    expect(other.stderr).toMatch(
      /quick\.json:1: expected a full calibration as this run .* is, got a quick one/,
    )
    expect(existsSync(d)).toBe(false)
  })
})
