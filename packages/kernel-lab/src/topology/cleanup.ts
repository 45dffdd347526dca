import { spawnSync } from 'node:child_process'

/**
 * Teardown commands of every lab still alive in this process. They run synchronously, so they also run from
 * the 'exit' handler, after an uncaught error, and on SIGINT/SIGTERM/SIGHUP, where no promise would finish.
 */
const pending = new Map<string, string[][]>()
let installed = false

function runAll(): void {
  for (const [id, cmds] of pending) {
    for (const argv of cmds) spawnSync(argv[0], argv.slice(1), { stdio: 'ignore', timeout: 30_000 })
    pending.delete(id)
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll()
  // re-raise with the default action so the exit status says which signal ended us
  process.removeListener(signal, onSignal)
  process.kill(process.pid, signal)
}

function install(): void {
  if (installed) return
  installed = true
  process.on('exit', runAll)
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal)
}

/** Remembers how to remove lab `id`; runs on exit/signal unless `cleanupNow(id)` ran first. */
export function registerCleanup(id: string, teardown: string[][]): void {
  install()
  pending.set(id, teardown)
}

/** Removes lab `id` now (idempotent). */
export function cleanupNow(id: string): void {
  const cmds = pending.get(id)
  if (!cmds) return
  pending.delete(id)
  for (const argv of cmds) spawnSync(argv[0], argv.slice(1), { stdio: 'ignore', timeout: 30_000 })
}

/** Ids of labs not yet removed (for tests and diagnostics). */
export function pendingCleanups(): string[] {
  return [...pending.keys()]
}
