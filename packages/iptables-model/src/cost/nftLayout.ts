import type { Match } from '../ruleset/types'

/**
 * Extension matches iptables-nft (1.8.9, this lab's) translates into native nftables expressions: `-m tcp`
 * and `-m udp` ports and flags become payload loads and compares, `-m mark` a meta load and bitwise. Every
 * other match (comment, icmp, statistic, addrtype, conntrack, multiport, recent, set, ...) stays an xtables
 * match called from an nft_compat `match` expression (checked with `nft --debug=netlink list ruleset` in the
 * lab; see reports/kernel/README.md).
 */
const NATIVE: ReadonlySet<Match['module']> = new Set(['tcp', 'udp', 'mark'])

/** Whether iptables-nft runs `module` through nft_compat (an xtables match inside an nft expression). */
export function isNftCompatMatch(module: Match['module']): boolean {
  return !NATIVE.has(module)
}

/**
 * Bytes of the separate allocation each nft_compat expression reads when it runs: nft_match_select_ops
 * (net/netfilter/nft_compat.c) kzallocs a fresh `struct nft_expr_ops` for every match expression it builds,
 * and evaluation goes through it (`expr->ops->eval`, then `expr->ops->data` for the xt_match), so every
 * compat match a walk evaluates touches its own ~136-byte object in a kmalloc-192 slab, scattered through
 * memory — unlike the rule's expressions, which nf_tables keeps contiguous in the chain's rule blob
 * (nft_rule_dp) and which the walk reads in order. iptables-nft's `counter` expression (per-CPU counters,
 * another allocation) comes after the matches, so a rule that fails never reaches it.
 */
export const NFT_COMPAT_OPS_BYTES = 192
