import type { Match, MatchModule } from '../ruleset/types'
import { iprangeSpec, setSpec } from './match/addresses'
import { addrtypeSpec } from './match/addrtype'
import { conntrackSpec, stateSpec } from './match/conntrack'
import { physdevSpec } from './match/iface'
import { markSpec } from './match/mark'
import { commentSpec, limitSpec, nfacctSpec } from './match/misc'
import { icmpSpec, multiportSpec, portSpec } from './match/ports'
import { recentSpec } from './match/recent'
import type { MatchSpec } from './match/spec'
import { statisticSpec } from './match/statistic'

export { ADDR_TYPES } from './match/addrtype'
export { CT_STATE_NAMES } from './match/conntrack'
export { formatIface, parseIface } from './match/iface'
export type { MatchSpec } from './match/spec'
export { quantizeProbability } from './match/statistic'

/**
 * The match modules (`-m NAME --opts`) by name, one file per module family under match/: how each reads its
 * options and how iptables-save prints it, following each extension's `save` function in iptables'
 * `extensions/libxt_*.c`.
 */
export const MATCH_SPECS: Readonly<Record<MatchModule, MatchSpec>> = {
  comment: commentSpec,
  tcp: portSpec('tcp'),
  udp: portSpec('udp'),
  sctp: portSpec('sctp'),
  icmp: icmpSpec,
  multiport: multiportSpec,
  mark: markSpec('mark'),
  connmark: markSpec('connmark'),
  conntrack: conntrackSpec,
  state: stateSpec,
  addrtype: addrtypeSpec,
  statistic: statisticSpec,
  recent: recentSpec,
  set: setSpec,
  iprange: iprangeSpec,
  limit: limitSpec,
  nfacct: nfacctSpec,
  physdev: physdevSpec,
}

export function isMatchModule(name: string): name is MatchModule {
  return Object.hasOwn(MATCH_SPECS, name)
}

/** ` -m NAME --opts` as iptables-save prints one match. */
export function saveMatch(m: Match): string {
  return ` -m ${m.module}${MATCH_SPECS[m.module].save(m)}`
}
