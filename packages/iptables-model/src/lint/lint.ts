import { closeSync, openSync, readSync } from 'node:fs'
import { InputError, isInputError } from '@dataplane-sim/cluster'
import { RulesetBuilder } from '../codec/parse'
import { type ChainDecl, type RestoreOp, RestoreReader, type RestoreSink } from '../codec/restore-reader'
import type { Ipsets } from '../ipset/types'
import type { TableName } from '../ruleset/types'

export interface LintFinding {
  line: number
  message: string
}

export interface LintResult {
  /** iptables-restore would accept the input */
  ok: boolean
  /** why it would refuse it (source, line, column) */
  error?: InputError
  /** what a reader wants to know; never changes `ok` */
  findings: LintFinding[]
  lines: number
  rules: number
}

/**
 * A RestoreSink that checks like iptables-restore (through RulesetBuilder) without keeping the rules, so a
 * multi-million-line dump is checked in little memory, and also refuses `-m set` on a set the ipsets lack.
 */
class LintSink implements RestoreSink {
  readonly builder: RulesetBuilder
  constructor(
    source: string,
    private readonly ipsets: Ipsets | undefined,
    private readonly sourceName: string,
  ) {
    this.builder = new RulesetBuilder(null, source, false, false)
  }
  table(name: TableName, line: number): void {
    this.builder.table(name, line)
  }
  chain(decl: ChainDecl): void {
    this.builder.chain(decl)
  }
  op(op: RestoreOp): void {
    if (this.ipsets && (op.op === 'append' || op.op === 'insert'))
      for (const m of op.rule.matches)
        if (m.module === 'set' && !this.ipsets.has(m.name))
          throw new InputError(`Set ${m.name} doesn't exist`, this.sourceName, op.rule.line, 1)
    this.builder.op(op)
  }
  commit(): void {
    this.builder.commit()
  }
}

function finish(sink: LintSink, reader: RestoreReader, lines: number): LintResult {
  reader.end(lines)
  const findings: LintFinding[] = []
  for (const t of sink.builder.committed.values()) findings.push(...t.findings())
  findings.sort((a, b) => a.line - b.line)
  return { ok: true, findings, lines, rules: sink.builder.stats.rulesWritten }
}

function refused(e: unknown, lines: number): LintResult {
  if (!isInputError(e)) throw e
  return { ok: false, error: e, findings: [], lines, rules: 0 }
}

/** Lints iptables-restore input held in memory. */
export function lintText(text: string, source = '<input>', ipsets?: Ipsets): LintResult {
  const sink = new LintSink(source, ipsets, source)
  const reader = new RestoreReader(source, sink, false)
  let n = 0
  try {
    let start = 0
    while (start < text.length) {
      let end = text.indexOf('\n', start)
      if (end < 0) end = text.length
      reader.line(text.slice(start, end), ++n)
      start = end + 1
    }
    return finish(sink, reader, n)
  } catch (e) {
    return refused(e, n)
  }
}

/** Lints a file, streaming it in 4 MiB chunks (the whole dump never sits in memory as one string). */
export function lintFile(path: string, ipsets?: Ipsets): LintResult {
  const sink = new LintSink(path, ipsets, path)
  const reader = new RestoreReader(path, sink, false)
  let fd = 0
  try {
    if (path !== '-') fd = openSync(path, 'r')
  } catch (e) {
    return refused(
      new InputError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, path, 1),
      0,
    )
  }
  const chunk = Buffer.allocUnsafe(4 << 20)
  let carry = Buffer.alloc(0)
  let n = 0
  // every segment is a line, the last one included (its newline was cut off by the caller)
  const feed = (text: string): void => {
    let start = 0
    for (;;) {
      const end = text.indexOf('\n', start)
      if (end < 0) {
        reader.line(text.slice(start), ++n)
        return
      }
      reader.line(text.slice(start, end), ++n)
      start = end + 1
    }
  }
  try {
    for (;;) {
      const got = readSync(fd, chunk, 0, chunk.length, null)
      if (got === 0) {
        if (carry.length) feed(carry.toString('utf8'))
        break
      }
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got)
      const last = data.lastIndexOf(10)
      if (last < 0) {
        carry = Buffer.from(data)
        continue
      }
      feed(data.toString('utf8', 0, last))
      carry = Buffer.from(data.subarray(last + 1))
    }
    return finish(sink, reader, n)
  } catch (e) {
    return refused(e, n)
  } finally {
    if (fd !== 0) closeSync(fd)
  }
}
