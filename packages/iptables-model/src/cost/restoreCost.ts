import type { CostConstant, CostProfile } from '@dataplane-sim/cluster'
import { modelCost } from '@dataplane-sim/cluster'

export type RestoreBackend = 'legacy' | 'nft'

/** What one iptables-restore invocation did to one table. */
export interface TableRestoreTerms {
  table: string
  /** input lines of this table's section (`*table` to COMMIT) */
  lines: number
  /** rules in the table after the commit */
  rulesAfter: number
  /** chains (built-in and user) in the table after the commit */
  chainsAfter: number
  /**
   * bytes of the table's x_tables blob after the commit (cost/blobBytes.ts `tableBlobBytes`); when absent,
   * estimated from the rules and chains with kube-proxy's mean sizes (ESTIMATED_RULE_BYTES, ESTIMATED_CHAIN_BYTES)
   */
  bytesAfter?: number
  /**
   * the restore creates this table: the backend held no such table before (iptables-nft after `nft flush
   * ruleset`, or on a fresh node before kube-proxy's first sync). Only nft counts it (`restore.nft.tableCreate`):
   * nf_tables makes the table and registers its base chains' netfilter hooks in the commit — measured by the
   * kernel lab, 10–22 ms for the empty kube-proxy nat table against 2–5 ms for a one-rule --noflush into it;
   * legacy's tables exist from module load (1.8 vs 1.5 ms), so it has no such term
   */
  created?: boolean
}

/**
 * Mean blob bytes of a kube-proxy nat rule (KUBE-SERVICES, KUBE-SVC and KUBE-SEP rules each carry a 256-byte
 * comment match: 488, 496/440, 440 and 536 bytes) and of a chain's head and tail entries, for callers that
 * count rules and chains but not bytes (7 rules and 3 chains: 4,358 bytes per service; the kernel lab's
 * kube-proxy-shaped table has 4,360).
 */
export const ESTIMATED_RULE_BYTES = 482
export const ESTIMATED_CHAIN_BYTES = 328

/**
 * shared/anchors.md's kube-proxy-shaped nat table as restore terms: per service 1 KUBE-SERVICES rule, a KUBE-SVC
 * chain with 2 rules, 2 KUBE-SEP chains with 2 rules each (10 lines: 3 chain declarations + 7 rules), written
 * without comment matches: 2,344 blob bytes per service on 1,112 fixed (test/restore-update's table, parsed).
 * Without comments because the kernel lab measured that a table with kube-proxy's comments costs twice as much
 * to restore (reports/kernel/README.md) and the anchors' times match the one without. `oneRule`: the
 * `--noflush` input adding one KUBE-SERVICES rule (3 lines, 200 bytes).
 */
export function anchorNatTerms(services: number, update: 'full' | 'oneRule'): TableRestoreTerms {
  const full = update === 'full'
  return {
    table: 'nat',
    // *nat, 4 built-in chain lines, KUBE-SERVICES declaration, the service lines, COMMIT — or `*nat`, one -A, COMMIT
    lines: full ? 7 + 10 * services : 3,
    rulesAfter: 7 * services + (full ? 0 : 1),
    chainsAfter: 3 * services + 5,
    bytesAfter: 1112 + 2344 * services + (full ? 0 : 200),
  }
}

const bytesOf = (t: TableRestoreTerms) =>
  t.bytesAfter ?? t.rulesAfter * ESTIMATED_RULE_BYTES + t.chainsAfter * ESTIMATED_CHAIN_BYTES

const FIT =
  'non-negative least squares (relative error) on shared/anchors.md "kube-proxy-shaped nat table" rows: whole-table and one-rule --noflush restores at 1k/5k/10k/20k services (anchorNatTerms: 10 lines, 7 rules, 3 chains, 2.3 kB of blob per service)'

