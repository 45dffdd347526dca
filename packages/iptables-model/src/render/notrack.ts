/**
 * Cilium's `installNoConntrackIptablesRules` (cilium/cilium pkg/datapath/iptables/iptables.go,
 * addNoTrackPodTrafficRules and the proxy NOTRACK rules; v1.16): raw-table CT --notrack for traffic from and to
 * the native-routing CIDR, and for proxy traffic identified by Cilium's magic marks (MagicMarkIsToProxy 0x200/0xf00,
 * proxy return 0xa00, L7 upstream 0x800/0xe00). shared/reference-deployment.md lists the same rules without the
 * mark matches; the marks are what keep the proxy rules from matching every packet.
 */
export function ciliumNotrackChains(nativeRoutingCIDR: string): Map<string, string[]> {
  const pod = 'cilium: NOTRACK for pod traffic'
  const ct = '-j CT --notrack'
  return new Map([
    [
      'CILIUM_OUTPUT_raw',
      [
        `-A CILIUM_OUTPUT_raw -d ${nativeRoutingCIDR} -m comment --comment "${pod}" ${ct}`,
        `-A CILIUM_OUTPUT_raw -s ${nativeRoutingCIDR} -m comment --comment "${pod}" ${ct}`,
        `-A CILIUM_OUTPUT_raw -o lxc+ -m mark --mark 0xa00/0xfffffeff -m comment --comment "cilium: NOTRACK for proxy return traffic" ${ct}`,
        `-A CILIUM_OUTPUT_raw -o cilium_host -m mark --mark 0xa00/0xfffffeff -m comment --comment "cilium: NOTRACK for proxy return traffic" ${ct}`,
        `-A CILIUM_OUTPUT_raw -o lxc+ -m mark --mark 0x800/0xe00 -m comment --comment "cilium: NOTRACK for L7 proxy upstream traffic" ${ct}`,
        `-A CILIUM_OUTPUT_raw -o cilium_host -m mark --mark 0x800/0xe00 -m comment --comment "cilium: NOTRACK for L7 proxy upstream traffic" ${ct}`,
      ],
    ],
    [
      'CILIUM_PRE_raw',
      [
        `-A CILIUM_PRE_raw -d ${nativeRoutingCIDR} -m comment --comment "${pod}" ${ct}`,
        `-A CILIUM_PRE_raw -s ${nativeRoutingCIDR} -m comment --comment "${pod}" ${ct}`,
        `-A CILIUM_PRE_raw -m mark --mark 0x200/0xf00 -m comment --comment "cilium: NOTRACK for proxy traffic" ${ct}`,
      ],
    ],
  ])
}

/** The feeder rules Cilium inserts into the raw table's built-in chains. */
export const CILIUM_RAW_FEEDERS: Record<string, string[]> = {
  'raw:PREROUTING': ['-A PREROUTING -m comment --comment "cilium-feeder: CILIUM_PRE_raw" -j CILIUM_PRE_raw'],
  'raw:OUTPUT': ['-A OUTPUT -m comment --comment "cilium-feeder: CILIUM_OUTPUT_raw" -j CILIUM_OUTPUT_raw'],
}
