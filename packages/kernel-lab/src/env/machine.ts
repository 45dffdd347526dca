import { readFileSync } from 'node:fs'
import { cpus, release } from 'node:os'

/** Where a calibration ran: recorded in the profile's provenance. */
export interface MachineInfo {
  kernel: string
  cpu: string
  cpus: number
  node: string
  date: string
}

export function machineInfo(now = new Date()): MachineInfo {
  let cpu = cpus()[0]?.model ?? 'unknown'
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (m) cpu = m[1].trim()
  } catch {}
  return { kernel: release(), cpu, cpus: cpus().length, node: process.version, date: now.toISOString() }
}
