import type { ClusterSize } from './builders'
import type { MeasureOptions } from './measure'

/** What one report profile runs. */
export interface SuiteConfig {
  mode: 'quick' | 'full'
  /** the services sweep (charts and the gap) */
  services: number[]
  /** endpoints per service in the services sweep (the anchors' kube-proxy table has 2) */
  endpoints: number
  /** extra points varying endpoints and policies at one service count */
  variations: Array<Omit<ClusterSize, 'seed' | 'nodes'>>
  timing: Pick<MeasureOptions, 'timeMs' | 'iterations'> & { updateBudgetMs: number }
  packets: number
  churn: { rates: number[]; services: number[]; durationSeconds: number }
  plan: { services: number; endpoints: number }
}

/** ≤ 2 minutes for the whole report on a 2-core machine. */
export const QUICK: SuiteConfig = {
  mode: 'quick',
  services: [100, 1000, 5000, 10_000],
  endpoints: 2,
  variations: [
    { services: 1000, endpoints: 10, policies: 100 },
    { services: 1000, endpoints: 2, policies: 500 },
  ],
  timing: { timeMs: 60, iterations: 5, updateBudgetMs: 1500 },
  packets: 32,
  churn: {
    rates: [1, 10, 50],
    services: [100, 1000, 5000, 10_000, 20_000, 50_000, 100_000],
    durationSeconds: 120,
  },
  plan: { services: 10_000, endpoints: 2 },
}

/** ≤ 20 minutes: services 100 … 100k. */
export const FULL: SuiteConfig = {
  mode: 'full',
  services: [100, 1000, 5000, 10_000, 20_000, 50_000, 100_000],
  endpoints: 2,
  variations: [
    { services: 10_000, endpoints: 10, policies: 1000 },
    { services: 10_000, endpoints: 2, policies: 5000 },
  ],
  timing: { timeMs: 300, iterations: 10, updateBudgetMs: 8000 },
  packets: 64,
  churn: {
    rates: [1, 10, 50, 200],
    services: [100, 1000, 5000, 10_000, 20_000, 50_000, 100_000],
    durationSeconds: 600,
  },
  plan: { services: 100_000, endpoints: 2 },
}
