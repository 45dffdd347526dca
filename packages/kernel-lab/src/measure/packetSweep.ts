import { forwardCounts, forwardMatchCounts, natFirstPacketCounts } from '../fit/counts'
import { forwardRulesTable } from '../rules/forwardRules'
import { firstPacketTable } from '../rules/kubeProxyShape'
import { flushConntrack, IPTABLES_BACKENDS, type IptablesBackend, resetNode, restore } from '../rules/restore'
import { LAB_ADDRESSES } from '../topology/addressPlan'
import type { Lab } from '../topology/lab'
import { inPasses } from './passes'
import { ECHO_PORT, pingRtt, SKIP_PORT, startEcho, udpNewFlows } from './probe'
import type { Progress } from './restoreSweep'
import { quantileMean, summarize, trimmedMean } from './stats'
import { type Experiment, firstPacketSizes, type Measurement, placementsFor, type SweepPlan } from './types'

/**
 * One pass's value of a point: `once` (a fresh restore of the table and one measurement, in ns) as many times as
 * the plan gives the point (placementsFor), and the mean of the values, which come back in order too.
 */
async function overPlacements(
  plan: SweepPlan,
  pt: { backend: string; size: number },
  once: () => Promise<number>,
): Promise<{ mean: number; each: number[] }> {
  const each: number[] = []
  for (let i = placementsFor(plan, pt.backend, pt.size); i > 0; i--) each.push(await once())
  return { mean: each.reduce((a, v) => a + v, 0) / each.length, each }
}

/**
 * Per-packet cost vs rules traversed. Every run's value is the trimmed mean round trip at that size minus the
 * trimmed mean of a baseline run (no rules) taken right before it, so drift of a shared machine's load
 * between sizes cancels out; the sweep's points are the medians of those differences (a legacy point from
 * SweepPlan.placements' size on: each run the mean over that many fresh restores). Runs are taken in
 * separate passes over the sizes (measure/passes.ts).
 */
export async function forwardSweep(
  lab: Lab,
  plan: SweepPlan,
  kind: 'ip' | 'match',
  progress: Progress = () => {},
): Promise<Measurement[]> {
  const experiment: Experiment = kind === 'ip' ? 'packet-forward' : 'packet-forward-match'
  const counts = kind === 'ip' ? forwardCounts : forwardMatchCounts
  const points = IPTABLES_BACKENDS.flatMap((backend) =>
    plan.forwardRules.filter((n) => n > 0).map((size) => ({ backend, size, runs: [] as number[], lost: 0 })),
  )
  await inPasses(points, plan.runs, async (pt) => {
    // legacy's large tables: the mean over fresh restores, each placing the blob anew (SweepPlan.placements)
    const { mean } = await overPlacements(plan, pt, async () => {
      await resetNode(lab)
      const base = await pingRtt(lab, LAB_ADDRESSES.server, plan.pings)
      await restore(lab, pt.backend, forwardRulesTable(pt.size, kind))
      const loaded = await pingRtt(lab, LAB_ADDRESSES.server, plan.pings)
      pt.lost += base.lost + loaded.lost
      return trimmedMean(loaded.rtts) - trimmedMean(base.rtts)
    })
    pt.runs.push(mean)
    progress(
      `${experiment} ${pt.backend} ${pt.size} rules, pass ${pt.runs.length}: +${(pt.runs.at(-1)! / 1000).toFixed(1)} µs`,
    )
  })
  const out = points.map((pt): Measurement => {
    const summary = summarize(pt.runs)
    progress(
      `${experiment} ${pt.backend} ${pt.size} rules: +${(summary.median / 1000).toFixed(1)} µs per round trip`,
    )
    return {
      experiment,
      backend: pt.backend,
      size: pt.size,
      unit: 'ns',
      runs: pt.runs,
      summary,
      counts: counts(pt.size),
      notes: { lost: pt.lost, passes: plan.runs, placements: placementsFor(plan, pt.backend, pt.size) },
    }
  })
  await resetNode(lab)
  return out
}

