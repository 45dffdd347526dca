// Writes docs/tutorial.md by running each step's dpsim command: `npx tsx packages/bench/src/tutorial/main.ts`.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeAtomic } from '../cli/_io'
import { generateTutorial } from './generate'

const root = join(import.meta.dirname, '..', '..', '..', '..')
const { markdown, runs } = await generateTutorial({
  services: [100, 1000, 5000],
  one: 2000,
  dir: mkdtempSync(join(tmpdir(), 'dpsim-tutorial-')),
})
const failed = runs.filter((r) => r.exitCode !== 0)
if (failed.length > 0) {
  for (const f of failed)
    process.stderr.write(`dpsim ${f.argv.join(' ')} exited ${f.exitCode}: ${f.stderr}\n`)
  process.exitCode = 1
} else {
  writeAtomic(join(root, 'docs', 'tutorial.md'), markdown)
  process.stdout.write(`wrote docs/tutorial.md (${runs.length} commands)\n`)
}
