import { spawnSync } from 'node:child_process'
import { inNamespace, type RunOptions, type RunResult, run, runTimed } from '../exec/run'
import { cleanupNow, registerCleanup } from './cleanup'
import { type LabNamespaces, labPrefix, planTopology, staleLabPrefixes, type TopologyPlan } from './plan'

export type LabRole = keyof LabNamespaces

/**
 * One running lab: three namespaces joined by veth pairs (see `planTopology`). Created with `Lab.create()`,
 * removed with `destroy()`; if the process dies first, the cleanup registry removes it.
 */
export class Lab {
  private destroyed = false
  private readonly onDestroyHooks: Array<() => void> = []
  private constructor(readonly plan: TopologyPlan) {}

  get ns(): LabNamespaces {
    return this.plan.namespaces
  }

  static async create(prefix = labPrefix()): Promise<Lab> {
    removeStaleLabs()
    const plan = planTopology(prefix)
    // registered before the first command, so a half-built lab is removed too
    registerCleanup(prefix, plan.teardown)
    const lab = new Lab(plan)
    try {
      for (const argv of plan.setup) await run(argv, { timeoutMs: 30_000 })
    } catch (e) {
      lab.destroy()
      throw e
    }
    return lab
  }

  /** Runs argv inside the namespace of `role`. */
  exec(role: LabRole, argv: string[], opts?: RunOptions): Promise<RunResult> {
    if (this.destroyed) throw new Error(`lab ${this.plan.prefix} is destroyed`)
    return run(inNamespace(this.ns[role], argv), opts)
  }

  /**
   * Runs argv inside the namespace of `role`, `seconds` timed by a shell inside the namespace (runTimed): the
   * command's own start to exit, without `ip netns exec` (which unshares a mount namespace and remounts /sys
   * first) and without the fork from the calibrating Node process, whose cost grows with its heap.
   */
  execTimed(role: LabRole, argv: string[], opts?: RunOptions): Promise<RunResult> {
    if (this.destroyed) throw new Error(`lab ${this.plan.prefix} is destroyed`)
    return runTimed(inNamespace(this.ns[role], argv), opts, true)
  }

  /** Runs argv as given (it names the namespace itself, e.g. an agent started with `ip netns exec`). */
  run(argv: string[], opts?: RunOptions): Promise<RunResult> {
    if (this.destroyed) throw new Error(`lab ${this.plan.prefix} is destroyed`)
    return run(argv, opts)
  }

  /** Registers something to stop before the namespaces go (processes started inside them). */
  onDestroy(hook: () => void): void {
    this.onDestroyHooks.push(hook)
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    for (const hook of this.onDestroyHooks.splice(0)) {
      try {
        hook()
      } catch {}
    }
    cleanupNow(this.plan.prefix)
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Deletes labs left behind by processes that died without cleaning up (SIGKILL, power loss). */
export function removeStaleLabs(): string[] {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? ''
  const stale = staleLabPrefixes(list, pidAlive)
  for (const prefix of stale) {
    for (const argv of planTopology(prefix).teardown) spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' })
  }
  return stale
}
