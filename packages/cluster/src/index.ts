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
export type {
  Frontend,
  FrontendKind,
  ReferenceCandidate,
  ReferenceOptions,
  ReferenceResult,
} from './reference/types'
export type { Rng } from './rng/rng'
export { createRng } from './rng/rng'
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
export { isEmptySelector, matchesSelector, selectorKey } from './selector/selector'
