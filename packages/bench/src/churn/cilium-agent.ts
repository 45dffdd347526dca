import type { Arrivals } from './arrivals'
import type { LoopResult } from './kube-proxy-loop'

export interface CiliumAgentOptions {
  /** seconds the agent spends writing one change into the BPF maps (its map operations × cost per operation) */
  changeSeconds: (service: number) => number
  /** fixed delay between the change reaching the agent and its handler running (default 0) */
  handlerDelay?: number
  duration: number
}

/**
 * Cilium's agent: every Service/EndpointSlice event is handled on its own, in order, and turned into the few
 * map operations it needs (`pkg/service` UpsertService → lbmap, `pkg/k8s/watchers`), so there is no batching
 * window and no whole-table rewrite. Modeled as a FIFO single server whose service time is the change's
 * map-operation cost: latency_i = max(arrival_i + delay, finish_{i−1}) + cost_i − arrival_i.
 */
export function simulateCiliumAgent(arrivals: Arrivals, opts: CiliumAgentOptions): LoopResult {
  const { times, services } = arrivals
  const n = times.length
  const delay = opts.handlerDelay ?? 0
  const latencies = new Float64Array(n)
  let free = 0
  let busy = 0
  for (let i = 0; i < n; i++) {
    const start = Math.max(times[i] + delay, free)
    const d = Math.max(0, opts.changeSeconds(services[i]))
    free = start + d
    busy += d
    latencies[i] = free - times[i]
  }
  const horizon = Math.max(opts.duration, free)
  return {
    latencies,
    runs: n,
    fullRuns: 0,
    maxBatch: n > 0 ? 1 : 0,
    busyFraction: horizon > 0 ? busy / horizon : 0,
    end: free,
  }
}
