import { mean, quantile } from '../report/quantile'
import { type ArrivalOptions, generateArrivals } from './arrivals'
import { simulateCiliumAgent } from './cilium-agent'
import {
  type KubeProxyLoopOptions,
  type LoopResult,
  type SyncSeconds,
  simulateKubeProxyLoop,
} from './kube-proxy-loop'

/** Programming-latency figures of one dataplane at one (services, churn rate) point. */
export interface LatencySummary {
  changes: number
  /** seconds */
  p50: number
  p99: number
  max: number
  mean: number
  runs: number
  fullRuns: number
  maxBatch: number
  busyFraction: number
  /** latency in the last third of the run is well above the first third: a backlog is building up */
  growing: boolean
  /** the control plane idles between runs and no backlog builds up */
  keepsUp: boolean
}

export interface ChurnOptions {
  services: number
  /** changes per second */
  rate: number
  /** simulated seconds (default 120) */
  duration?: number
  seed: number
  burstProbability?: number
  burstSize?: number
  kubeProxy: Omit<KubeProxyLoopOptions, 'services' | 'duration'>
  /** seconds the Cilium agent spends on one change at this cluster size */
  ciliumChangeSeconds: number
}

export interface ChurnResult {
  services: number
  rate: number
  duration: number
  seed: number
  kubeProxy: LatencySummary
  cilium: LatencySummary
}

/** A loop is saturated once it spends this share of the time programming: it never idles between syncs. */
export const SATURATED_BUSY_FRACTION = 0.95

/** Summarises a simulated run; see `LatencySummary.keepsUp` for when a control plane keeps up. */
export function summarise(r: LoopResult): LatencySummary {
  const n = r.latencies.length
  const third = Math.floor(n / 3)
  const first = third > 0 ? mean(r.latencies.subarray(0, third)) : 0
  const last = third > 0 ? mean(r.latencies.subarray(n - third)) : 0
  // 1.5× and at least one second more: random bursts move the mean by less than that at any sensible rate
  const growing = third >= 3 && last > 1.5 * first && last - first > 1
  return {
    changes: n,
    p50: n ? quantile(r.latencies, 0.5) : 0,
    p99: n ? quantile(r.latencies, 0.99) : 0,
    max: n ? quantile(r.latencies, 1) : 0,
    mean: n ? mean(r.latencies) : 0,
    runs: r.runs,
    fullRuns: r.fullRuns,
    maxBatch: r.maxBatch,
    busyFraction: r.busyFraction,
    growing,
    keepsUp: r.busyFraction < SATURATED_BUSY_FRACTION && !growing,
  }
}

/**
 * The Kubernetes network programming latency SLI (change → node dataplane has it) for both dataplanes, under
 * the same seeded stream of changes.
 */
export function simulateChurn(opts: ChurnOptions): ChurnResult {
  const duration = opts.duration ?? 120
  const arrivalOpts: ArrivalOptions = {
    rate: opts.rate,
    duration,
    services: opts.services,
    seed: opts.seed,
    burstProbability: opts.burstProbability,
    burstSize: opts.burstSize,
  }
  const arrivals = generateArrivals(arrivalOpts)
  const kp = simulateKubeProxyLoop(arrivals, { ...opts.kubeProxy, services: opts.services, duration })
  const cilium = simulateCiliumAgent(arrivals, { changeSeconds: () => opts.ciliumChangeSeconds, duration })
  return {
    services: opts.services,
    rate: opts.rate,
    duration,
    seed: opts.seed,
    kubeProxy: summarise(kp),
    cilium: summarise(cilium),
  }
}

export interface ChurnSweepOptions {
  services: readonly number[]
  rates: readonly number[]
  duration?: number
  seed: number
  burstProbability?: number
  burstSize?: number
  syncSeconds: SyncSeconds
  kubeProxy?: Omit<KubeProxyLoopOptions, 'services' | 'duration' | 'syncSeconds'>
  /** seconds per change for the Cilium agent at a cluster size */
  ciliumChangeSeconds: (services: number) => number
}

export interface ChurnSweep {
  points: ChurnResult[]
  /** per churn rate: the smallest swept service count at which kube-proxy no longer keeps up (null: never) */
  kubeProxyLimit: Array<{ rate: number; services: number | null }>
  ciliumLimit: Array<{ rate: number; services: number | null }>
}

/** `simulateChurn` over a grid of service counts × churn rates, and where each control plane stops keeping up. */
export function sweepChurn(opts: ChurnSweepOptions): ChurnSweep {
  const points: ChurnResult[] = []
  const sizes = [...opts.services].sort((a, b) => a - b)
  for (const rate of opts.rates) {
    for (const services of sizes) {
      points.push(
        simulateChurn({
          services,
          rate,
          duration: opts.duration,
          seed: opts.seed,
          burstProbability: opts.burstProbability,
          burstSize: opts.burstSize,
          kubeProxy: { ...opts.kubeProxy, syncSeconds: opts.syncSeconds },
          ciliumChangeSeconds: opts.ciliumChangeSeconds(services),
        }),
      )
    }
  }
  const limit = (pick: (p: ChurnResult) => LatencySummary) =>
    opts.rates.map((rate) => {
      const first = points.find((p) => p.rate === rate && !pick(p).keepsUp)
      return { rate, services: first ? first.services : null }
    })
  return { points, kubeProxyLimit: limit((p) => p.kubeProxy), ciliumLimit: limit((p) => p.cilium) }
}
