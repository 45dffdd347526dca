/**
 * Every address the lab uses lies in 198.18.0.0/15 (RFC 2544 benchmarking range), so nothing it sends can
 * reach a real network even by mistake. The scenario's service and pod CIDRs are mapped into it too.
 */
export const LAB_RANGE = '198.18.0.0/15'

export const LAB_ADDRESSES = {
  /** client ⟷ node link (/30) */
  client: '198.18.0.2',
  nodeClientSide: '198.18.0.1',
  /** node ⟷ server link (/30) */
  nodeServerSide: '198.18.0.5',
  server: '198.18.0.6',
  linkPrefix: 30,
  /** the lab cluster's pod CIDR: routed to the server namespace, which answers for all of it (AnyIP) */
  podCIDR: '198.18.128.0/17',
  /** the lab cluster's service CIDR: room for 65k ClusterIPs */
  serviceCIDR: '198.19.0.0/16',
} as const

/** The node's address as the cluster sees it (its InternalIP): the side the client reaches. */
export const LAB_NODE_IP = LAB_ADDRESSES.nodeClientSide
