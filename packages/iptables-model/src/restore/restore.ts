import type { CostProfile, UpdateReport } from '@dataplane-sim/cluster'
import { restoreRuleset } from '../codec/parse'
import { tableBlobBytes } from '../cost/blobBytes'
import {
  DEFAULT_IPTABLES_RESTORE_PROFILE,
  modelRestoreSeconds,
  type RestoreBackend,
  restoreModelCounts,
  type TableRestoreTerms,
} from '../cost/restoreCost'
import type { Ruleset, TableName } from '../ruleset/types'

export interface RestoreUpdateOptions {
  /** iptables-restore --noflush: only the chains the input declares are flushed (kube-proxy and Felix use it) */
  noflush?: boolean
  /** which iptables-restore prices the update (default legacy) */
  backend?: RestoreBackend
  /** source name for errors */
  source?: string
  profile?: CostProfile
}

export interface RestoreUpdate {
  state: Ruleset
  report: UpdateReport
}

/**
 * iptables-restore as an update: applies `input` to `state` with iptables-restore semantics (declared chains
 * flushed and refilled, each table committed atomically at COMMIT; without --noflush every table in the input
 * is replaced whole) and prices it. All or nothing: a bad input throws an InputError and `state` is untouched
 * (the real tool keeps tables committed before the failing block; the project's contract is stricter).
 *
 * Counts: `restore.lines`/`restore.bytes` read, `restore.rulesWritten` (-A/-I), `restore.chainsReplaced`
 * (`:CHAIN` lines), `restore.chainCommands` (-N/-X/-F), `restore.tableRules`/`restore.tableChains` (in the
 * tables the input committed, after), `restore.blobBytes` (legacy: the whole blob of every committed table,
 * which the kernel swaps at each COMMIT; nft: the netlink delta, the bytes of the rules written), plus the
 * backend's model terms (`restore.<backend>.*`) whose cost is `seconds`; `variants` gives both backends.
 */
export function restore(
  state: Ruleset | null,
  input: string,
  opts: RestoreUpdateOptions = {},
): RestoreUpdate {
  const backend = opts.backend ?? 'legacy'
  const profile = opts.profile ?? DEFAULT_IPTABLES_RESTORE_PROFILE
  const { ruleset, stats } = restoreRuleset(state, input, {
    noflush: opts.noflush ?? false,
    source: opts.source,
  })
  const linesPerTable = tableLineCounts(input)
  // a table the state did not hold is created by this restore (nf_tables: the table and its base chains' hooks)
  const existed = new Set(state?.tables.map((t) => t.name) ?? [])
  const terms: TableRestoreTerms[] = []
  let tableRules = 0
  let tableChains = 0
  let blobBytes = 0
  for (const t of ruleset.tables) {
    if (!stats.tables.includes(t.name)) continue
    let rules = 0
    for (const c of t.chains) rules += c.rules.length
    const bytes = tableBlobBytes(t)
    terms.push({
      table: t.name,
      lines: linesPerTable.get(t.name) ?? 0,
      rulesAfter: rules,
      chainsAfter: t.chains.length,
      bytesAfter: bytes,
      created: !existed.has(t.name),
    })
    tableRules += rules
    tableChains += t.chains.length
    blobBytes += bytes
  }
  // nft sends a delta: the written rules' share of the blob (mean bytes per rule × rules written)
  const deltaBytes = tableRules
    ? Math.round((blobBytes / Math.max(1, tableRules + tableChains)) * stats.rulesWritten)
    : 0
  const counts: Record<string, number> = {
    'restore.lines': stats.lines,
    'restore.bytes': stats.bytes,
    'restore.rulesWritten': stats.rulesWritten,
    'restore.chainsReplaced': stats.chainsDeclared,
    'restore.chainCommands': stats.chainCommands,
    'restore.tableRules': tableRules,
    'restore.tableChains': tableChains,
    'restore.blobBytes': backend === 'legacy' ? blobBytes : deltaBytes,
    ...restoreModelCounts(terms, backend),
  }
  const legacy = modelRestoreSeconds(terms, 'legacy', profile)
  const nft = modelRestoreSeconds(terms, 'nft', profile)
  return {
    state: ruleset,
    report: { counts, seconds: backend === 'legacy' ? legacy : nft, variants: { legacy, nft }, input },
  }
}

/** Lines of each table's block, `*table` through COMMIT (a later block for the same table adds up). */
export function tableLineCounts(input: string): Map<TableName, number> {
  const out = new Map<TableName, number>()
  let current: TableName | null = null
  let start = 0
  let n = 0
  while (start < input.length) {
    let end = input.indexOf('\n', start)
    if (end < 0) end = input.length
    if (input.charCodeAt(start) === 42 /* * */) {
      current = input.slice(start + 1, end).trim() as TableName
      n = 0
    }
    if (current) n++
    if (current && input.startsWith('COMMIT', start)) {
      out.set(current, (out.get(current) ?? 0) + n)
      current = null
    }
    start = end + 1
  }
  return out
}