/**
 * Restore cost constants, per backend. Four physically named terms, the same for both backends:
 *
 * - `invocation`: one process start, the netfilter socket or netlink setup;
 * - `line`: parsing one input line (and, nft, translating it into expressions and a batch message);
 * - `tableByte`: per byte of each committed table. Legacy (`iptables-legacy-restore`): libiptc fetches the
 *   whole blob (IPT_SO_GET_ENTRIES) even with --noflush, rebuilds it and swaps it whole
 *   (IPT_SO_SET_REPLACE; the kernel's translate_table checks every entry), so a one-rule change costs in
 *   proportion to the table. nft: --noflush lists the table's rules into its cache; measured with the same
 *   byte count, it costs a fraction of legacy's per byte;
 * - `lineChain`: per input line × chain in the table, the one superlinear term: chain lookups and the sorted
 *   chain list libiptc (and the nft cache) insert every declared chain into; a whole-table restore of N
 *   services has ~10N lines and ~3N chains, a one-rule update 3 lines.
 *
 * The kernel lab (`dpsim calibrate`) fits the same four per backend to this machine's kernel (within ±10 % of
 * every synthetic-table point on a quiet machine); these defaults are fitted to the anchors (test/restore-anchors
 * checks ±30 %).
 */
export const IPTABLES_RESTORE_CONSTANTS: Record<string, CostConstant> = {
  'restore.legacy.invocation': {
    value: 0,
    unit: 's',
    source: `process start and table fetch (fitted 0: the anchors' smallest table is all tableByte); ${FIT}`,
  },
  'restore.legacy.line': { value: 1.709e-6, unit: 's/line', source: `parse one input line; ${FIT}` },
  'restore.legacy.tableByte': {
    value: 1.49e-8,
    unit: 's/byte',
    source: `fetch, rebuild and swap one byte of the whole table blob (IPT_SO_GET_ENTRIES, IPT_SO_SET_REPLACE), every commit; ${FIT}`,
  },
  'restore.legacy.lineChain': {
    value: 1.084e-10,
    unit: 's/(line×chain)',
    source: `libiptc chain lookups and sorted chain insertion (input lines × chains in the table); ${FIT}`,
  },
  'restore.nft.invocation': { value: 4.008e-3, unit: 's', source: `process start and netlink setup; ${FIT}` },
  'restore.nft.line': {
    value: 1.469e-5,
    unit: 's/line',
    source: `parse and translate one line into nft expressions and a batch message; ${FIT}`,
  },
  'restore.nft.tableByte': {
    value: 1.254e-9,
    unit: 's/byte',
    source: `rule cache of the table listed for --noflush and chain flushes (per byte of the legacy-equivalent blob); ${FIT}`,
  },
  'restore.nft.lineChain': {
    value: 1.114e-10,
    unit: 's/(line×chain)',
    source: `chain lookups per input line in the nft cache; ${FIT}`,
  },
}

/** The backend-keyed counts whose modelCost under IPTABLES_RESTORE_CONSTANTS is the modeled seconds. */
export function restoreModelCounts(
  terms: readonly TableRestoreTerms[],
  backend: RestoreBackend,
): Record<string, number> {
  const p = `restore.${backend}.`
  const c: Record<string, number> = {
    [`${p}invocation`]: 1,
    [`${p}line`]: 0,
    [`${p}tableByte`]: 0,
    [`${p}lineChain`]: 0,
  }
  if (backend === 'nft') c[`${p}tableCreate`] = 0
  for (const t of terms) {
    c[`${p}line`] += t.lines
    c[`${p}tableByte`] += bytesOf(t)
    c[`${p}lineChain`] += t.lines * t.chainsAfter
    if (backend === 'nft' && t.created) c[`${p}tableCreate`] += 1
  }
  return c
}

export const DEFAULT_IPTABLES_RESTORE_PROFILE: CostProfile = {
  schemaVersion: 1,
  name: 'iptables-restore-anchors',
  description: 'iptables-restore seconds for the legacy and nft backends, fitted to shared/anchors.md',
  provenance: {
    method: 'anchors',
    kernel: 'Linux 6.18',
    cpu: '2 vCPU VM',
    date: '2026-11-28',
    notes: FIT,
  },
  constants: IPTABLES_RESTORE_CONSTANTS,
}

/** Modeled seconds of one iptables-restore invocation touching these tables. */
export function modelRestoreSeconds(
  terms: readonly TableRestoreTerms[],
  backend: RestoreBackend,
  profile: CostProfile = DEFAULT_IPTABLES_RESTORE_PROFILE,
): number {
  return modelCost(restoreModelCounts(terms, backend), profile, `restore.${backend}.`)
}
