export type { ClusterChange } from './contract/change'
export { applyChange, objectKey } from './contract/change'
export type { CostConstant, CostProfile } from './contract/cost'
export { count, modelCost } from './contract/cost'
export type {
  BuildNode,
  Candidate,
  ClassifyOptions,
  Cost,
  Endpoint,
  Footprint,
  FootprintItem,
  NodeDataplane,
  Step,
  Trace,
  UpdateReport,
  Verdict,
} from './contract/dataplane'
export { InputError, isInputError } from './errors/errors'
export { generateCluster, SOURCE_RANGES } from './generate/generate'
export type { EndpointCount, GenerateOptions, ServiceMix } from './generate/options'
export { DEFAULT_MIX } from './generate/options'
export type { PolicyShape } from './generate/policies'
export { POLICY_SHAPES } from './generate/policies'
export type { ImportOptions, ImportResult } from './import/kubernetes'
export { importKubernetes } from './import/kubernetes'
export { parseQuantity } from './import/quantity'
export type { ClusterIndex, FrontendEntry } from './index/clusterIndex'
export { buildClusterIndex, clusterIndex } from './index/clusterIndex'
export type { Cidr } from './ip/ipv4'
export {
  cidrAddress,
  cidrContains,
  cidrSize,
  formatCidr,
  ipFamily,
  ipToU32,
  isIP,
  parseCidr,
  prefixToMask,
  subnet,
  tryIpToU32,
  tryParseCidr,
  u32ToIp,
} from './ip/ipv4'
export type { Packet, PacketProtocol } from './packet/packet'
export { formatPacket, parsePacket, replyOf } from './packet/packet'
export type { CompareOptions } from './path/compare'
export { compareWithReference } from './path/compare'
export type { PacketPath, PathHop, TracePathOptions } from './path/tracePath'
export { entryNodeOf, tracePath } from './path/tracePath'
export type { CategorizedEndpoints, ServiceEndpoint } from './reference/endpoints'
export { categorizeEndpoints, externallyAccessible, serviceEndpoints } from './reference/endpoints'
export type { PolicyDecision } from './reference/policy'
export { egressDecision, ingressDecision } from './reference/policy'
export { resolveReference } from './reference/resolve'
export type {
  Frontend,
  FrontendKind,
  ReferenceCandidate,
  ReferenceOptions,
  ReferenceResult,
} from './reference/types'
export type { Rng } from './rng/rng'
export { createRng } from './rng/rng'
export type { EndpointConditions } from './scenario/endpointSlices'
export { endpointSlicesFor, MAX_ENDPOINTS_PER_SLICE, resolveTargetPort } from './scenario/endpointSlices'
export { locatePath, parseClusterJson, serializeCluster } from './scenario/json'
export { jsonSyntaxError } from './scenario/jsonSyntax'
export type {
  Cluster,
  ContainerPort,
  EndpointPort,
  EndpointSlice,
  EndpointSliceEndpoint,
  IPBlock,
  IPFamily,
  LabelSelector,
  LabelSelectorOperator,
  LabelSelectorRequirement,
  Labels,
  Namespace,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  Node,
  Pod,
  PolicyType,
  Protocol,
  ResourceByKind,
  ResourceKind,
  Service,
  ServicePort,
  ServiceType,
  TrafficPolicy,
} from './scenario/types'
export { CLUSTER_SCHEMA_VERSION, COLLECTION_OF, NAMESPACED } from './scenario/types'
export type { JsonPath, Locate } from './scenario/validate'
export { formatJsonPath, validateCluster } from './scenario/validate'
export { isEmptySelector, matchesSelector, selectorKey } from './selector/selector'
export { policyShapes } from './summary/policyShapes'
export type { ClusterSummary } from './summary/summarize'
export { formatSummary, summarizeCluster } from './summary/summarize'
