import { generateCluster } from '@dataplane-sim/cluster'
import {
  buildIptablesNode,
  parseIptablesSave,
  type TableRestoreTerms,
  tableBlobBytes,
} from '@dataplane-sim/iptables-model'
import { LAB_ADDRESSES } from '../topology/addressPlan'

/**
 * What kube-proxy writes on one node of a generated lab cluster of `services` services (2 endpoints each), as
 * iptables-model's renderer renders it: the real renderer's output for the restore sweeps, next to the
 * anchors' synthetic shape. Every CIDR of the cluster lies in the lab range; no LoadBalancer or externalIP
 * services (their address pools would fall outside it); no NetworkPolicy (kube-proxy's rules alone, as the
 * anchors measured).
 */
export function renderedKubeProxyRuleset(services: number, seed = 1): string {
  const cluster = generateCluster({
    seed,
    services,
    endpoints: 2,
    policies: 0,
    serviceCIDR: LAB_ADDRESSES.serviceCIDR,
    podCIDR: LAB_ADDRESSES.podCIDR,
    nodeCIDR: '198.18.4.0/22',
    nodePodPrefix: 25,
    mix: { loadBalancer: 0, externalIPs: 0 },
  })
  return buildIptablesNode(cluster, cluster.nodes[0].name, { policy: false }).saveText()
}

/**
 * Per-table restore terms of iptables-save text (what iptables-model's restore cost counts), restored into
 * emptied rules (resetNode: for nft, `nft flush ruleset`, so every table is created): lines, rules and chains of
 * each table, and its blob bytes (`tableBlobBytes` of the parsed table).
 */
export function restoreTermsOf(text: string): TableRestoreTerms[] {
  const parsed = parseIptablesSave(text, '<rendered ruleset>')
  const out: TableRestoreTerms[] = []
  let cur: TableRestoreTerms | null = null
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    if (line.startsWith('*')) {
      cur = { table: line.slice(1), lines: 0, rulesAfter: 0, chainsAfter: 0, created: true }
      out.push(cur)
    }
    if (!cur) continue
    cur.lines++
    if (line.startsWith(':')) cur.chainsAfter++
    else if (line.startsWith('-A ')) cur.rulesAfter++
    else if (line === 'COMMIT') cur = null
  }
  for (const t of out) {
    const table = parsed.tables.find((p) => p.name === t.table)
    t.bytesAfter = table ? tableBlobBytes(table) : 0
  }
  return out
}
