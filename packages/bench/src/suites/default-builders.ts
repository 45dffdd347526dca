import { type CostProfile, generateCluster, modelCost, type NodeDataplane } from '@dataplane-sim/cluster'
import { buildEbpfNode, type EbpfNode } from '@dataplane-sim/ebpf-model'
import {
  anchorNatTerms,
  buildIptablesNode,
  cacheBytesOf,
  restoreModelCounts,
  walkCounts,
} from '@dataplane-sim/iptables-model'
import type { AnchorSpec } from '../report/anchors'
import type { SuiteBuilders } from './builders'

/** Pod CIDR large enough for 100k services × 10 endpoints on /24-per-node blocks. */
const POD_CIDR = '10.0.0.0/8'

/** A full restore of `dp`'s whole ruleset, priced with the iptables model's restore cost model. */
function fullSync(dp: NodeDataplane, profile: CostProfile): { legacy: number; nft: number } | null {
  if (dp.kind !== 'iptables') return null
  const terms = dp
    .footprint()
    .items.filter((i) => i.name !== 'ipsets' && (i.entries > 0 || (i.chains ?? 0) > 0))
    .map((i) => ({
      table: i.name,
      // `*table`, one `:CHAIN` line per chain, one line per rule, `COMMIT`
      lines: 2 + (i.chains ?? 0) + i.entries,
      rulesAfter: i.entries,
      chainsAfter: i.chains ?? 0,
    }))
  return {
    legacy: modelCost(restoreModelCounts(terms, 'legacy'), profile),
    nft: modelCost(restoreModelCounts(terms, 'nft'), profile),
  }
}

/** The real models: generateCluster, buildIptablesNode (kube-proxy + Calico-style policy), buildEbpfNode. */
export const defaultBuilders: SuiteBuilders = {
  generate: (s) =>
    generateCluster({
      services: s.services,
      endpoints: s.endpoints,
      policies: s.policies,
      nodes: s.nodes > 0 ? s.nodes : undefined,
      seed: s.seed,
      podCIDR: POD_CIDR,
    }),
  iptables: (cluster, node, profile, options) => buildIptablesNode(cluster, node, { ...options, profile }),
  ebpf: (cluster, node, profile, options) => buildEbpfNode(cluster, node, { ...options, profile }),
  fullSync,
  overflows: (dp) => (dp.kind === 'ebpf' && 'overflows' in dp ? (dp as EbpfNode).overflows() : []),
  lbEntriesNeeded: (dp) => {
    if (dp.kind !== 'ebpf' || !('agent' in dp)) return 0
    const agent = (dp as EbpfNode).agent
    let services = 0
    let frontends = 0
    for (const list of agent.frontends.values())
      for (const pf of list) {
        services += 1 + pf.backendIds.length
        frontends++
      }
    return Math.max(services, frontends, agent.backends.size)
  },
}

/**
 * Builders that keep the most recently generated cluster and the dataplanes built from it until `release`, so
 * a consumer at the largest swept size reuses them instead of generating and building again (the report's
 * capacity plan releases the dataplanes first and reuses the cluster: the suite's dataplanes carry what its
 * timed rounds did).
 * Keyed on every build option besides the node and profile (the suite may rebuild eBPF with a larger
 * bpf-lb-map-max; a plan for another node memory or other agent options needs its own build), with an option
 * that only restates the default (the node's own memory) left out, so the plan at the report's largest size
 * still reuses the suite's node.
 */
export function reusingBuilders(b: SuiteBuilders): SuiteBuilders {
  let key = ''
  let cluster: ReturnType<SuiteBuilders['generate']> | null = null
  // one dataplane per kind: a different build replaces it (and is let go before the new one is built)
  let built = new Map<string, { key: string; dp: NodeDataplane }>()
  const cached =
    (kind: 'iptables' | 'ebpf') =>
    (
      c: ReturnType<SuiteBuilders['generate']>,
      node: string,
      profile: CostProfile,
      options?: Record<string, unknown>,
    ) => {
      if (c !== cluster) return b[kind](c, node, profile, options)
      const k = `${node}/${profile.name}/${optionsKey(options, c.nodes.find((n) => n.name === node)?.memoryBytes)}`
      const have = built.get(kind)
      if (have?.key === k) return have.dp
      built.delete(kind)
      const dp = b[kind](c, node, profile, options)
      built.set(kind, { key: k, dp })
      return dp
    }
  return {
    generate: (s) => {
      const k = JSON.stringify(s)
      if (k !== key || !cluster) {
        key = k
        cluster = b.generate(s)
        built = new Map()
      }
      return cluster
    },
    iptables: cached('iptables'),
    ebpf: cached('ebpf'),
    fullSync: b.fullSync,
    overflows: b.overflows,
    lbEntriesNeeded: b.lbEntriesNeeded,
    release: () => {
      built = new Map()
    },
  }
}

