import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * What every benchmark records about where it ran, in one place: the benchmark scripts of every package and
 * `dpsim report` write it beside their figures, so a reader can tell a quiet-machine figure from one taken
 * while other work competed for the CPUs.
 */
export interface MachineInfo {
  platform: string
  release: string
  arch: string
  cpu: string
  cores: number
  memoryBytes: number
  node: string
  /** os.loadavg() when the measurement ended: other work on the machine skews the JS timings */
  loadAverage: number[]
}

export function machineInfo(): MachineInfo {
  const c = cpus()
  return {
    platform: platform(),
    release: release(),
    arch: arch(),
    cpu: c[0]?.model?.trim() || 'unknown CPU',
    cores: c.length,
    memoryBytes: totalmem(),
    node: process.version,
    loadAverage: loadavg().map(round2),
  }
}

/** CPU seconds (user + system) this process has used: unlike wall time, not inflated by other processes' turns. */
export function cpuSeconds(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/**
 * CPU seconds the calling thread has run (Linux /proc/thread-self/schedstat: time on a CPU, in ns), or null
 * where it is not there. `cpuSeconds` counts every thread of the process: V8's garbage-collector helper
 * threads run on the other cores while the JavaScript thread works, collecting garbage whoever made it; this is
 * the one core the JavaScript (the model) runs on. `schedstat` (the file's text) for tests.
 */
export function threadCpuSeconds(schedstat?: string): number | null {
  let text = schedstat
  if (text === undefined) {
    try {
      text = readFileSync('/proc/thread-self/schedstat', 'utf8')
    } catch {
      return null
    }
  }
  const ns = Number(text.split(' ', 1)[0])
  return Number.isFinite(ns) && ns >= 0 ? ns / 1e9 : null
}

/**
 * CPU seconds (user + system) of this process's children that have ended and been waited for (Linux
 * /proc/self/stat cutime + cstime, in clock ticks of 1/100 s): a benchmark that runs each measurement in a child
 * process (`spawnSync`) put that load on the CPUs itself. 0 where /proc is not there.
 */
export function childCpuSeconds(stat?: string): number {
  let text = stat
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/stat', 'utf8')
    } catch {
      return 0
    }
  }
  // fields after the parenthesised command (which may hold spaces): state is field 3, cutime 16, cstime 17
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const cutime = Number(rest[16 - 3])
  const cstime = Number(rest[17 - 3])
  return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) / CLOCK_TICKS : 0
}

/** USER_HZ, the unit of /proc's CPU times: 100 on Linux for every architecture (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS = 100

/**
 * A sentence on how far the timings can be trusted, from the 1-minute load average at the start and the end of
 * the measurement: above half the core count, other work had turns on the CPUs the benchmark wanted.
 * `ownThreads` is the load the measuring process itself put on the CPUs (its CPU seconds ÷ wall seconds, GC
 * threads included): it counts in the average at the end and is not other work, so it is taken off the end
 * figure before judging (a single-threaded benchmark alone on 2 CPUs ends near 1, which is quiet).
 */
export function loadNote(loadAtStart: number, loadAtEnd: number, cores: number, ownThreads = 0): string {
  const worst = Math.max(loadAtStart, loadAtEnd - ownThreads)
  const own = ownThreads > 0 ? ` (this run's own threads about ${round2(ownThreads)} of it)` : ''
  const where = `1-minute load average ${round2(loadAtStart)} at the start, ${round2(loadAtEnd)} at the end${own}, on ${cores} CPUs`
  return worst > cores / 2
    ? `${where}: other work competed for the CPUs, so wall times are provisional; CPU seconds are given beside them where measured.`
    : `${where}: the machine was otherwise quiet.`
}

/** A benchmark run: machine facts, the load average at its start, and the writer of its JSON record. */
export class BenchRun {
  readonly startedAt = new Date()
  private readonly loadAtStart = loadavg()[0]
  private readonly cpuAtStart = cpuSeconds() + childCpuSeconds()

  /** The record's header: machine, Node version, date, and the load note. */
  environment(): {
    machine: MachineInfo
    node: string
    date: string
    load: string
  } {
    const machine = machineInfo()
    return { machine, node: process.version, date: this.startedAt.toISOString(), load: this.note(machine) }
  }

  /** `loadNote` for the run so far: the load at its start and now, less what this process itself ran. */
  note(machine: MachineInfo = machineInfo()): string {
    return loadNote(this.loadAtStart, machine.loadAverage[0], machine.cores, this.ownThreads())
  }

  /**
   * CPU seconds this process and its waited-for children used since the run started ÷ wall seconds: the load it
   * put on the CPUs itself (a benchmark that measures in child processes counts theirs too).
   */
  private ownThreads(): number {
    const wall = (Date.now() - this.startedAt.getTime()) / 1000
    return wall > 0 ? (cpuSeconds() + childCpuSeconds() - this.cpuAtStart) / wall : 0
  }

  /**
   * Writes `reports/bench/<name>.json` under `root` (the repository root), name and header first, atomically (a
   * temp file renamed over the old one), and returns the path.
   */
  write(root: string, name: string, body: Record<string, unknown>): string {
    const out = join(root, 'reports', 'bench', `${name}.json`)
    mkdirSync(dirname(out), { recursive: true })
    const tmp = `${out}.${process.pid}.tmp`
    writeFileSync(tmp, `${JSON.stringify({ name, ...this.environment(), ...body }, null, 2)}\n`)
    renameSync(tmp, out)
    return out
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}
