import { type Candidate, type CostProfile, modelCost, type Step, type Verdict } from '@dataplane-sim/cluster'
import type { NetfilterTrace, Outcome } from './options'

/*
 * From the engine's outcomes to the shared contract's Trace, priced with the engine's profile: one outcome as
 * it is, several (enumerate mode) folded into candidates with probabilities.
 */

/** The Trace of one outcome (no enumerate): no maps, no copies. */
export function traceOfOutcome(o: Outcome, steps: Step[] | null, profile: CostProfile): NetfilterTrace {
  const trace: NetfilterTrace = {
    verdict: o.verdict,
    dnat: o.dnat,
    candidates:
      o.verdict === 'forward' || o.verdict === 'local'
        ? [{ ip: o.destination.ip, port: o.destination.port, probability: 1 }]
        : [],
    masquerade: o.masquerade,
    steps: steps ?? [],
    cost: { counts: o.counts, ns: modelCost(o.counts, profile) },
  }
  if (o.snat) trace.snat = o.snat
  if (o.outInterface) trace.outInterface = o.outInterface
  if (o.reason) trace.reason = o.reason
  return trace
}

/**
 * The Trace of several outcomes (enumerate mode): counts weighted by probability, candidates per destination,
 * the most likely verdict (ties: the first reached).
 */
export function traceOfOutcomes(
  outcomes: Outcome[],
  steps: Step[] | null,
  enumerate: boolean,
  profile: CostProfile,
): NetfilterTrace {
  const counts: Record<string, number> = {}
  const byDest = new Map<string, Candidate>()
  let best = outcomes[0]
  const verdictP = new Map<Verdict, number>()
  for (const o of outcomes) {
    for (const k in o.counts) counts[k] = (counts[k] ?? 0) + o.counts[k] * o.probability
    verdictP.set(o.verdict, (verdictP.get(o.verdict) ?? 0) + o.probability)
    if (o.verdict === 'forward' || o.verdict === 'local') {
      const key = `${o.destination.ip}:${o.destination.port}`
      const c = byDest.get(key)
      if (c) c.probability += o.probability
      else byDest.set(key, { ...o.destination, probability: o.probability })
    }
  }
  // the verdict of several outcomes: the most likely one (ties: the first reached)
  let bestP = -1
  for (const [v, p] of verdictP)
    if (p > bestP + 1e-12) {
      bestP = p
      best = outcomes.find((o) => o.verdict === v)!
    }
  const trace: NetfilterTrace = {
    verdict: best.verdict,
    dnat: best.dnat,
    candidates: [...byDest.values()],
    masquerade: best.masquerade,
    steps: steps ?? [],
    cost: { counts, ns: modelCost(counts, profile) },
  }
  if (best.snat) trace.snat = best.snat
  if (best.outInterface) trace.outInterface = best.outInterface
  if (best.reason) trace.reason = best.reason
  if (enumerate) trace.outcomes = outcomes
  return trace
}
