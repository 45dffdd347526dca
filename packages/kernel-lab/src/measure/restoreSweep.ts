import { restoreModelCounts } from '@dataplane-sim/iptables-model'
import { restoreCounts } from '../fit/counts'
import { kubeProxyShapeOneRule, kubeProxyShapeTable, restoreSize } from '../rules/kubeProxyShape'
import { renderedKubeProxyRuleset, restoreTermsOf } from '../rules/renderedRuleset'
import { ensureNfacct, IPTABLES_BACKENDS, resetNode, restore } from '../rules/restore'
import type { Lab } from '../topology/lab'
import { summarize } from './stats'
import type { Measurement, SweepPlan } from './types'

export type Progress = (message: string) => void

/**
 * Whole-table restore and one-rule `--noflush` update times vs services, for both backends. Each full restore
 * starts from empty rules (reset untimed), as kube-proxy's first sync after a restart; each one-rule update
 * goes into a freshly loaded table of that size.
 */
export async function restoreSweep(
  lab: Lab,
  plan: SweepPlan,
  progress: Progress = () => {},
): Promise<Measurement[]> {
  const out: Measurement[] = []
  const oneRule = kubeProxyShapeOneRule()
  const one = restoreSize(oneRule)
  for (const backend of IPTABLES_BACKENDS) {
    for (const services of plan.restoreServices) {
      const table = kubeProxyShapeTable(services)
      const size = restoreSize(table)
      const full: number[] = []
      const update: number[] = []
      for (let r = 0; r < plan.runs; r++) {
        await resetNode(lab)
        full.push((await restore(lab, backend, table)).seconds)
        update.push((await restore(lab, backend, oneRule, { noflush: true })).seconds)
      }
      progress(
        `restore ${backend} ${services} services: full ${median(full)} s, one rule ${median(update)} s`,
      )
      const notes = { lines: size.lines, bytes: size.bytes, rules: size.rules }
      out.push({
        experiment: 'restore-full',
        backend,
        size: services,
        unit: 's',
        runs: full,
        summary: summarize(full),
        counts: restoreCounts(
          { lines: size.lines, rulesAfter: size.rules, chainsAfter: size.chains },
          backend,
        ),
        notes,
      })
      out.push({
        experiment: 'restore-one-rule',
        backend,
        size: services,
        unit: 's',
        runs: update,
        summary: summarize(update),
        counts: restoreCounts(
          { lines: one.lines, rulesAfter: size.rules + 1, chainsAfter: size.chains },
          backend,
        ),
        notes,
      })
    }
  }
  await resetNode(lab)
  return out
}

function median(v: number[]): string {
  return summarize(v).median.toFixed(4)
}

/**
 * Whole restores of the real renderer's output (kube-proxy's rules for a generated lab cluster, all tables),
 * each into emptied rules, counted with iptables-model's restore terms per table.
 */
export async function renderedRestoreSweep(
  lab: Lab,
  plan: SweepPlan,
  progress: Progress = () => {},
): Promise<Measurement[]> {
  const out: Measurement[] = []
  for (const services of plan.renderedServices) {
    const text = renderedKubeProxyRuleset(services)
    const terms = restoreTermsOf(text)
    await ensureNfacct(lab, text)
    for (const backend of IPTABLES_BACKENDS) {
      const runs: number[] = []
      for (let r = 0; r < plan.runs; r++) {
        await resetNode(lab)
        runs.push((await restore(lab, backend, text)).seconds)
      }
      progress(`restore-rendered ${backend} ${services} services: ${median(runs)} s`)
      out.push({
        experiment: 'restore-rendered',
        backend,
        size: services,
        unit: 's',
        runs,
        summary: summarize(runs),
        counts: restoreModelCounts(terms, backend),
        notes: {
          lines: terms.reduce((a, t) => a + t.lines, 0),
          rules: terms.reduce((a, t) => a + t.rulesAfter, 0),
          bytes: Buffer.byteLength(text),
        },
      })
    }
  }
  await resetNode(lab)
  return out
}
