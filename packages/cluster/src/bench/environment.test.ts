import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BenchRun, childCpuSeconds, cpuSeconds, loadNote, machineInfo, threadCpuSeconds } from './environment'

describe('bench environment', () => {
  it('calls a run provisional when the load average passes half the CPUs, quiet otherwise', () => {
    expect(loadNote(0.1, 0.4, 2)).toMatch(/otherwise quiet/)
    expect(loadNote(0.1, 1.5, 2)).toMatch(/provisional/)
    expect(loadNote(9.8, 0.2, 2)).toMatch(/provisional/)
    expect(loadNote(9.8, 0.2, 2)).toMatch(/9\.8 at the start, 0\.2 at the end, on 2 CPUs/)
  })

  it("does not count the run's own threads as other work", () => {
    // a single-threaded benchmark alone on 2 CPUs ends with a load near 1 that is all its own
    expect(loadNote(0.2, 1.3, 2, 1.05)).toMatch(/otherwise quiet/)
    expect(loadNote(0.2, 1.3, 2, 1.05)).toMatch(/own threads about 1\.05 of it/)
    // the same end load from a process that mostly waited is other work
    expect(loadNote(0.2, 1.3, 2, 0.1)).toMatch(/provisional/)
    // a busy start is other work whatever the run did
    expect(loadNote(1.5, 1.3, 2, 1.2)).toMatch(/provisional/)
  })

  it('reads the CPU seconds of ended children from /proc/self/stat (cutime + cstime), a command with spaces too', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    const stat = '4242 (node worker 1) S 1 4242 4242 0 -1 4194560 10 20 0 0 150 30 250 75 20 0 11 0 0'
    expect(childCpuSeconds(stat)).toBeCloseTo(3.25, 9)
    expect(childCpuSeconds('garbage')).toBe(0)
  })

  it("reads the calling thread's CPU time from /proc/thread-self/schedstat, not the other threads'", () => {
    expect(threadCpuSeconds('1500000000 2000 7\n')).toBe(1.5)
    expect(threadCpuSeconds('garbage')).toBeNull()
    const before = threadCpuSeconds()
    if (before === null) return // no /proc (not Linux): nothing to read
    const c0 = cpuSeconds()
    let x = 0
    while (cpuSeconds() - c0 < 0.2) x++
    const spent = (threadCpuSeconds() as number) - before
    // this thread's own spin: most of the process CPU it took, and never more than the process's
    expect(spent).toBeGreaterThan(0.15)
    expect(spent).toBeLessThanOrEqual(cpuSeconds() - c0 + 0.01)
    expect(x).toBeGreaterThan(0)
  })

  it("counts a child process's CPU time as the run's own once the child has ended", () => {
    const before = childCpuSeconds()
    // the child spins until it has used 0.3 s of CPU itself, however busy the machine is
    const child = spawnSync(process.execPath, ['-e', 'while (process.cpuUsage().user < 3e5) {}'])
    expect(child.status).toBe(0)
    expect(childCpuSeconds() - before).toBeGreaterThanOrEqual(0.25)
  })

  it('writes the record with the machine header before the figures', () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-env-'))
    try {
      const path = new BenchRun().write(root, 'demo', { figures: { x: 1 } })
      expect(path).toBe(join(root, 'reports', 'bench', 'demo.json'))
      const j = JSON.parse(readFileSync(path, 'utf8'))
      expect(Object.keys(j)).toEqual(['name', 'machine', 'node', 'date', 'load', 'figures'])
      expect(j.machine.cores).toBe(machineInfo().cores)
      expect(j.figures).toEqual({ x: 1 })
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
