import type { ClusterChange, CostProfile, UpdateReport } from '@dataplane-sim/cluster'
import { modelCost } from '@dataplane-sim/cluster'
import type { CiliumAgent } from '../agent/agent'
import type { MapProgrammer } from '../node/programmer'

/**
 * One watch event through the agent: the map operations Cilium performs for it (LB map upserts/deletes for
 * the one service, ipcache changes, identity allocation, policy map diffs of the endpoints whose selectors
 * changed) and their cost. The agent works from indexes, so the operations — and the agent's own work — are
 * proportional to the change, not to the cluster. All-or-nothing: an invalid change (deleting an object
 * that does not exist) throws before anything is written.
 */
export function applyClusterChange(
  agent: CiliumAgent,
  programmer: MapProgrammer,
  change: ClusterChange,
  profile: CostProfile,
): UpdateReport {
  const counts: Record<string, number> = {}
  programmer.counts = counts
  programmer.ops = []
  try {
    agent.apply(change)
    const operations = programmer.ops
    return { counts, seconds: modelCost(counts, profile) / 1e9, operations }
  } finally {
    programmer.ops = null
  }
}
