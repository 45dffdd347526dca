import type { Match, Rule, Table } from '../ruleset/types'

/**
 * Bytes of the x_tables blob the kernel holds for a table (what legacy iptables swaps whole on every COMMIT
 * with IPT_SO_SET_REPLACE): per rule `struct ipt_entry` (112 bytes) plus each match and the target as
 * `xt_entry_match`/`xt_entry_target` headers (32 bytes) with their payload, 8-byte aligned (x86_64 sizes of the
 * kernel's xt_*.h structs). Every chain adds its ERROR head entry and a policy/RETURN tail entry.
 */
const ENTRY = 112
const HDR = 32
const align8 = (n: number) => (n + 7) & ~7

const MATCH_PAYLOAD: Readonly<Record<Match['module'], number>> = {
  comment: 256, // xt_comment_info
  tcp: 12,
  udp: 10,
  sctp: 140,
  icmp: 4,
  multiport: 48, // xt_multiport_v1
  mark: 12, // xt_mark_mtinfo1
  connmark: 12,
  conntrack: 168, // xt_conntrack_mtinfo3
  state: 4,
  addrtype: 8, // xt_addrtype_info_v1
  statistic: 24, // xt_statistic_info incl. the master pointer
  recent: 248, // xt_recent_mtinfo_v1 (200-byte name)
  set: 40, // xt_set_info_match_v4
  iprange: 36,
  limit: 32,
  nfacct: 40, // xt_nfacct_match_info
  physdev: 68,
}

function targetPayload(t: Rule['target']): number {
  switch (t.kind) {
    case 'DNAT':
    case 'SNAT':
      return 56 // nf_nat_range2
    case 'MASQUERADE':
    case 'REDIRECT':
      return 20 // nf_nat_ipv4_multi_range_compat
    case 'CT':
      return 48 // xt_ct_target_info_v1 without the kernel pointer
    case 'LOG':
    case 'NFLOG':
      return 32
    case 'MARK':
    case 'CONNMARK':
      return 8
    default:
      return 4 // xt_standard_target verdict / REJECT's ipt_reject_info
  }
}

export function ruleBlobBytes(r: Rule): number {
  let n = ENTRY
  for (const m of r.matches) n += HDR + align8(MATCH_PAYLOAD[m.module] ?? 32)
  return n + HDR + align8(targetPayload(r.target))
}

const CHAIN_HEAD = ENTRY + HDR + 32 // xt_error_target with the chain name
const CHAIN_TAIL = ENTRY + HDR + 8 // standard target: policy or RETURN

export function tableBlobBytes(t: Table): number {
  let n = CHAIN_HEAD // the table's final ERROR entry
  for (const c of t.chains) {
    n += (c.policy === null ? CHAIN_HEAD : 0) + CHAIN_TAIL
    for (const r of c.rules) n += ruleBlobBytes(r)
  }
  return n
}
