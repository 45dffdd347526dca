import { createRng } from '@dataplane-sim/cluster'

/** A stream of Service/EndpointSlice changes, as the node's watch delivers them. */
export interface Arrivals {
  /** arrival time of each change in seconds, ascending */
  times: Float64Array
  /** index of the service each change touches, in [0, services) */
  services: Uint32Array
}

export interface ArrivalOptions {
  /** mean changes per second (bursts included) */
  rate: number
  /** simulated seconds */
  duration: number
  /** number of services changes are spread over */
  services: number
  /** probability that an arrival is a burst (a rollout touching several services at once); default 0.05 */
  burstProbability?: number
  /** largest burst; burst sizes are uniform in [2, burstSize]; default 20 */
  burstSize?: number
  seed: number
}

/**
 * Poisson arrivals of changes at `rate` per second, where a fraction of arrival events are bursts of several
 * changes at the same instant (a Deployment rollout updates many EndpointSlices together). The event rate is
 * lowered so that the mean number of changes per second stays `rate`. Deterministic for a seed.
 */
export function generateArrivals(opts: ArrivalOptions): Arrivals {
  const pBurst = opts.burstProbability ?? 0.05
  const maxBurst = Math.max(2, opts.burstSize ?? 20)
  if (!(opts.rate > 0) || !(opts.duration > 0) || !(opts.services >= 1)) {
    throw new RangeError('generateArrivals: rate, duration and services must be positive')
  }
  const meanBurst = (2 + maxBurst) / 2
  const changesPerEvent = 1 - pBurst + pBurst * meanBurst
  const eventRate = opts.rate / changesPerEvent
  const rng = createRng(opts.seed).fork('churn-arrivals')
  const times: number[] = []
  const services: number[] = []
  let t = 0
  for (;;) {
    t += -Math.log(1 - rng.float()) / eventRate
    if (t >= opts.duration) break
    const n = rng.chance(pBurst) ? rng.range(2, maxBurst) : 1
    for (let i = 0; i < n; i++) {
      times.push(t)
      services.push(rng.int(opts.services))
    }
  }
  return { times: Float64Array.from(times), services: Uint32Array.from(services) }
}

/** Arrivals at fixed instants (for hand-computed cases): each time touches its own service. */
export function fixedArrivals(times: readonly number[], services?: readonly number[]): Arrivals {
  return {
    times: Float64Array.from(times),
    services: Uint32Array.from(services ?? times.map((_, i) => i)),
  }
}
