import { readFileSync } from 'node:fs'
import { cpus, loadavg, release } from 'node:os'

/** Where a calibration ran: recorded in the profile's provenance. */
export interface MachineInfo {
  kernel: string
  cpu: string
  cpus: number
  node: string
  date: string
  /** 1-minute load average when recorded: on a shared machine, what the timings competed with */
  load1: number
}

export function machineInfo(now = new Date()): MachineInfo {
  let cpu = cpus()[0]?.model ?? 'unknown'
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (m) cpu = m[1].trim()
  } catch {}
  return {
    kernel: release(),
    cpu,
    cpus: cpus().length,
    node: process.version,
    date: now.toISOString(),
    load1: Number(loadavg()[0].toFixed(2)),
  }
}
