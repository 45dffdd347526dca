import { forwardCounts, forwardMatchCounts, natFirstPacketCounts } from '../fit/counts'
import { forwardRulesTable } from '../rules/forwardRules'
import { kubeProxyShapeTable } from '../rules/kubeProxyShape'
import { flushConntrack, IPTABLES_BACKENDS, type IptablesBackend, resetNode, restore } from '../rules/restore'
import { LAB_ADDRESSES } from '../topology/addressPlan'
import type { Lab } from '../topology/lab'
import { pingNewFlows, pingRtt } from './probe'
import type { Progress } from './restoreSweep'
import { summarize, trimmedMean } from './stats'
import type { Experiment, Measurement, SweepPlan } from './types'

/**
 * Per-packet cost vs rules traversed. Every run's value is the trimmed mean round trip at that size minus the
 * trimmed mean of a baseline run (no rules) taken right before it, so drift of a shared machine's load
 * between sizes cancels out; the sweep's points are the medians of those differences.
 */
export async function forwardSweep(
  lab: Lab,
  plan: SweepPlan,
  kind: 'ip' | 'match',
  progress: Progress = () => {},
): Promise<Measurement[]> {
  const experiment: Experiment = kind === 'ip' ? 'packet-forward' : 'packet-forward-match'
  const counts = kind === 'ip' ? forwardCounts : forwardMatchCounts
  const out: Measurement[] = []
  for (const backend of IPTABLES_BACKENDS) {
    for (const rules of plan.forwardRules.filter((n) => n > 0)) {
      const table = forwardRulesTable(rules, kind)
      const runs: number[] = []
      let lost = 0
      for (let r = 0; r < plan.runs; r++) {
        await resetNode(lab)
        const base = await pingRtt(lab, LAB_ADDRESSES.server, plan.pings)
        await restore(lab, backend, table)
        const loaded = await pingRtt(lab, LAB_ADDRESSES.server, plan.pings)
        lost += base.lost + loaded.lost
        runs.push(trimmedMean(loaded.rtts) - trimmedMean(base.rtts))
      }
      const summary = summarize(runs)
      progress(
        `${experiment} ${backend} ${rules} rules: +${(summary.median / 1000).toFixed(1)} µs per round trip`,
      )
      out.push({
        experiment,
        backend,
        size: rules,
        unit: 'ns',
        runs,
        summary,
        counts: counts(rules),
        notes: { lost },
      })
    }
  }
  await resetNode(lab)
  return out
}

/**
 * First-packet cost vs services: echoes with a new ICMP identifier each (a new conntrack entry, so nat
 * PREROUTING runs) to the server's own address, which no KUBE-SERVICES rule matches, so each first packet
 * walks the whole chain, each rule failing on its `-d` test as any non-service packet's does. Conntrack is
 * flushed before each run so no identifier is ever an old flow.
 */
export async function natFirstPacketSweep(
  lab: Lab,
  plan: SweepPlan,
  progress: Progress = () => {},
): Promise<Measurement[]> {
  const out: Measurement[] = []
  const newFlows = async (idBase: number) => {
    await flushConntrack(lab)
    return pingNewFlows(lab, LAB_ADDRESSES.server, plan.newFlows, idBase)
  }
  for (const backend of IPTABLES_BACKENDS as IptablesBackend[]) {
    for (const services of plan.natServices.filter((n) => n > 0)) {
      const table = kubeProxyShapeTable(services)
      const runs: number[] = []
      let lost = 0
      for (let r = 0; r < plan.runs; r++) {
        // the baseline has the same hooks and conntrack, only no service rules: the difference is the walk
        await resetNode(lab)
        await restore(lab, backend, kubeProxyShapeTable(0))
        const base = await newFlows(1)
        await restore(lab, backend, table)
        const loaded = await newFlows(1 + plan.newFlows)
        lost += base.lost + loaded.lost
        runs.push(trimmedMean(loaded.rtts, 0.2) - trimmedMean(base.rtts, 0.2))
      }
      const summary = summarize(runs)
      progress(
        `packet-nat-first ${backend} ${services} services: +${(summary.median / 1000).toFixed(1)} µs per new flow`,
      )
      out.push({
        experiment: 'packet-nat-first',
        backend,
        size: services,
        unit: 'ns',
        runs,
        summary,
        counts: natFirstPacketCounts(services),
        notes: { lost },
      })
    }
  }
  await resetNode(lab)
  return out
}
