/** Lookup scopes of lb4_key (bpf/lib/common.h): externalTrafficPolicy/internalTrafficPolicy=Local. */
export const LB_LOOKUP_SCOPE_EXT = 0
export const LB_LOOKUP_SCOPE_INT = 1

/** lb4_service.flags (bpf/lib/common.h, pkg/loadbalancer ServiceFlags). */
export const SVC_FLAG_EXTERNAL_IP = 1 << 0
export const SVC_FLAG_NODEPORT = 1 << 1
export const SVC_FLAG_EXT_LOCAL_SCOPE = 1 << 2
export const SVC_FLAG_HOSTPORT = 1 << 3
export const SVC_FLAG_AFFINITY = 1 << 4
export const SVC_FLAG_LOADBALANCER = 1 << 5
/** not a surrogate (wildcard NodePort) nor a ClusterIP entry */
export const SVC_FLAG_ROUTABLE = 1 << 6
export const SVC_FLAG_SOURCE_RANGE = 1 << 7

/** lb4_service.flags2. */
export const SVC_FLAG2_LOCALREDIRECT = 1 << 0
export const SVC_FLAG2_NAT_46X64 = 1 << 1
export const SVC_FLAG2_L7LOADBALANCER = 1 << 2
export const SVC_FLAG2_LOOPBACK = 1 << 3
export const SVC_FLAG2_INT_LOCAL_SCOPE = 1 << 4
export const SVC_FLAG2_TWO_SCOPES = 1 << 5

/** lb4_backend.flags. */
export const BE_STATE_ACTIVE = 0
export const BE_STATE_TERMINATING = 1
export const BE_STATE_QUARANTINED = 2
export const BE_STATE_MAINTENANCE = 3

/** ipv4_ct_tuple.flags. */
export const TUPLE_F_OUT = 0
export const TUPLE_F_IN = 1
export const TUPLE_F_RELATED = 2
export const TUPLE_F_SERVICE = 4

export const IPPROTO_ICMP = 1
export const IPPROTO_TCP = 6
export const IPPROTO_UDP = 17
export const IPPROTO_SCTP = 132

/** ENDPOINT_F_HOST: the lxc map entry of the host endpoint. */
export const ENDPOINT_F_HOST = 1

/**
 * Conntrack lifetimes in seconds, Cilium v1.16 defaults (pkg/option/config.go `--bpf-ct-timeout-*`, written
 * into bpf/lib/conntrack.h as CT_CONNECTION_LIFETIME_TCP etc. by the loader).
 */
export const CT_LIFETIME = {
  /** --bpf-ct-timeout-regular-tcp: established TCP (6h in v1.16; later releases lowered it to 8000 s) */
  tcp: 21600,
  /** --bpf-ct-timeout-regular-tcp-syn: TCP until both sides have sent non-SYN packets */
  tcpSyn: 60,
  /** --bpf-ct-timeout-regular-tcp-fin: TCP after a FIN/RST */
  tcpClose: 10,
  /** --bpf-ct-timeout-regular-any: UDP, ICMP, other */
  nonTcp: 60,
  /** --bpf-ct-timeout-service-tcp: CT_SERVICE entries of TCP */
  serviceTcp: 21600,
  /** --bpf-ct-timeout-service-tcp-grace: service entry after the backend closed, before rebalance */
  serviceTcpGrace: 60,
  /** --bpf-ct-timeout-service-any */
  serviceNonTcp: 60,
  /** CT_REPORT_INTERVAL: monitor aggregation re-reports a flow at most this often */
  reportInterval: 5,
} as const
