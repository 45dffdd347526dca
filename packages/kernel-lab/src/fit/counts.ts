import { restoreModelCounts } from '@dataplane-sim/iptables-model'

/**
 * What the models count for each lab experiment, keyed like their cost counts (`ipt.rule`, `ipt.match`,
 * `bpf.lookup.hash`, ...), so a least-squares fit of measured time on these counts gives constants the models
 * can use as they are. Counts are per measured quantity: per round trip for packets (a round trip crosses
 * FORWARD twice: request and reply), per command for restores and map updates.
 */

export const BPFTOOL_EXEC = 'bpftool.exec'

/** What one iptables-restore run leaves in the nat table it wrote. */
export interface RestoreTerms {
  /** input lines of the table's section, `*nat` to COMMIT */
  lines: number
  rulesAfter: number
  chainsAfter: number
  /** x_tables blob bytes of the table after the commit (iptables-model's tableBlobBytes) */
  bytesAfter?: number
  /** the restore creates the table (a whole restore into emptied rules; nft prices it, see restoreCost.ts) */
  created?: boolean
}

/**
 * The restore model's own counts (iptables-model's `restoreModelCounts`), so the fitted constants drop into
 * IPTABLES_RESTORE_CONSTANTS' places: one invocation, per line, per byte of the resulting table, and the
 * lines×chains term of libiptc's chain lookups.
 */
export function restoreCounts(t: RestoreTerms, backend: 'legacy' | 'nft'): Record<string, number> {
  return restoreModelCounts([{ table: 'nat', ...t }], backend)
}

export function restoreKeys(backend: 'legacy' | 'nft'): string[] {
  return Object.keys(
    restoreCounts({ lines: 1, rulesAfter: 1, chainsAfter: 1, bytesAfter: 1, created: true }, backend),
  )
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
 * the rest), through every KUBE-SERVICES rule, each failing in its ip header part (protocol, `-d`). Warm: the
 * sweep sends its new flows back to back (agents/newFlows.ts). recount replaces these with the engine's walks.
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
