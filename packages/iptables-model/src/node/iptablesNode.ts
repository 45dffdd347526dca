import {
  applyChange,
  type Cluster,
  type ClusterChange,
  type CostProfile,
  clusterIndex,
  type Footprint,
  InputError,
  type NodeDataplane,
  type Packet,
  type UpdateReport,
} from '@dataplane-sim/cluster'
import type { RestoreBackend } from '../cost/restoreCost'
import { Netfilter, type NetfilterTrace, type PacketOptions } from '../engine/netfilter'
import { parseIpsetSave } from '../ipset/parse'
import type { Ipsets } from '../ipset/types'
import { type CalicoRender, renderCalico } from '../render/calico/calico'
import { ipsetSaveText } from '../render/calico/ipsets'
import { type NodeRender, type NodeRenderOptions, nodeSaveText } from '../render/nodeRuleset'
import { restore } from '../restore/restore'
import type { Ruleset } from '../ruleset/types'
import { felixIpsetRestoreText, felixRestoreText } from '../sync/felixSync'
import { KubeProxySync, type KubeProxySyncOptions } from '../sync/kubeProxySync'
import { iptablesFootprint } from './footprint'

export interface IptablesNodeOptions extends NodeRenderOptions, KubeProxySyncOptions {
  /** which iptables the node runs (default legacy): prices its restores and its packets' walks */
  backend?: RestoreBackend
  /** cost constants for packets and restores (defaults: the engine's and IPTABLES_RESTORE_CONSTANTS) */
  profile?: CostProfile
  /** seed of `statistic --mode random` draws */
  seed?: number
}

/** The iptables side of one node (kube-proxy + Calico-style policy), as the shared NodeDataplane. */
export interface IptablesNode extends NodeDataplane {
  readonly kind: 'iptables'
  classify(packet: Packet, opts?: PacketOptions): NetfilterTrace
  /** the installed ruleset (what iptables-save would print) */
  ruleset(): Ruleset
  /** the installed ruleset as iptables-save text */
  saveText(): string
  /** the ipsets as `ipset save` text */
  ipsetText(): string
  /** the current render (kube-proxy chunks, Calico chains) */
  render(): NodeRender
  readonly netfilter: Netfilter
}

const sumInto = (into: Record<string, number>, from: Record<string, number>) => {
  for (const k in from) into[k] = (into[k] ?? 0) + from[k]
}

/**
 * Renders what kube-proxy (iptables mode) and Calico's Felix install on `nodeName`, parses it with the
 * iptables-save codec and wraps the netfilter engine. `apply` runs kube-proxy's sync (partial by default) and
 * Felix's chain update for the change, restores both with --noflush on the installed state and prices them.
 */
