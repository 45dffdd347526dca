import type { Cluster } from '@dataplane-sim/cluster'
import { buildIptablesNode } from '@dataplane-sim/iptables-model'
import type { VerdictModel } from './differential'

/** iptables-model's node for `nodeName`, seen as the differential needs it. */
export function iptablesVerdictModel(cluster: Cluster, nodeName: string): VerdictModel {
  const node = buildIptablesNode(cluster, nodeName)
  return {
    saveText: () => node.saveText(),
    ipsetText: () => node.ipsetText(),
    classify: (packet, opts) => node.classify(packet, opts),
    podLinks: () =>
      (node.render().calico?.endpoints ?? []).map((e) => ({ ip: e.ip, nodeInterface: e.iface })),
  }
}
