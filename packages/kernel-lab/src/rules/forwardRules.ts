import { ipToU32, u32ToIp } from '@dataplane-sim/cluster'
import { LAB_ADDRESSES } from '../topology/addressPlan'

/**
 * A filter table whose FORWARD chain holds `n` rules no lab packet matches, so every forwarded packet walks
 * all n: the anchors' "RTT, N non-matching rules in filter FORWARD" set-up.
 *
 * `kind: 'ip'` writes each rule in the shape of a kube-proxy KUBE-SERVICES rule (`-d <ClusterIP>/32 -p udp
 * -m comment -m udp --dport`), which an ICMP probe fails in the rule's ip header part, before any extension
 * match runs, exactly as a packet walking KUBE-SERVICES does; the rule's size (what the walk reads) is that of
 * a real one. `kind: 'match'` makes the ip header part pass and one extension match fail (`-p icmp -m icmp
 * --icmp-type 13`; probes are echo request/reply), to separate the per-match from the per-rule cost.
 */
export function forwardRulesTable(n: number, kind: 'ip' | 'match' = 'ip'): string {
  const base = ipToU32(LAB_ADDRESSES.serviceCIDR.split('/')[0])
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]']
  for (let i = 0; i < n; i++) {
    if (kind === 'ip') {
      lines.push(
        `-A FORWARD -d ${u32ToIp(base + 1 + (i % 65000))}/32 -p udp -m comment --comment "ns${i % 100}/svc-${i}:http cluster IP" -m udp --dport 80 -j DROP`,
      )
    } else lines.push('-A FORWARD -p icmp -m icmp --icmp-type 13 -j DROP')
  }
  lines.push('COMMIT')
  return `${lines.join('\n')}\n`
}
