import type { CostProfile } from '@dataplane-sim/cluster'
import { InputError } from '@dataplane-sim/cluster'
import { CILIUM_MAP_LAYOUTS, MAGLEV_DEFAULT_TABLE_SIZE } from '../cilium/layouts'
import type { MapMaxima } from '../datapath/maps'
import { MAGLEV_TABLE_SIZES } from '../maglev/table'
import { type MapSizes, sizeMaps } from '../sizing/sizeMaps'

/**
 * Agent options, as cilium-config keys in camelCase (`bpf-lb-map-max` → bpfLbMapMax). Defaults are the
 * reference deployment's (shared/reference-deployment.md, Cilium 1.16.3).
 */
export interface EbpfNodeOptions {
  /** kube-proxy-replacement (default true). false: only ClusterIP from pods is load-balanced in BPF */
  kubeProxyReplacement?: boolean
  /** socket-LB at connect() (default: on under kube-proxy replacement); false models the per-packet tc path */
  bpfLbSock?: boolean
  /** bpf-lb-algorithm (default 'random') */
  bpfLbAlgorithm?: 'random' | 'maglev'
  /** bpf-lb-maglev-table-size (default 16381) */
  maglevTableSize?: number
  /** bpf-lb-external-clusterip (default false) */
  bpfLbExternalClusterIp?: boolean
  bpfLbMapMax?: number
  bpfPolicyMapMax?: number
  bpfCtGlobalTcpMax?: number
  bpfCtGlobalAnyMax?: number
  bpfNatGlobalMax?: number
  /** bpf-map-dynamic-size-ratio (default 0.0025): sizes CT/NAT from node memory when set and no explicit max */
  bpfMapDynamicSizeRatio?: number
  /** install-no-conntrack-iptables-rules (default true) */
  installNoConntrackIptablesRules?: boolean
  /** node memory (default: the Node's memoryBytes) */
  nodeMemoryBytes?: number
  /** cost profile for modeled ns (default: defaultEbpfProfile()) */
  profile?: CostProfile
  /** seed of the random backend selection (default 1) */
  seed?: number
  /** maps sizes (overrides sizing): mostly for tests */
  maxima?: Partial<MapMaxima>
}

export interface ResolvedOptions {
  kubeProxyReplacement: boolean
  socketLb: boolean
  algorithm: 'random' | 'maglev'
  maglevTableSize: number
  externalClusterIp: boolean
  noTrack: boolean
  seed: number
}

export function resolveOptions(o: EbpfNodeOptions): ResolvedOptions {
  const kpr = o.kubeProxyReplacement ?? true
  const m = o.maglevTableSize ?? MAGLEV_DEFAULT_TABLE_SIZE
  if (!MAGLEV_TABLE_SIZES.includes(m as (typeof MAGLEV_TABLE_SIZES)[number]))
    throw new InputError(
      `maglevTableSize must be one of ${MAGLEV_TABLE_SIZES.join(', ')}, got ${m}`,
      '<options>',
    )
  for (const k of [
    'bpfLbMapMax',
    'bpfPolicyMapMax',
    'bpfCtGlobalTcpMax',
    'bpfCtGlobalAnyMax',
    'bpfNatGlobalMax',
  ] as const) {
    const v = o[k]
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      throw new InputError(`${k} must be a positive integer, got ${v}`, '<options>')
  }
  return {
    kubeProxyReplacement: kpr,
    socketLb: kpr && (o.bpfLbSock ?? true),
    algorithm: o.bpfLbAlgorithm ?? 'random',
    maglevTableSize: m,
    externalClusterIp: o.bpfLbExternalClusterIp ?? false,
    noTrack: o.installNoConntrackIptablesRules ?? true,
    seed: o.seed ?? 1,
  }
}

/**
 * Map maxima as the agent computes them (`sizing/sizeMaps`: explicit options, else the dynamic size ratio of
 * the node's memory, with Cilium's bounds and the NAT ≤ 2/3 CT rule), then test overrides.
 */
export function resolveMaxima(
  o: EbpfNodeOptions,
  nodeMemoryBytes: number | undefined,
): { maxima: MapMaxima; sizes: MapSizes | null } {
  const L = CILIUM_MAP_LAYOUTS
  const sizes =
    nodeMemoryBytes !== undefined
      ? sizeMaps(
          {
            'bpf-ct-global-tcp-max': o.bpfCtGlobalTcpMax,
            'bpf-ct-global-any-max': o.bpfCtGlobalAnyMax,
            'bpf-nat-global-max': o.bpfNatGlobalMax,
            'bpf-policy-map-max': o.bpfPolicyMapMax,
            'bpf-lb-map-max': o.bpfLbMapMax,
            'bpf-map-dynamic-size-ratio': o.bpfMapDynamicSizeRatio,
          },
          nodeMemoryBytes,
        )
      : null
  const lb = sizes?.lb ?? o.bpfLbMapMax ?? L.cilium_lb4_services_v2.maxEntries
  const maxima: MapMaxima = {
    lb,
    policy: sizes?.policy ?? o.bpfPolicyMapMax ?? L.cilium_policy.maxEntries,
    ctTcp: sizes?.ctTcp ?? o.bpfCtGlobalTcpMax ?? L.cilium_ct4_global.maxEntries,
    ctAny: sizes?.ctAny ?? o.bpfCtGlobalAnyMax ?? L.cilium_ct_any4_global.maxEntries,
    nat: sizes?.nat ?? o.bpfNatGlobalMax ?? L.cilium_snat_v4_external.maxEntries,
    ipcache: sizes?.ipcache ?? L.cilium_ipcache.maxEntries,
    lxc: L.cilium_lxc.maxEntries,
    affinity: lb,
    ...o.maxima,
  }
  return { maxima, sizes }
}
