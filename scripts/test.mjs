#!/usr/bin/env node
// Runs every test with vitest and ends with the plain summary line CI reads: `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dir = mkdtempSync(join(tmpdir(), 'dpsim-test-'))
const report = join(dir, 'vitest.json')
const vitest = join(import.meta.dirname, '..', 'node_modules', 'vitest', 'vitest.mjs')
// a fresh clone whose workspace was never installed (the README's test command run on its own): install it
// first, from the lockfile, as .ci/run does
if (!existsSync(vitest)) {
  const install = spawnSync('npx', ['--yes', 'pnpm@10', 'install', '--frozen-lockfile'], {
    stdio: 'inherit',
    cwd: join(import.meta.dirname, '..'),
  })
  if (install.status !== 0) {
    console.log('0 passed, 1 failed, 0 skipped')
    process.exit(install.status ?? 1)
  }
}
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
