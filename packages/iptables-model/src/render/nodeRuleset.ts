import type { Cluster } from '@dataplane-sim/cluster'
import { type CalicoOptions, type CalicoRender, renderCalico } from './calico/calico'
import { ipsetSaveText } from './calico/ipsets'
import {
  KUBE_CANARY_TABLES,
  KUBE_NAT_FIXED_CHAINS,
  type KubeProxyRender,
  kubeFilterChains,
  kubeFilterFixedRules,
  kubeForwardRules,
  kubeJumpRules,
  kubeNatFixedRules,
  kubeNodePortsTail,
  renderKubeProxy,
} from './kubeProxy/kubeProxy'
import type { KubeProxyOptions } from './kubeProxy/options'
import { blockLines } from './kubeProxy/servicePortRules'
import { CILIUM_RAW_FEEDERS, ciliumNotrackChains } from './notrack'
import { TablesText } from './tablesText'

export interface NodeRenderOptions extends KubeProxyOptions, CalicoOptions {
  /** render Calico's NetworkPolicy rules (default true) */
  policy?: boolean
  /** add Cilium's raw-table NOTRACK rules for pod traffic (default false) */
  notrack?: boolean
  /** CIDR the NOTRACK rules cover (Cilium's ipv4-native-routing-cidr); default the cluster's podCIDR */
  nativeRoutingCIDR?: string
}

/** Everything installed on one node of the iptables side: kube-proxy, Calico (optional), Cilium NOTRACK (optional). */
export interface NodeRender {
  nodeName: string
  kubeProxy: KubeProxyRender
  calico: CalicoRender | null
  notrackCIDR: string | null
}

export function renderNode(cluster: Cluster, nodeName: string, opts: NodeRenderOptions = {}): NodeRender {
  return {
    nodeName,
    kubeProxy: renderKubeProxy(cluster, nodeName, opts),
    calico: opts.policy === false ? null : renderCalico(cluster, nodeName, opts),
    notrackCIDR: opts.notrack ? (opts.nativeRoutingCIDR ?? cluster.podCIDR) : null,
  }
}

/** Adds kube-proxy's chains and rules, as the node holds them after a sync, to `t`. */
export function addKubeProxy(t: TablesText, kp: KubeProxyRender): void {
  const o = kp.options
  for (const table of KUBE_CANARY_TABLES) t.chain(table, 'KUBE-PROXY-CANARY')
  for (const c of kubeFilterChains(o)) t.chain('filter', c)
  for (const c of KUBE_NAT_FIXED_CHAINS) t.chain('nat', c)
  t.rules('filter', kubeFilterFixedRules(o))
  t.rules('nat', kubeNatFixedRules(o))
  for (const chunks of kp.services.values())
    for (const ch of chunks) {
      t.rules('filter', blockLines(ch.filterRules))
      t.rules('nat', blockLines(ch.natTopRules))
      for (const c of ch.natChains) t.chain('nat', c)
      t.rules('nat', blockLines(ch.natRules))
    }
  t.rules('nat', kubeNodePortsTail(kp))
  t.rules('filter', kubeForwardRules(o))
}

/**
 * The node's whole ruleset as iptables-save text, loadable with iptables-restore; `order` picks how
 * iptables-legacy-save (user chains sorted) or iptables-nft-save (creation order) would list the chains.
 */
export function nodeSaveText(r: NodeRender, order: 'legacy' | 'nft' = 'legacy'): string {
  const t = new TablesText(order)
  const jumps = kubeJumpRules(r.kubeProxy.options)
  if (r.notrackCIDR) {
    t.rules('raw', CILIUM_RAW_FEEDERS['raw:PREROUTING'])
    t.rules('raw', CILIUM_RAW_FEEDERS['raw:OUTPUT'])
    for (const [c, rules] of ciliumNotrackChains(r.notrackCIDR)) {
      t.chain('raw', c)
      t.rules('raw', rules)
    }
  }
  // built-in chains first, in the order their rules end up: Felix's inserts on top, then kube-proxy's jumps,
  // then Felix's appends at the end of FORWARD
  const cal = r.calico
  for (const key of [
    'filter:INPUT',
    'filter:FORWARD',
    'filter:OUTPUT',
    'nat:PREROUTING',
    'nat:OUTPUT',
    'nat:POSTROUTING',
  ]) {
    const table = key.split(':')[0] as 'filter' | 'nat'
    if (cal?.inserts[key]) t.rules(table, cal.inserts[key])
    if (jumps[key]) t.rules(table, jumps[key])
    if (cal?.appends[key]) t.rules(table, cal.appends[key])
  }
  addKubeProxy(t, r.kubeProxy)
  if (cal)
    for (const [c, rules] of cal.chains) {
      t.chain('filter', c)
      t.rules('filter', rules)
    }
  return t.toString()
}

/** The ipsets the node's rules refer to, as `ipset save` text ('' when there are none). */
export function nodeIpsetText(r: NodeRender): string {
  return r.calico ? ipsetSaveText(r.calico.ipsets.values()) : ''
}
