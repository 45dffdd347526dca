import { join } from 'node:path'
import { BenchRun } from '@dataplane-sim/cluster/bench'

export { cpuSeconds, threadCpuSeconds } from '@dataplane-sim/cluster/bench'

// started when a benchmark script imports this module: its load note covers the whole script
const run = new BenchRun()

/**
 * A benchmark result as reports/bench/*.json holds it (name, machine, Node version, date, load note, then the
 * figures); printed, and written when `write`.
 */
export function benchReport(
  name: string,
  description: string,
  target: unknown,
  figures: unknown,
  write: boolean,
): void {
  const body = { description, target, figures }
  process.stdout.write(`${JSON.stringify({ name, ...run.environment(), ...body }, null, 2)}\n`)
  if (write) run.write(join(import.meta.dirname, '..', '..', '..'), name, body)
}
