/**
 * @dataplane-sim/ebpf-model — Cilium's eBPF dataplane.
 *
 * BPF map primitives (maps/): kernel semantics of HASH, LRU_HASH, LPM_TRIE, ARRAY, HASH_OF_MAPS.
 *   new BpfHashMap<K, V>(spec) / new BpfLruHashMap<K, V>(spec): lookup(key, counts?) (counted datapath read),
 *     peek(key) (uncounted), update(key, value, flags = BPF_ANY, counts?, origin = 'syscall' | 'prog'),
 *     delete(key, counts?, origin?), entries(), size, counters, costKeys, memlock(), info(), checkRoom(n);
 *     lookupInto(key, ops: OpCounts) is the datapath's read, counting under interned op ids (no strings per packet)
 *   new BpfLruTupleMap(spec, stride): an LRU_HASH keyed by 4-word tuples on typed arrays (same second-chance
 *     eviction as BpfLruHashMap); CtTable (datapath/) is cilium_ct4_global / cilium_ct_any4_global on it
 *   new BpfLpmTrie<V>(spec & { maxPrefixLen? }): lookup(data, counts?) longest match (lastPrefixLen, lastDepth),
 *     peek/update/delete(prefixLen, data, ...), data = a u32 or [u32, u32, ...] most significant first
 *   new BpfArrayMap<V>(spec, zero), new BpfHashOfMaps<K, Inner>(spec)
 *   BpfMapError { errno: 'E2BIG' | 'ENOSPC' | 'EEXIST' | 'ENOENT' | 'EINVAL', map }
 *   hashMemlock / lpmMemlock / arrayMemlock / memlockOf: bpftool's memlock figure
 *   EBPF_MAP_CONSTANTS: cost constants `bpf.lookup.hash`, `bpf.update.lru_hash`, `bpf.prog_update.*`, ...
 *     Maps count into a `counts` record under `bpf.lookup.<type>:<map name>`.
 * Cilium maps (cilium/): C struct records (Lb4Key, Lb4Service, ..., CtEntry), layouts with sizes and
 *   defaults (CILIUM_MAP_LAYOUTS), typed wrappers: Lb4ServicesMap, createLb4BackendsMap,
 *   createLb4ReverseNatMap, Lb4MaglevMap, Lb4AffinityMap, Lb4SourceRangeMap, IpcacheMap, PolicyMap,
 *   createCtMap('tcp' | 'any'), createNatMap, createLxcMap; SVC_FLAG_*, CT_LIFETIME, ...
 *   Dumps: lbList, ipcacheList, policyGet, ctList, natList (cilium-dbg text) and *Json; encode* byte images
 * Maglev (maglev/): maglevTable(backends, m = 16381, seed) → Uint32Array of backend ids (Cilium pkg/maglev),
 *   maglevFlowHash(saddr, daddr, sport, dport, seed) (lb.h __hash_from_tuple_v4), decodeMaglevSeed
 * Sizing (sizing/): sizeMaps(options, nodeMemoryBytes) → MapSizes, Cilium calculateDynamicBPFMapSizes +
 *   checkMapSizeLimits (InputError with path = the option on a limit violation)
 */

