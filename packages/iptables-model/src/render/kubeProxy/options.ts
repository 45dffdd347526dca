/** kube-proxy (iptables mode) options the renderer honours, named after the kube-proxy flags. */
export interface KubeProxyOptions {
  /** --cluster-cidr: the local traffic detector (`! -s CIDR -j KUBE-MARK-MASQ`); default the cluster's podCIDR, '' for none */
  clusterCIDR?: string
  /** --nodeport-addresses; empty (default) means every local address */
  nodePortAddresses?: string[]
  /** --masquerade-all */
  masqueradeAll?: boolean
  /** --iptables-localhost-nodeports (default true; forced off when nodePortAddresses excludes 127.0.0.1) */
  localhostNodePorts?: boolean
  /** endpoints above which kube-proxy drops per-endpoint comments (largeClusterEndpointsThreshold, 1000) */
  largeClusterThreshold?: number
  /** --iptables-masquerade-bit (default 14 → mark 0x4000) */
  masqueradeBit?: number
  /** iptables supports MASQUERADE --random-fully (true on any current distribution) */
  randomFully?: boolean
  /** nfacct counters exist (kube-proxy ≥ 1.29 adds `-m nfacct` to the INVALID-drop and localhost NodePort rules) */
  nfacct?: boolean
  /** nf_conntrack_tcp_be_liberal is set: kube-proxy then installs no INVALID drop rule */
  conntrackTCPLiberal?: boolean
}

export interface ResolvedKubeProxyOptions {
  clusterCIDR: string
  nodePortAddresses: string[]
  masqueradeAll: boolean
  localhostNodePorts: boolean
  largeClusterThreshold: number
  masqueradeMark: string
  randomFully: boolean
  nfacct: boolean
  conntrackTCPLiberal: boolean
}
