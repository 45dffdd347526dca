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
}

const FIT =
  'least-squares fit (relative error) to shared/anchors.md "kube-proxy-shaped nat table" rows: whole-table and one-rule --noflush restores at 1k/5k/10k/20k services (10 lines, 7 rules, 3 chains per service)'

/**
 * Restore cost constants, per backend. The model: one process start, a per-line parse cost, a per-rule cost
 * for the table the kernel ends up with, and superlinear terms for chain lookups.
 *
 * - legacy (`iptables-legacy-restore`): libiptc fetches the whole table blob, edits it in user space and swaps
 *   the whole blob back with IPT_SO_SET_REPLACE on every COMMIT, even with --noflush; so a one-rule change
 *   costs in proportion to the table. Its chains are a linked list: each input line looks up its chain
 *   (lines × chains) and the commit resolves every rule's jump offset against the chain list (rules × chains).
 *   Those two products are the superlinear growth of the anchors (0.060 s at 10k lines → 2.488 s at 200k).
 * - nft (`iptables-nft-restore`): rules become a netlink batch applied as a delta; --noflush pays for the
 *   rule cache of the table (a small per-rule term) plus what it sends; parsing per line is dearer than
 *   legacy (rules are translated to nft expressions) and its chain lookups grow with chains too.
 * Within ±11 % of every anchor point (test/restore-anchors.test.ts checks ±30 %).
 */
export const IPTABLES_RESTORE_CONSTANTS: Record<string, CostConstant> = {
  'restore.legacy.invocation': {
    value: 3.459e-3,
    unit: 's',
    source: `process start and table fetch; ${FIT}`,
  },
  'restore.legacy.line': { value: 2.153e-6, unit: 's/line', source: `parse one input line; ${FIT}` },
  'restore.legacy.tableRule': {
    value: 3.966e-6,
    unit: 's/rule',
    source: `copy/rebuild and swap one rule of the whole table blob (IPT_SO_SET_REPLACE), every commit; ${FIT}`,
  },
  'restore.legacy.lineChain': {
    value: 8.905e-11,
    unit: 's/(line×chain)',
    source: `libiptc linear chain lookup per input line (lines × chains in the table); ${FIT}`,
  },
  'restore.legacy.ruleChain': {
    value: 3.696e-11,
    unit: 's/(rule×chain)',
    source: `libiptc commit: jump offsets resolved against the chain list (rules × chains); ${FIT}`,
  },
  'restore.nft.invocation': { value: 3.995e-3, unit: 's', source: `process start and netlink setup; ${FIT}` },
  'restore.nft.line': {
    value: 1.47e-5,
    unit: 's/line',
    source: `parse and translate one line into nft expressions and a batch message; ${FIT}`,
  },
  'restore.nft.tableRule': {
    value: 4.199e-7,
    unit: 's/rule',
    source: `rule cache of the table fetched for --noflush / chain flushes; ${FIT}`,
  },
  'restore.nft.lineChain': {
    value: 1.112e-10,
    unit: 's/(line×chain)',
    source: `chain lookup per input line in the nft cache; ${FIT}`,
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
    [`${p}tableRule`]: 0,
    [`${p}lineChain`]: 0,
  }
  if (backend === 'legacy') c[`${p}ruleChain`] = 0
  for (const t of terms) {
    c[`${p}line`] += t.lines
    c[`${p}tableRule`] += t.rulesAfter
    c[`${p}lineChain`] += t.lines * t.chainsAfter
    if (backend === 'legacy') c[`${p}ruleChain`] += t.rulesAfter * t.chainsAfter
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
