import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

export const cpuSeconds = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/** A benchmark result as reports/bench/*.json holds it (machine, node version, date, figures); printed, and written when `write`. */
export function benchReport(
  name: string,
  description: string,
  target: unknown,
  figures: unknown,
  write: boolean,
): void {
  const result = {
    name,
    description,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryBytes: totalmem(),
      platform: process.platform,
    },
    node: process.version,
    date: new Date().toISOString(),
    target,
    figures,
  }
  const text = `${JSON.stringify(result, null, 2)}\n`
  process.stdout.write(text)
  if (write) {
    mkdirSync('reports/bench', { recursive: true })
    writeFileSync(`reports/bench/${name}.json`, text)
  }
}
