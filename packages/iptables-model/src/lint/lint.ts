import { closeSync, openSync, readSync } from 'node:fs'
import { InputError, isInputError } from '@dataplane-sim/cluster'
import { RulesetBuilder } from '../codec/parse'
import { type ChainDecl, type RestoreOp, RestoreReader, type RestoreSink } from '../codec/restore-reader'
import type { Ipsets } from '../ipset/types'
import type { TableName } from '../ruleset/types'
import { ChainNames } from './chain-names'
import { FastLineReader } from './fast-line'

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
  /** lines the byte-level fast path read (the rest went through the full tokenizer and rule parser) */
  fastLines: number
}

export interface LintOptions {
  /** read the common line shapes straight from the bytes (default true); off: every line takes the full path */
  fastPath?: boolean
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

function finish(run: LintRun): LintResult {
  const { sink, reader, n: lines } = run
  reader.end(lines)
  const findings: LintFinding[] = []
  for (const t of sink.builder.committed.values()) findings.push(...t.findings())
  findings.sort((a, b) => a.line - b.line)
  return { ok: true, findings, lines, rules: sink.builder.stats.rulesWritten, fastLines: run.fastLines }
}

function refused(e: unknown, lines: number, fastLines = 0): LintResult {
  if (!isInputError(e)) throw e
  return { ok: false, error: e, findings: [], lines, rules: 0, fastLines }
}

/**
 * One lint run over bytes: each line goes to the fast path (lint/fast-line.ts) and, when it does not take
 * it, decoded to the full reader. Lines are split at `\n` (never inside a UTF-8 sequence), so decoding a
 * line alone gives the same text as decoding the whole input.
 */
class LintRun {
  readonly sink: LintSink
  readonly reader: RestoreReader
  private readonly fast: FastLineReader | null
  n = 0
  fastLines = 0

  constructor(source: string, ipsets: Ipsets | undefined, opts: LintOptions) {
    this.sink = new LintSink(source, ipsets, source)
    const chains = opts.fastPath === false ? undefined : new ChainNames()
    this.reader = new RestoreReader(source, this.sink, false, chains)
    this.fast = chains ? new FastLineReader(chains, this.reader, this.sink, ipsets !== undefined) : null
  }

  /** Every `\n`-separated segment of buf[s, e) is a line, the last one included. */
  feed(buf: Buffer, s: number, e: number): void {
    this.fast?.region(buf, s, e)
    for (;;) {
      let end = buf.indexOf(10, s)
      if (end < 0 || end > e) end = e
      const n = ++this.n
      if (this.fast?.line(buf, s, end, n)) this.fastLines++
      else this.reader.line(buf.toString('utf8', s, end), n)
      if (end === e) return
      s = end + 1
    }
  }

  /** A whole input in one buffer, split as lintFile splits a file. */
  all(buf: Buffer): void {
    const last = buf.lastIndexOf(10)
    if (last >= 0) this.feed(buf, 0, last)
    if (last + 1 < buf.length) this.feed(buf, last + 1, buf.length)
  }
}

/** Lints iptables-restore input held in memory. */
export function lintText(
  text: string,
  source = '<input>',
  ipsets?: Ipsets,
  opts: LintOptions = {},
): LintResult {
  const run = new LintRun(source, ipsets, opts)
  try {
    run.all(Buffer.from(text, 'utf8'))
    return finish(run)
  } catch (e) {
    return refused(e, run.n, run.fastLines)
  }
}

/** Lints a file, streaming it in 4 MiB chunks (the whole dump never sits in memory). */
export function lintFile(path: string, ipsets?: Ipsets, opts: LintOptions = {}): LintResult {
  const run = new LintRun(path, ipsets, opts)
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
  try {
    for (;;) {
      const got = readSync(fd, chunk, 0, chunk.length, null)
      if (got === 0) {
        if (carry.length) run.feed(carry, 0, carry.length)
        break
      }
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got)
      const last = data.lastIndexOf(10)
      if (last < 0) {
        carry = Buffer.from(data)
        continue
      }
      run.feed(data, 0, last)
      carry = Buffer.from(data.subarray(last + 1))
    }
    return finish(run)
  } catch (e) {
    return refused(e, run.n, run.fastLines)
  } finally {
    if (fd !== 0) closeSync(fd)
  }
}
