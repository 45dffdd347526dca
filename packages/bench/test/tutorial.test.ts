import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateTutorial } from '../src/tutorial/generate'

describe('tutorial generator', () => {
  it('runs every step command successfully on small sizes and writes their output into the tutorial', async () => {
    const { markdown, runs } = await generateTutorial({
      services: [20, 80],
      one: 60,
      dir: mkdtempSync(join(tmpdir(), 'dpsim-tut-')),
    })
    expect(runs.length).toBeGreaterThanOrEqual(5)
    for (const r of runs)
      expect({ argv: r.argv.join(' '), exitCode: r.exitCode, stderr: r.stderr }).toMatchObject({
        exitCode: 0,
      })
    for (const title of [
      'Rule count grows',
      'walks the rules one by one',
      'One service added',
      'NOTRACK',
      'map overflows',
    ]) {
      expect(markdown).toContain(title)
    }
    expect(markdown).toContain('$ dpsim plan --services 20 --endpoints 2 --seed 1')
    expect(markdown).toMatch(/cilium_lb4_services_v2/)
    expect(markdown).toMatch(/--bpf-lb-map-max \d+/)
  }, 240_000)
})
