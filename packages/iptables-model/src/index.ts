export { quantizeProbability } from './codec/matches'
export type { RestoreOptions, RestoreStats } from './codec/parse'
export { parseIptablesSave, RulesetBuilder, restoreRuleset } from './codec/parse'
export type { ChainDecl, RestoreOp, RestoreSink } from './codec/restore-reader'
export { parseCounters, RestoreReader, readText } from './codec/restore-reader'
export type { SerializeOptions } from './codec/serialize'
export { formatRule, formatRuleBody, serializeRuleset, serializeTable } from './codec/serialize'
export { saveString } from './codec/tokenize'
export { formatAddrMask, formatIp, hex, parseAddrMask, parseIp } from './codec/values'
export type { CtEntry } from './engine/conntrack'
export { Conntrack } from './engine/conntrack'
export { IPTABLES_PACKET_CONSTANTS, IPTABLES_PACKET_PROFILE } from './engine/constants'
export type { NodeContext, SourceKind } from './engine/context'
export type { NetfilterOptions, NetfilterTrace, Outcome, PacketOptions } from './engine/netfilter'
export { Netfilter } from './engine/netfilter'
export { RecentLists } from './engine/recent'
export type { CompiledIpset, SetProbe } from './ipset/lookup'
export { compileIpsets } from './ipset/lookup'
export { parseIpsetSave, serializeIpsets } from './ipset/parse'
export type { Ipset, IpsetEntry, Ipsets, IpsetType } from './ipset/types'
export { IPSET_TYPES } from './ipset/types'
export type { LintFinding, LintResult } from './lint/lint'
export { lintFile, lintText } from './lint/lint'
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
