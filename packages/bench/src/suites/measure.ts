import v8 from 'node:v8'
import vm from 'node:vm'
import { Bench } from 'tinybench'

/** JS time of one operation: median and p99 in nanoseconds over `samples` timed iterations. */
export interface TimingStats {
  medianNs: number
  p99Ns: number
  samples: number
}

export interface MeasureOptions {
  /** time budget per task in ms (tinybench keeps going until both this and `iterations` are met) */
  timeMs: number
  /** minimum timed iterations */
  iterations: number
  /** run before each iteration, not timed (undo the previous iteration's update) */
  beforeEach?: () => void
  /** operations one call of `fn` performs; the figures are per operation */
  opsPerCall?: number
}

/** Times `fn` with tinybench (one task, sequential, a short warm-up) and returns per-operation figures. */
export function measure(name: string, fn: () => void, opts: MeasureOptions): TimingStats {
  const bench = new Bench({
    name,
    time: opts.timeMs,
    iterations: opts.iterations,
    warmupIterations: 5,
    warmupTime: 0,
    throws: true,
  })
  bench.add(name, fn, opts.beforeEach ? { beforeEach: opts.beforeEach } : undefined)
  const [task] = bench.runSync()
  const r = task.result
  if (r.state !== 'completed') throw new Error(`benchmark ${name} did not complete: ${r.state}`)
  const per = 1e6 / (opts.opsPerCall ?? 1)
  return {
    medianNs: r.latency.p50 * per,
    p99Ns: r.latency.p99 * per,
    samples: r.latency.samplesCount,
  }
}

let gcFn: (() => void) | null | undefined

/**
 * A full garbage collection before a timed section, so that the heap another dataplane left behind is not
 * collected inside this one's timings. Node exposes `gc` only under --expose-gc; the flag can be set at run
 * time and the function read from a fresh context. Without it (a runtime that refuses the flag) nothing happens.
 */
export function collectGarbage(): void {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc')
      gcFn = vm.runInNewContext('gc') as () => void
    } catch {
      gcFn = null
    }
  }
  gcFn?.()
}
