import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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

  it('exits 2 when --history comes without the runs it widens the check of', async () => {
    const { code, stderr } = await cli(['calibrate', '--history', raw('h.json', 6)])
    expect(code).toBe(2)
    expect(stderr).toMatch(/--history needs --from-raw A --compare-raw B/)
  })
})
