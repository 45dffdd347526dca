import { describe, expect, it } from 'vitest'
import { defaultProfile } from '../profiles/default'
import { defaultBuilders } from './default-builders'
import { runScalingSuite, type ScalingPoint } from './scaling'

/** Everything a scaling point reports that is not a JS timing. */
function modeledOf(points: ScalingPoint[]) {
  return points.map((p) => ({
    services: p.services,
    frontends: p.frontends,
    dataplanes: (['iptables', 'ebpf'] as const).map((dp) => ({
      footprint: p[dp].footprint,
      match: p[dp].match.map((m) => ({
        kind: m.kind,
        modeledNs: m.modeledNs,
        modeledP50Ns: m.modeledP50Ns,
        modeledP99Ns: m.modeledP99Ns,
        counts: m.counts,
      })),
      update: p[dp].update.map((u) => ({ op: u.op, modeledSeconds: u.modeledSeconds, counts: u.counts })),
    })),
    worstPacketModeled: p.gap.worstPacketModeled,
    firstPacketModeled: p.gap.firstPacketModeled,
  }))
}

describe('runScalingSuite', () => {
  it('reports the same modeled figures and footprints whatever the time budget lets the timed rounds run', () => {
    // a timed round classifies as many packets as its budget allows, and first packets draw from the node's RNG
    // and open conntrack entries: no modeled figure may depend on how many ran
    const run = (timeMs: number) =>
      runScalingSuite({
        sizes: [{ services: 40, endpoints: 3, policies: 4, nodes: 3, seed: 11 }],
        profile: defaultProfile(),
        builders: defaultBuilders,
        timing: { timeMs, iterations: timeMs === 1 ? 2 : 60, updateBudgetMs: timeMs },
        packets: 8,
      })
    expect(modeledOf(run(1))).toEqual(modeledOf(run(40)))
  }, 60_000)
})