export function buildIptablesNode(
  cluster: Cluster,
  nodeName: string,
  options: IptablesNodeOptions = {},
): IptablesNode {
  const node = cluster.nodes.find((n) => n.name === nodeName)
  if (!node) throw new InputError(`unknown node ${JSON.stringify(nodeName)}`, '<cluster>')
  const backend = options.backend ?? 'legacy'
  const kube = new KubeProxySync(cluster, nodeName, options)
  const policy = options.policy !== false
  const notrackCIDR = options.notrack ? (options.nativeRoutingCIDR ?? cluster.podCIDR) : null
  let calico: CalicoRender | null = policy ? renderCalico(cluster, nodeName, options) : null
  let current: Cluster = cluster
  const renderNow = (): NodeRender => ({ nodeName, kubeProxy: kube.current, calico, notrackCIDR })

  let state = restore(null, nodeSaveText(renderNow()), { source: `${nodeName}:render` }).state
  let ipsets: Ipsets = parseIpsetSave(
    calico ? ipsetSaveText(calico.ipsets.values()) : '',
    `${nodeName}:ipsets`,
  )
  const ifaceByIp = new Map((calico?.endpoints ?? []).map((e) => [e.ip, e.iface]))
  const netfilter = new Netfilter(
    state,
    {
      localIps: [node.internalIP],
      podCidrs: [node.podCIDR],
      podInterface: (ip) => ifaceByIp.get(ip) ?? `cali${ip.replace(/\./g, '')}`,
    },
    { ipsets, seed: options.seed, profile: options.profile, backend, source: `${nodeName}:render` },
  )

  return {
    kind: 'iptables',
    node: nodeName,
    netfilter,
    classify(packet, opts) {
      const trace = netfilter.classify(packet, opts)
      // tracePath reads candidates as translated backends; an untranslated packet has none
      const translated = trace.outcomes ? trace.outcomes.some((o) => o.dnat) : trace.dnat !== null
      if (!translated) trace.candidates = []
      // per-backend masquerade (hairpin: only the connection back to the client pod is masqueraded)
      if (trace.outcomes)
        for (const c of trace.candidates) {
          const o = trace.outcomes.find((x) => x.dnat && x.dnat.ip === c.ip && x.dnat.port === c.port)
          if (o && c.masquerade === undefined) c.masquerade = o.masquerade
        }
      const idx = clusterIndex(current)
      for (const c of trace.candidates) {
        const pod = idx.podByIP.get(c.ip)
        if (pod && !c.pod) {
          c.pod = `${pod.namespace}/${pod.name}`
          c.node ??= pod.nodeName
        }
      }
      return trace
    },
    apply(change: ClusterChange): UpdateReport {
      const next = applyChange(current, change)
      // compute everything before touching the installed state: a failing restore changes nothing
      const plan = kube.prepare(change, next)
      const kp = plan.result
      let nextCalico = calico
      if (policy && (change.kind === 'Pod' || change.kind === 'Namespace' || change.kind === 'NetworkPolicy'))
        nextCalico = renderCalico(next, nodeName, options)
      const felixInput =
        calico && nextCalico && nextCalico !== calico ? felixRestoreText(calico, nextCalico) : ''
      const ipsetInput =
        calico && nextCalico && nextCalico !== calico
          ? felixIpsetRestoreText(calico.ipsets, nextCalico.ipsets)
          : ''
      let nextState = state
      const counts: Record<string, number> = {}
      const variants: Record<string, number> = { legacy: 0, nft: 0 }
      let seconds = 0
      for (const [who, input] of [
        ['kube-proxy', kp.input],
        ['felix', felixInput],
      ] as const) {
        if (!input) continue
        const u = restore(nextState, input, {
          noflush: true,
          backend,
          profile: options.profile,
          source: `${nodeName}:${who}`,
        })
        nextState = u.state
        sumInto(counts, u.report.counts)
        seconds += u.report.seconds
        variants.legacy += u.report.variants!.legacy
        variants.nft += u.report.variants!.nft
      }
      const nextIpsets = ipsetInput
        ? parseIpsetSave(ipsetSaveText(nextCalico!.ipsets.values()), `${nodeName}:ipsets`)
        : ipsets
      // only the tables a restore committed are new objects; the engine recompiles just those
      const changedTables = nextState.tables.filter((t) => !state.tables.includes(t))
      netfilter.load({ tables: changedTables }, ipsetInput ? nextIpsets : undefined)
      kube.commit(plan)
      state = nextState
      ipsets = nextIpsets
      calico = nextCalico
      current = next
      if (calico) for (const e of calico.endpoints) ifaceByIp.set(e.ip, e.iface)
      counts['sync.full'] = kp.fullSync ? 1 : 0
      counts['sync.servicesRendered'] = kp.changedServices.length
      counts['sync.chainsDeleted'] = kp.deletedChains.length
      if (ipsetInput) counts['ipset.lines'] = ipsetInput.split('\n').length - 1
      const input = [kp.input, felixInput].filter(Boolean).join('')
      const report: UpdateReport = { counts, seconds, variants }
      if (input) report.input = input
      return report
    },
    footprint(): Footprint {
      return iptablesFootprint(state, ipsets)
    },
    ruleset: () => state,
    saveText: () => nodeSaveText(renderNow()),
    ipsetText: () => (calico ? ipsetSaveText(calico.ipsets.values()) : ''),
    render: renderNow,
  }
}
