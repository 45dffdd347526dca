#!/usr/bin/env node
// Runs every test with vitest and ends with the plain summary line CI reads: `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dir = mkdtempSync(join(tmpdir(), 'dpsim-test-'))
const report = join(dir, 'vitest.json')
const vitest = join(import.meta.dirname, '..', 'node_modules', 'vitest', 'vitest.mjs')
const run = spawnSync(
  process.execPath,
  [
    vitest,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
)
let summary = 'no test report was written'
try {
  const r = JSON.parse(readFileSync(report, 'utf8'))
  const skipped = r.numPendingTests + r.numTodoTests
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`
} catch {}
rmSync(dir, { recursive: true, force: true })
console.log(summary)
process.exit(run.status ?? 1)
