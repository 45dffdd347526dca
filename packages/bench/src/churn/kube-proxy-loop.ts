import type { Arrivals } from './arrivals'

/** What one kube-proxy sync writes, from which its duration is modeled. */
export interface SyncWork {
  /** services in the node's tables (KUBE-SERVICES has one rule per service port) */
  services: number
  /** distinct services changed since the last sync (the chains a partial sync rewrites) */
  changedServices: number
  /** a full sync rewrites every chain; a partial one only the changed services' chains plus the shared ones */
  full: boolean
}

/** Seconds one sync takes (mostly iptables-restore), as a function of what it writes. */
export type SyncSeconds = (work: SyncWork) => number

export interface KubeProxyLoopOptions {
  services: number
  syncSeconds: SyncSeconds
  /** --iptables-min-sync-period (kube-proxy default 1 s) */
  minSyncPeriod?: number
  /** --iptables-sync-period: a sync at least this often even without changes (default 30 s) */
  syncPeriod?: number
  /** token-bucket burst of the runner (kube-proxy passes burstSyncs = 2) */
  burstSyncs?: number
  /** partial syncs (KEP-3453, default since 1.28); false: every sync is a full one */
  partialSync?: boolean
  /** a full sync is forced this often (kube-proxy's FullSyncPeriod, 1 hour) */
  fullSyncPeriod?: number
  /** simulated horizon in seconds: periodic syncs are simulated up to it */
  duration: number
}

/** The outcome of a simulated run of one dataplane's control plane. */
export interface LoopResult {
  /** programming latency of each change (seconds from arrival until the dataplane has it), in arrival order */
  latencies: Float64Array
  /** programming runs (kube-proxy syncs; Cilium change batches) */
  runs: number
  /** kube-proxy: how many of them were full syncs */
  fullRuns: number
  /** largest number of changes one run carried */
  maxBatch: number
  /** fraction of the horizon spent programming */
  busyFraction: number
  /** end of the last run (seconds) */
  end: number
}

/**
 * kube-proxy's sync loop: `syncProxyRules` driven by the BoundedFrequencyRunner of kubernetes
 * `pkg/util/async/bounded_frequency_runner.go` (v1.30). Semantics kept from it:
 * - `Run()` on every change; the run channel holds one request, so changes that come while a sync runs are
 *   coalesced into ONE follow-up attempt when it ends;
 * - `tryRun` asks a token bucket (rate 1/minSyncPeriod, burst `burstSyncs`); with a token the sync starts now,
 *   else the timer is set to `minInterval − (now − lastRun)`, where lastRun is taken when the sync ENDS;
 * - after each sync the timer is reset to `maxInterval` (syncPeriod), so an idle node still syncs periodically.
 * A sync takes every change pending when it STARTS (the change trackers are drained at the top of
 * syncProxyRules), so each change's latency is the end of the first sync that starts after it arrives.
 * One deviation: the real runner can re-arm its timer at ≤ 0 while the bucket is still short of a token; here
 * the timer waits for the token instead, which is what the loop converges to anyway.
 */
export function simulateKubeProxyLoop(arrivals: Arrivals, opts: KubeProxyLoopOptions): LoopResult {
  const minSync = opts.minSyncPeriod ?? 1
  const maxInterval = opts.syncPeriod ?? 30
  const burst = Math.max(1, opts.burstSyncs ?? 2)
  const partial = opts.partialSync ?? true
  const fullEvery = opts.fullSyncPeriod ?? 3600
  const { times, services } = arrivals
  const n = times.length
  const latencies = new Float64Array(n)

  let tokens = burst
  let tokensAt = 0
  let lastRun = Number.NEGATIVE_INFINITY
  let lastFull = 0
  let timerAt = maxInterval
  let busyUntil = Number.NaN // NaN: idle
  let runRequested = false
  let next = 0 // next arrival not yet delivered
  let pendingFrom = 0 // first change not yet taken by a sync
  let batchFrom = 0
  let batchTo = 0
  let runs = 0
  let fullRuns = 0
  let maxBatch = 0
  let busy = 0
  let end = 0
  const seen = new Set<number>()

  const refill = (t: number): void => {
    if (minSync <= 0) {
      tokens = burst
    } else {
      tokens = Math.min(burst, tokens + (t - tokensAt) / minSync)
    }
    tokensAt = t
  }

  const tryRun = (t: number): void => {
    refill(t)
    if (tokens >= 1 - 1e-12) {
      tokens -= 1
      batchFrom = pendingFrom
      batchTo = next
      pendingFrom = next
      seen.clear()
      for (let i = batchFrom; i < batchTo; i++) seen.add(services[i])
      const full = !partial || t - lastFull >= fullEvery
      if (full) {
        lastFull = t
        fullRuns++
      }
      const d = Math.max(0, opts.syncSeconds({ services: opts.services, changedServices: seen.size, full }))
      busyUntil = t + d
      busy += d
      runs++
      maxBatch = Math.max(maxBatch, batchTo - batchFrom)
      return
    }
    const nextPossible = minSync - (t - lastRun)
    const tokenReady = (1 - tokens) * minSync
    timerAt = Math.min(timerAt, t + Math.max(nextPossible, tokenReady))
  }

  for (;;) {
    const tArrival = next < n ? times[next] : Number.POSITIVE_INFINITY
    const running = !Number.isNaN(busyUntil)
    const tOther = running ? busyUntil : timerAt
    if (!running && next >= n && pendingFrom >= n && timerAt >= opts.duration) break
    if (tArrival <= tOther) {
      next++
      if (running) runRequested = true
      else tryRun(tArrival)
      continue
    }
    if (running) {
      const t = busyUntil
      busyUntil = Number.NaN
      lastRun = t
      end = t
      timerAt = t + maxInterval
      for (let i = batchFrom; i < batchTo; i++) latencies[i] = t - times[i]
      if (runRequested) {
        runRequested = false
        tryRun(t)
      }
      continue
    }
    // timer fired
    timerAt = Number.POSITIVE_INFINITY
    tryRun(tOther)
    if (Number.isNaN(busyUntil) && timerAt === Number.POSITIVE_INFINITY) timerAt = tOther + maxInterval
  }
  const horizon = Math.max(opts.duration, end)
  return { latencies, runs, fullRuns, maxBatch, busyFraction: horizon > 0 ? busy / horizon : 0, end }
}
