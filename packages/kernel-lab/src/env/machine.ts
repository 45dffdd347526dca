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
  /** data cache sizes of CPU 0 by level, bytes (sysfs); absent where sysfs does not say */
  caches?: CacheSizes
}

/** Bytes of the data (or unified) cache at each level CPU 0 sees, as sysfs reports them. */
export interface CacheSizes {
  l1d?: number
  l2?: number
  l3?: number
  /** CPUs sharing that L3 (sysfs index3/shared_cpu_list): one CPU can count on l3 ÷ l3Shared of it */
  l3Shared?: number
  /** ways of each set of that L3 (sysfs index3/ways_of_associativity) */
  l3Ways?: number
}

/** How many CPUs a sysfs cpu list names (`0-1`, `0-3,8-11`, `5`); undefined when it cannot be read. */
export function countCpuList(text: string): number | undefined {
  let n = 0
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!m) return undefined
    n += m[2] === undefined ? 1 : Number(m[2]) - Number(m[1]) + 1
  }
  return n > 0 ? n : undefined
}

/** `512K` / `32768K` / `1M` as sysfs writes cache sizes, in bytes. */
export function parseCacheSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([KMG]?)/i.exec(text)
  if (!m) return undefined
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G']
  return Number(m[1]) * scale
}

/**
 * /sys/devices/system/cpu/cpu0/cache/index*: level, type and size of each cache CPU 0 uses (L2 per core and
 * L3 shared by CPUs 0-1 on this machine kind: 512 KiB and 32 MiB). Instruction caches are skipped.
 */
export function machineCaches(root = '/sys/devices/system/cpu/cpu0/cache'): CacheSizes {
  const out: CacheSizes = {}
  for (let i = 0; i < 8; i++) {
    try {
      const dir = `${root}/index${i}`
      const type = readFileSync(`${dir}/type`, 'utf8').trim()
      if (type === 'Instruction') continue
      const level = Number(readFileSync(`${dir}/level`, 'utf8').trim())
      const size = parseCacheSize(readFileSync(`${dir}/size`, 'utf8'))
      if (size === undefined) continue
      if (level === 1) out.l1d = size
      else if (level === 2) out.l2 = size
      else if (level === 3) {
        out.l3 = size
        try {
          const shared = countCpuList(readFileSync(`${dir}/shared_cpu_list`, 'utf8'))
          if (shared !== undefined) out.l3Shared = shared
        } catch {}
        try {
          const ways = Number(readFileSync(`${dir}/ways_of_associativity`, 'utf8').trim())
          if (Number.isInteger(ways) && ways > 0) out.l3Ways = ways
        } catch {}
      }
    } catch {}
  }
  return out
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
    caches: machineCaches(),
  }
}
