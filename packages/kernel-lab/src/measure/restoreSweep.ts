import { restoreModelCounts } from '@dataplane-sim/iptables-model'
import { restoreCounts } from '../fit/counts'
import { kubeProxyShapeOneRule, kubeProxyShapeTable, restoreSize } from '../rules/kubeProxyShape'
import { renderedKubeProxyRuleset, restoreTermsOf } from '../rules/renderedRuleset'
import { ensureNfacct, IPTABLES_BACKENDS, resetNode, restore } from '../rules/restore'
import type { Lab } from '../topology/lab'
import { inPasses } from './passes'
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
  const points = IPTABLES_BACKENDS.flatMap((backend) =>
    plan.restoreServices.map((services) => ({
      backend,
      services,
      full: [] as number[],
      update: [] as number[],
    })),
  )
  await inPasses(points, plan.runs, async (pt) => {
    await resetNode(lab)
    pt.full.push((await restore(lab, pt.backend, kubeProxyShapeTable(pt.services))).seconds)
    pt.update.push((await restore(lab, pt.backend, oneRule, { noflush: true })).seconds)
    progress(
      `restore ${pt.backend} ${pt.services} services, pass ${pt.full.length}: full ${pt.full.at(-1)!.toFixed(4)} s, one rule ${pt.update.at(-1)!.toFixed(4)} s`,
    )
  })
  for (const { backend, services, full, update } of points) {
    const size = restoreSize(kubeProxyShapeTable(services))
    const notes = { lines: size.lines, bytes: size.bytes, rules: size.rules, passes: plan.runs }
    out.push({
      experiment: 'restore-full',
      backend,
      size: services,
      unit: 's',
      runs: full,
      summary: summarize(full),
      counts: restoreCounts(
        { lines: size.lines, rulesAfter: size.rules, chainsAfter: size.chains, created: true },
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
  await resetNode(lab)
  return out
}

/** Rendered rulesets by services: a calibration runs this sweep once per pass and renders each size once. */
const renderedCache = new Map<number, string>()
function rendered(services: number): string {
  let t = renderedCache.get(services)
  if (t === undefined) {
    t = renderedKubeProxyRuleset(services)
    renderedCache.set(services, t)
  }
  return t
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
  const points = plan.renderedServices.flatMap((services) =>
    IPTABLES_BACKENDS.map((backend) => ({ services, backend, runs: [] as number[] })),
  )
  const texts = new Map(plan.renderedServices.map((n) => [n, rendered(n)]))
  for (const text of texts.values()) await ensureNfacct(lab, text)
  await inPasses(points, plan.runs, async (pt) => {
    await resetNode(lab)
    pt.runs.push((await restore(lab, pt.backend, texts.get(pt.services)!)).seconds)
    progress(
      `restore-rendered ${pt.backend} ${pt.services} services, pass ${pt.runs.length}: ${pt.runs.at(-1)!.toFixed(4)} s`,
    )
  })
  for (const { services, backend, runs } of points) {
    const text = texts.get(services)!
    const terms = restoreTermsOf(text)
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
        passes: plan.runs,
      },
    })
  }
  await resetNode(lab)
  return out
}