export type { LocalEndpoint } from './agent/agent'
export { CiliumAgent } from './agent/agent'
export type { Identity, IdentityKind } from './agent/identity'
export {
  HOST_ID,
  IdentityAllocator,
  LOCAL_IDENTITY_BASE,
  MAX_GLOBAL_IDENTITY,
  MIN_GLOBAL_IDENTITY,
  REMOTE_NODE_ID,
  RESERVED_IDENTITIES,
  WORLD_ID,
} from './agent/identity'
export type { EndpointPolicy, PolicyEntry as PolicyMapEntry } from './agent/policy'
export { computeEndpointPolicy, portRangePrefixes } from './agent/policy'
export type { LbBackend, LbFrontend } from './agent/services'
export { translateService, translateServices } from './agent/services'
export * from './cilium/constants'
export { createCtMap, createNatMap, TupleLruMap } from './cilium/ctMap'
export { tablePrinter, tabwrite } from './cilium/dump/_table'
export {
  ctEntryString,
  ctList,
  ctListJson,
  natList,
  natListJson,
  type TupleEntries,
  tupleString,
} from './cilium/dump/ctList'
export { ipcacheList, ipcacheListJson, remoteEndpointInfoString } from './cilium/dump/ipcacheList'
export type { LbListEntry } from './cilium/dump/lbList'
export { lbList, lbListJson, serviceFlagsString, serviceKeyString } from './cilium/dump/lbList'
export type { MapListRow } from './cilium/dump/mapList'
export { mapList, mapListRows } from './cilium/dump/mapList'
export type { PolicyGetRow } from './cilium/dump/policyGet'
export { policyGet, policyGetJson, portProtoString, protoName } from './cilium/dump/policyGet'
export * from './cilium/encode'
export { IPCACHE_STATIC_PREFIX, IpcacheMap } from './cilium/ipcacheMap'
export type { CiliumMapLayout, CiliumMapName } from './cilium/layouts'
export { CILIUM_MAP_LAYOUTS, MAGLEV_DEFAULT_TABLE_SIZE, policyMapName } from './cilium/layouts'
export { Lb4AffinityMap } from './cilium/lbAffinityMap'
export { createLb4BackendsMap, createLb4ReverseNatMap } from './cilium/lbBackendsMap'
export type { MaglevInnerMap } from './cilium/lbMaglevMap'
export { Lb4MaglevMap } from './cilium/lbMaglevMap'
export type { Lb4Frontend } from './cilium/lbServicesMap'
export { Lb4ServicesMap } from './cilium/lbServicesMap'
export { Lb4SourceRangeMap, SRC_RANGE_STATIC_PREFIX } from './cilium/lbSourceRangeMap'
export { createLxcMap } from './cilium/lxcMap'
export type { CiliumMapOptions } from './cilium/mapOptions'
export { specFor } from './cilium/mapOptions'
export type { PolicyMatch } from './cilium/policyMap'
export { POLICY_FULL_PREFIX, POLICY_STATIC_PREFIX, PolicyMap, policyPrefixLen } from './cilium/policyMap'
export type {
  CtEntry,
  EndpointInfo,
  IpcacheKey,
  Ipv4CtTuple,
  Ipv4NatEntry,
  Lb4AffinityKey,
  Lb4Backend,
  Lb4Key,
  Lb4ReverseNat,
  Lb4Service,
  Lb4SrcRangeKey,
  LbAffinityVal,
  PolicyEntry,
  PolicyKey,
  RemoteEndpointInfo,
} from './cilium/structs'
export type { BatchResults, TupleBatch, TupleColumns } from './datapath/batch'
export { batchResults, tupleBatchOf, VERDICT_CODE, verdictCode } from './datapath/batch'
export type { GcPass } from './datapath/conntrack'
export { ConntrackGc, ctLifetime, nextGcInterval } from './datapath/conntrack'
export { defaultEbpfProfile, EBPF_AGENT_CONSTANTS, EBPF_PACKET_CONSTANTS } from './datapath/costs'
export type { CtTuple, CtValue } from './datapath/ctTable'
export { CtTable, ctKey } from './datapath/ctTable'
export { IPV4_LOOPBACK } from './datapath/deliver'
export { NodeMaps } from './datapath/maps'
export type { PacketTuple } from './datapath/packetTuple'
export { packetTuple, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, tcpFlagBits } from './datapath/packetTuple'
export { Datapath, type KernelConntrackStats } from './datapath/pipeline'
export { DROP } from './datapath/reasons'
export type { DatapathConfig } from './datapath/state'
export { formatEbpfTrace } from './datapath/trace'
export { jhash3words, maglevFlowHash } from './maglev/flowHash'
export { murmur3Hash128 } from './maglev/murmur3'
export type { MaglevSeeds } from './maglev/seed'
export { DEFAULT_MAGLEV_HASH_SEED, decodeMaglevSeed } from './maglev/seed'
export type { MaglevBackend } from './maglev/table'
export { MAGLEV_TABLE_SIZES, maglevHashString, maglevTable } from './maglev/table'
export { BpfArrayMap } from './maps/arrayMap'
export { EBPF_MAP_CONSTANTS } from './maps/costConstants'
export { BpfDenseIdHashMap } from './maps/denseIdHashMap'
export type { BpfErrno } from './maps/errors'
export { BpfMapError, isBpfMapError } from './maps/errors'
export { BpfHashMap } from './maps/hashMap'
export { BpfHashOfMaps } from './maps/hashOfMaps'
export type { LpmData, LpmEntry, LpmTrieSpec } from './maps/lpmTrie'
export { BpfLpmTrie } from './maps/lpmTrie'
export { BpfLruHashMap } from './maps/lruHashMap'
export { BpfLruTupleMap } from './maps/lruTupleMap'
export {
  arrayMemlock,
  DEFAULT_POSSIBLE_CPUS,
  hashMemlock,
  htabElemSize,
  KERNEL_SIZES,
  lpmMemlock,
  memlockOf,
} from './maps/memory'
export type { CountsSummary } from './maps/opCounts'
export { OpCounts, opId, opName } from './maps/opCounts'
export { hash4, TupleIndex } from './maps/tupleIndex'
export type {
  BpfCostKeys,
  BpfKey,
  BpfKeyedMap,
  BpfMapBase,
  BpfMapCounters,
  BpfMapInfo,
  BpfMapSpec,
  BpfMapType,
  BpfUpdateFlag,
  BpfUpdateOrigin,
} from './maps/types'
export { BPF_ANY, BPF_EXIST, BPF_NOEXIST } from './maps/types'
// Agent, datapath, updates and the node dataplane (issue 5 §3–5).
export type { EbpfNode, SizingRow } from './node/buildEbpfNode'
export { buildEbpfNode } from './node/buildEbpfNode'
export type { EbpfNodeOptions } from './node/options'
export type { MapOperation, MapOverflow } from './node/programmer'
export * from './sizing/limits'
export { maxEntriesFor } from './sizing/maxEntries'
export type { MapSizes, MapSizingOptions, SizeOrigin } from './sizing/sizeMaps'
export { sizeMaps } from './sizing/sizeMaps'
export { applyClusterChange } from './update/apply'
