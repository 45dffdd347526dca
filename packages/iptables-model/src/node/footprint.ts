import type { Footprint, FootprintItem } from '@dataplane-sim/cluster'
import { tableBlobBytes } from '../cost/blobBytes'
import type { Ipsets } from '../ipset/types'
import type { Ruleset } from '../ruleset/types'

/** Bytes per ipset member: the hash bucket element of ip_set_hash_gen.h for an IPv4 net/ip,port (with its slot). */
const IPSET_ENTRY_BYTES = 16

/** Rules, chains and kernel bytes per table, plus the ipsets; what `iptables-save | wc -l` and /proc show. */
export function iptablesFootprint(ruleset: Ruleset, ipsets: Ipsets): Footprint {
  const items: FootprintItem[] = []
  for (const t of ruleset.tables) {
    let rules = 0
    for (const c of t.chains) rules += c.rules.length
    items.push({ name: t.name, entries: rules, chains: t.chains.length, bytes: tableBlobBytes(t) })
  }
  let members = 0
  for (const s of ipsets.values()) members += s.entries.length
  if (ipsets.size) items.push({ name: 'ipsets', entries: members, bytes: members * IPSET_ENTRY_BYTES })
  return {
    kind: 'iptables',
    items,
    totalEntries: items.reduce((n, i) => n + i.entries, 0),
    totalBytes: items.reduce((n, i) => n + i.bytes, 0),
  }
}