/** What a run's flows say: the mean of their 5th–50th percentiles (stats.ts quantileMean says why). */
const lowerHalf = (rtts: number[]) => quantileMean(rtts, 0.05, 0.5)

/** Source port of the first-packet sweep's first flow (each flow takes the next). */
const FIRST_PORT = 20000

/**
 * One batch of first packets through whatever nat table the node has: conntrack flushed, `newFlows` flows to the
 * walking port interleaved with as many to the skipping one, the lower-half mean of the walking flows minus that
 * of the skipping ones (ns), and the datagrams lost.
 */
export async function firstPacketBatch(lab: Lab, newFlows: number): Promise<{ ns: number; lost: number }> {
  await flushConntrack(lab)
  const r = await udpNewFlows(lab, LAB_ADDRESSES.server, [ECHO_PORT, SKIP_PORT], newFlows, FIRST_PORT)
  return { ns: lowerHalf(r.rtts[0]) - lowerHalf(r.rtts[1]), lost: r.lost }
}

/**
 * First-packet cost vs services: UDP datagrams to the server's echo agent, each from a new source port (a new
 * conntrack entry, so nat PREROUTING runs), from one persistent sender in the client namespace, back to back
 * (see agents/newFlows.ts: warm walks, the state of a node under a steady stream of new connections). The
 * server's own address is no service, so each first packet to ECHO_PORT walks the whole KUBE-SERVICES chain,
 * each rule failing as any non-service packet's does; the baseline is the first packets to SKIP_PORT, which
 * the same table accepts before its services (firstPacketTable), interleaved flow by flow with the walking
 * ones so both share whatever else the machine does. Per run: the lower-half mean of the walking flows minus
 * that of the skipping ones, conntrack flushed first (a legacy point from SweepPlan.placements' size on: the mean
 * of that many fresh restores, each with its batch). Runs in separate passes over the sizes.
 */
export async function natFirstPacketSweep(
  lab: Lab,
  plan: SweepPlan,
  progress: Progress = () => {},
): Promise<Measurement[]> {
  const stopEcho = await startEcho(lab)
  const points = (IPTABLES_BACKENDS as IptablesBackend[]).flatMap((backend) =>
    firstPacketSizes(plan, backend)
      .filter((n) => n > 0)
      .map((size) => ({ backend, size, runs: [] as number[], lost: 0 })),
  )
  try {
    await inPasses(points, plan.runs, async (pt) => {
      const { mean, each } = await overPlacements(plan, pt, async () => {
        await resetNode(lab)
        await restore(lab, pt.backend, firstPacketTable(pt.size, SKIP_PORT))
        const r = await firstPacketBatch(lab, plan.newFlows)
        pt.lost += r.lost
        return r.ns
      })
      pt.runs.push(mean)
      progress(
        `packet-nat-first ${pt.backend} ${pt.size} services, pass ${pt.runs.length}: +${(pt.runs.at(-1)! / 1000).toFixed(1)} µs${each.length > 1 ? ` (mean of ${each.length} restores: ${each.map((v) => (v / 1000).toFixed(0)).join(' / ')})` : ''} (lost so far ${pt.lost})`,
      )
    })
  } finally {
    stopEcho()
  }
  const out = points.map((pt): Measurement => {
    const summary = summarize(pt.runs)
    progress(
      `packet-nat-first ${pt.backend} ${pt.size} services: +${(summary.median / 1000).toFixed(1)} µs per new flow`,
    )
    return {
      experiment: 'packet-nat-first',
      backend: pt.backend,
      size: pt.size,
      unit: 'ns',
      runs: pt.runs,
      summary,
      counts: natFirstPacketCounts(pt.size),
      notes: {
        lost: pt.lost,
        passes: plan.runs,
        placements: placementsFor(plan, pt.backend, pt.size),
        probe: 'udp new source port, back to back, interleaved with a baseline port',
      },
    }
  })
  await resetNode(lab)
  return out
}
