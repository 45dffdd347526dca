export { quantizeProbability } from './codec/matches'
export type { RestoreOptions, RestoreStats } from './codec/parse'
export { parseIptablesSave, RulesetBuilder, restoreRuleset } from './codec/parse'
export type { ChainDecl, RestoreOp, RestoreSink } from './codec/restore-reader'
export { parseCounters, RestoreReader, readText } from './codec/restore-reader'
export type { SerializeOptions } from './codec/serialize'
export { formatRule, formatRuleBody, serializeRuleset, serializeTable } from './codec/serialize'
export { saveString } from './codec/tokenize'
export { formatAddrMask, formatIp, hex, parseAddrMask, parseIp } from './codec/values'
export { ruleBlobBytes, tableBlobBytes } from './cost/blobBytes'
export { isNftCompatMatch, NFT_COMPAT_OPS_BYTES } from './cost/nftLayout'
export type { RestoreBackend, TableRestoreTerms } from './cost/restoreCost'
export {
  anchorNatTerms,
  DEFAULT_IPTABLES_RESTORE_PROFILE,
  ESTIMATED_CHAIN_BYTES,
  ESTIMATED_RULE_BYTES,
  IPTABLES_RESTORE_CONSTANTS,
  modelRestoreSeconds,
  restoreModelCounts,
} from './cost/restoreCost'
export type { CtEntry } from './engine/conntrack'
export { Conntrack } from './engine/conntrack'
export { IPTABLES_PACKET_CONSTANTS, IPTABLES_PACKET_PROFILE } from './engine/constants'
export type { NodeContext, SourceKind } from './engine/context'
export type { NetfilterOptions, NetfilterTrace, Outcome, PacketOptions } from './engine/netfilter'
export { Netfilter } from './engine/netfilter'
export { RecentLists } from './engine/recent'
export type { PacketBackend, WalkCaches, WalkTotals } from './engine/walkCost'
export {
  CACHE_BYTES_KEY,
  cacheBytesOf,
  LLC_BYTES_KEY,
  LLC_SHARE_BYTES_KEY,
  LLC_SHARE_WAYS_KEY,
  LLC_WAYS_KEY,
  l2Evicted,
  llcMissedBytes,
  llcShareBytesOf,
  llcShareWaysOf,
  walkCachesOf,
  walkCounts,
  walkCountsAs,
  walkKeys,
  walkMemoryBytes,
} from './engine/walkCost'
export type { CompiledIpset, SetProbe } from './ipset/lookup'
export { compileIpsets } from './ipset/lookup'
export { parseIpsetSave, serializeIpsets } from './ipset/parse'
export type { Ipset, IpsetEntry, Ipsets, IpsetType } from './ipset/types'
export { IPSET_TYPES } from './ipset/types'
export type { LintFinding, LintOptions, LintResult } from './lint/lint'
export { lintFile, lintText } from './lint/lint'
export { iptablesFootprint } from './node/footprint'
export type { IptablesNode, IptablesNodeOptions } from './node/iptablesNode'
export { buildIptablesNode } from './node/iptablesNode'
export type { CalicoOptions, CalicoRender, WorkloadEndpoint } from './render/calico/calico'
export { renderCalico } from './render/calico/calico'
export type { IpsetDef } from './render/calico/ipsets'
export { ipsetSaveText } from './render/calico/ipsets'
export { workloadInterface } from './render/calico/names'
export {
  kubeHash16,
  serviceExternalChain,
  serviceFirewallChain,
  servicePortEndpointChain,
  servicePortNameString,
  servicePortPolicyClusterChain,
  servicePortPolicyLocalChain,
} from './render/kubeProxy/chainNames'
export type { KubeProxyRender } from './render/kubeProxy/kubeProxy'
export { renderKubeProxy } from './render/kubeProxy/kubeProxy'
export type { KubeProxyOptions } from './render/kubeProxy/options'
export type { KubeProxyRestoreOptions } from './render/kubeProxy/restoreText'
export { kubeProxyRestoreText } from './render/kubeProxy/restoreText'
export type { ServicePortChunk } from './render/kubeProxy/servicePortRules'
export type { NodeRender, NodeRenderOptions } from './render/nodeRuleset'
export { nodeIpsetText, nodeSaveText, renderNode } from './render/nodeRuleset'
export type { RestoreUpdate, RestoreUpdateOptions } from './restore/restore'
export { restore } from './restore/restore'
export type {
  AddrMatch,
  AddrRange,
  Chain,
  Counters,
  IfaceMatch,
  MarkMatch,
  Match,
  MatchModule,
  NatRange,
  PortMatch,
  PortRange,
  Rule,
  Ruleset,
  StateSet,
  Table,
  TableName,
  Target,
  TargetKind,
} from './ruleset/types'
export {
  BUILTIN_CHAINS,
  CT_DNAT,
  CT_ESTABLISHED,
  CT_INVALID,
  CT_NEW,
  CT_RELATED,
  CT_SNAT,
  CT_UNTRACKED,
  emptyTable,
  findChain,
  findTable,
  TABLE_NAMES,
} from './ruleset/types'
export { felixIpsetRestoreText, felixRestoreText } from './sync/felixSync'
export type { KubeProxySyncOptions, KubeProxySyncPlan, KubeProxySyncResult } from './sync/kubeProxySync'
export { KubeProxySync } from './sync/kubeProxySync'