/** Build options as a key: sorted, undefined dropped, `nodeMemoryBytes` dropped when it is the node's own. */
function optionsKey(options: Record<string, unknown> | undefined, nodeMemory: number | undefined): string {
  const kept = Object.entries(options ?? {})
    .filter(([k, v]) => v !== undefined && !(k === 'nodeMemoryBytes' && v === nodeMemory))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return JSON.stringify(kept)
}

const BASE_RTT_US = 3
/** blob bytes of a KUBE-SERVICES-shaped FORWARD rule (entry, comment, udp match, DROP), as the kernel lab writes them */
const FORWARD_RULE_BYTES = 488

/**
 * Model figures for the anchors that are not a swept point: `iptables-restore` of the anchors' own nat table
 * (10 lines, 7 rules and 3 chains per service), per-rule and per-lookup round trips, the hash lookup.
 */
export function defaultAnchorModel(
  a: AnchorSpec,
  _scaling: unknown,
  profile: CostProfile,
): { value: number; note: string } | null {
  const c = (k: string) => profile.constants[k]?.value
  // the anchors' own table (iptables-model anchorNatTerms: 10 lines, 7 rules, 3 chains, 2.3 kB per service)
  const restoreTable = (backend: 'legacy' | 'nft', services: number, lines: number) =>
    modelCost(
      restoreModelCounts([anchorNatTerms(services, lines === 3 ? 'oneRule' : 'full')], backend),
      profile,
    )
  if (a.services && /^restore-(legacy|nft)-full/.test(a.id)) {
    const backend = a.id.includes('legacy') ? 'legacy' : 'nft'
    return {
      value: restoreTable(backend, a.services, 10 * a.services),
      note: `restore cost model on the anchor's own table (10 lines, 7 rules, 3 chains per service), ${backend}`,
    }
  }
  if (a.services && /^noflush-(legacy|nft)-one/.test(a.id)) {
    const backend = a.id.includes('legacy') ? 'legacy' : 'nft'
    return {
      value: restoreTable(backend, a.services, 3),
      note: `restore cost model: one rule (3 lines) with --noflush into the anchor's table, ${backend}`,
    }
  }
  // a FORWARD walk of N kube-proxy-shaped rules priced like the engine prices it (iptables-model walkCounts):
  // per rule, plus the bytes beyond the profile's cache-resident size; the nft variant under its :nft keys
  const walk = (backend: 'legacy' | 'nft', rules: number) =>
    modelCost(
      walkCounts(
        { rules, matches: 0, chains: 0, bytes: rules * FORWARD_RULE_BYTES },
        backend,
        cacheBytesOf(profile, backend),
      ),
      profile,
    )
  const rule = c('ipt.rule')
  if (a.rules && a.id.startsWith('rtt-legacy') && rule !== undefined) {
    return {
      value: BASE_RTT_US + (2 * walk('legacy', a.rules)) / 1000,
      note:
        `3 µs base round trip + 2 FORWARD walks of ${a.rules} rules of ${FORWARD_RULE_BYTES} bytes: ipt.rule (${rule} ns) each` +
        ` and ipt.uncachedBytes for the bytes beyond ipt.cacheBytes (${c('ipt.cacheBytes') ?? '—'} bytes)`,
    }
  }
  if (a.rules && a.id.startsWith('rtt-nft') && rule !== undefined) {
    const nft = c('ipt.rule:nft')
    return {
      value: BASE_RTT_US + (2 * walk('nft', a.rules)) / 1000,
      note:
        nft === undefined
          ? `priced like legacy: this profile has no ipt.rule:nft (the calibrated one has), so the walk falls back to ipt.rule (${rule} ns); nft's per-rule evaluation measured 10–13 ns here, so the model is low for nft`
          : `3 µs base round trip + 2 FORWARD walks priced with the profile's nft constants (ipt.rule:nft ${nft} ns)`,
    }
  }
  const lookup = c('bpf.lookup.hash')
  if (a.id === 'rtt-bpf-500k' && lookup !== undefined) {
    return {
      value: BASE_RTT_US + (2 * lookup) / 1000,
      note: `3 µs base + 2 hash lookups (bpf.lookup.hash ${lookup} ns); the anchor's 2 µs is below its own 3 µs 0-entry baseline (RTT noise): only "flat" is comparable`,
    }
  }
  if (a.id === 'bpf-hash-lookup' && lookup !== undefined) {
    return { value: lookup, note: 'profile constant bpf.lookup.hash' }
  }
  return null
}
