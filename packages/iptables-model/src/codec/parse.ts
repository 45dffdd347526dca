import type { Ruleset, Table, TableName } from '../ruleset/types'
import { type ChainDecl, type RestoreOp, RestoreReader, type RestoreSink, readText } from './restore-reader'
import { TableState } from './table-state'

export interface RestoreOptions {
  /** file name for errors (default '<input>') */
  source?: string
  /** iptables-restore --noflush: keep what the tables hold and apply the input on top */
  noflush?: boolean
  /** keep the rules (default true); lint turns it off to read huge dumps in little memory */
  retainRules?: boolean
}

/** What one iptables-restore run did (part 2's update model prices it). */
export interface RestoreStats {
  lines: number
  bytes: number
  /** tables the input has a block for, in input order */
  tables: TableName[]
  /** `:CHAIN` lines */
  chainsDeclared: number
  /** -A / -I lines */
  rulesWritten: number
  /** -N / -X / -F lines */
  chainCommands: number
}

/** A RestoreSink that applies each table block to a copy of the committed table, checked at COMMIT. */
export class RulesetBuilder implements RestoreSink {
  private current: TableState | null = null
  /** tables committed by this input, by name (a later block for the same table replaces the earlier) */
  readonly committed = new Map<TableName, TableState>()
  readonly stats: RestoreStats = {
    lines: 0,
    bytes: 0,
    tables: [],
    chainsDeclared: 0,
    rulesWritten: 0,
    chainCommands: 0,
  }

  constructor(
    private readonly base: Ruleset | null,
    private readonly source: string,
    private readonly noflush: boolean,
    private readonly retainRules: boolean,
  ) {}

  table(name: TableName, line: number): void {
    const committedNow = this.committed.get(name)?.toTable()
    const base = committedNow ?? this.base?.tables.find((t) => t.name === name)
    this.current = new TableState(name, line, base, this.noflush, this.source, this.retainRules)
    this.stats.tables.push(name)
  }

  chain(decl: ChainDecl): void {
    this.current!.declare(decl)
    this.stats.chainsDeclared++
  }

  op(op: RestoreOp): void {
    this.current!.apply(op)
    if (op.op === 'append' || op.op === 'insert') this.stats.rulesWritten++
    else this.stats.chainCommands++
  }

  commit(): void {
    this.current!.check()
    this.committed.set(this.current!.name, this.current!)
    this.current = null
  }

  /** The base ruleset with the committed tables swapped in (base tables not in the input are shared). */
  result(): Ruleset {
    const tables: Table[] = []
    const done = new Set<TableName>()
    for (const t of this.base?.tables ?? []) {
      const c = this.committed.get(t.name)
      tables.push(c ? c.toTable() : t)
      done.add(t.name)
    }
    for (const [name, c] of this.committed) if (!done.has(name)) tables.push(c.toTable())
    return { tables }
  }
}

/**
 * Applies iptables-restore input to `base` (null: an empty kernel) with iptables-restore's semantics and
 * checks, all or nothing: on any error an InputError (source, line, column) is thrown and `base` is unchanged.
 */
export function restoreRuleset(
  base: Ruleset | null,
  text: string,
  opts: RestoreOptions = {},
): { ruleset: Ruleset; stats: RestoreStats } {
  const source = opts.source ?? '<input>'
  const builder = new RulesetBuilder(base, source, opts.noflush ?? false, opts.retainRules ?? true)
  const reader = new RestoreReader(source, builder)
  readText(reader, text)
  builder.stats.lines = countLines(text)
  builder.stats.bytes = Buffer.byteLength(text)
  return { ruleset: builder.result(), stats: builder.stats }
}

/** Parses `iptables-save` output (with or without -c) into a Ruleset, checked as iptables-restore checks it. */
export function parseIptablesSave(text: string, source = '<input>'): Ruleset {
  return restoreRuleset(null, text, { source }).ruleset
}

function countLines(text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  return text.length > 0 && !text.endsWith('\n') ? n + 1 : n
}
