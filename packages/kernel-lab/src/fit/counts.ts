/**
 * What the models count for each lab experiment, keyed like their cost counts (`ipt.rule`, `ipt.match`,
 * `bpf.lookup.hash`, ...), so a least-squares fit of measured time on these counts gives constants the models
 * can use as they are. Counts are per measured quantity: per round trip for packets (a round trip crosses
 * FORWARD twice: request and reply), per command for restores and map updates.
 */

/** Constant charged once per command: process start, netlink/getsockopt round trips, table commit. */
export const RESTORE_EXEC = 'restore.exec'
/** per line of iptables-restore input (parse + build + commit) */
export const RESTORE_LINE = 'restore.line'
/** per rule already in the table a `--noflush` update must fetch and (legacy) rewrite */
export const RESTORE_TABLE_RULE = 'restore.table.rule'
export const BPFTOOL_EXEC = 'bpftool.exec'

export function restoreFullCounts(lines: number): Record<string, number> {
  return { [RESTORE_EXEC]: 1, [RESTORE_LINE]: lines }
}

export function restoreOneRuleCounts(existingRules: number): Record<string, number> {
  return { [RESTORE_EXEC]: 1, [RESTORE_LINE]: 3, [RESTORE_TABLE_RULE]: existingRules }
}

/** ip-header-only rules: each traversed rule is one `ipt.rule` (the -s test is part of the rule entry). */
export function forwardCounts(rules: number): Record<string, number> {
  return { 'ipt.rule': 2 * rules }
}

/** rules whose ip part matches and whose extension match then fails: one `ipt.match` call more per rule. */
export function forwardMatchCounts(rules: number): Record<string, number> {
  return { 'ipt.rule': 2 * rules, 'ipt.match': 2 * rules }
}

/**
 * First packet of a flow: only the original direction walks nat PREROUTING (conntrack remembers the verdict for
 * the rest), through every KUBE-SERVICES rule, each failing on its `-d` test.
 */
export function natFirstPacketCounts(services: number): Record<string, number> {
  return { 'ipt.rule': services }
}

/** a round trip with the tc program on the request path: one hash lookup, whatever the map holds */
export function bpfPacketCounts(): Record<string, number> {
  return { 'bpf.lookup.hash': 1 }
}

export function bpfBatchCounts(entries: number): Record<string, number> {
  return { [BPFTOOL_EXEC]: 1, 'bpf.update.hash': entries }
}

export function bpfOneUpdateCounts(): Record<string, number> {
  return { [BPFTOOL_EXEC]: 1, 'bpf.update.hash': 1 }
}
