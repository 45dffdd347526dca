import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { InputError, isInputError } from '@dataplane-sim/cluster'
import { RulesetBuilder } from '../codec/parse'
import { type ChainDecl, type RestoreOp, RestoreReader, type RestoreSink } from '../codec/restore-reader'
import type { Ipsets } from '../ipset/types'
import type { TableName } from '../ruleset/types'
import { ChainNames } from './chain-names'
import { FastLineReader } from './fast-line'
import { type LintFinding, LintState, refuseUnknownSets } from './lint-state'

export type { LintFinding } from './lint-state'

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
 * The full path's sink: checks like iptables-restore through the parser's own RulesetBuilder (keeping no
 * rules), the reference the fast path's LintState is tested against (test/lint-fast-path.test.ts).
 */
class LintSink implements RestoreSink {
  readonly builder: RulesetBuilder
  constructor(
    private readonly source: string,
    private readonly ipsets: Ipsets | undefined,
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
    refuseUnknownSets(op, this.ipsets, this.source)
    this.builder.op(op)
  }
  commit(): void {
    this.builder.commit()
  }
  findings(): LintFinding[] {
    const findings: LintFinding[] = []
    for (const t of this.builder.committed.values()) for (const f of t.findings()) findings.push(f)
    return findings.sort((a, b) => a.line - b.line)
  }
}

/**
 * One lint run over bytes. With the fast path (the default), each line goes to lint/fast-line.ts and, when
 * it does not take it, decoded to the full reader, both feeding one LintState; without it, every line is
 * decoded and read by the full reader into the parser's RulesetBuilder. Lines are split at `\n` (never
 * inside a UTF-8 sequence), so decoding a line alone gives the same text as decoding the whole input.
 */
class LintRun {
  readonly reader: RestoreReader
  private readonly fast: FastLineReader | null
  readonly outcome: () => { findings: LintFinding[]; rules: number }
  n = 0
  fastLines = 0

  /** `bytes`: the input's size when known (tables are sized from it) */
  constructor(source: string, ipsets: Ipsets | undefined, opts: LintOptions, bytes = 0) {
    if (opts.fastPath === false) {
      const sink = new LintSink(source, ipsets)
      this.reader = new RestoreReader(source, sink, false)
      this.fast = null
      this.outcome = () => ({ findings: sink.findings(), rules: sink.builder.stats.rulesWritten })
    } else {
      // a kube-proxy dump holds a chain per ~395 bytes (100k services x 5 endpoints: 237 MB, 600k chains):
      // room for a few more up front, as growing the name store late copies it whole
      const expected = Math.ceil(bytes / 360)
      const chains = new ChainNames(expected)
      const state = new LintState(chains, source, ipsets, expected)
      this.reader = new RestoreReader(source, state, false, chains)
      this.fast = new FastLineReader(chains, state, ipsets !== undefined)
      this.outcome = () => ({ findings: state.findings(), rules: state.rules })
    }
  }

  /** Every `\n`-separated segment of buf[s, e) is a line, the last one included. */
  feed(buf: Buffer, s: number, e: number): void {
    const fast = this.fast
    fast?.region(buf, s, e)
    for (;;) {
      const n = ++this.n
      let end = fast ? fast.line(buf, s, n) : -1
      if (end >= 0) this.fastLines++
      else {
        end = buf.indexOf(10, s)
        if (end < 0 || end > e) end = e
        this.reader.line(buf.toString('utf8', s, end), n)
      }
      if (end >= e) return
      s = end + 1
    }
  }

  /** A whole input in one buffer, split as lintFile splits a file. */
  all(buf: Buffer): void {
    const last = buf.lastIndexOf(10)
    if (last >= 0) this.feed(buf, 0, last)
    if (last + 1 < buf.length) this.feed(buf, last + 1, buf.length)
  }

  finish(): LintResult {
    this.reader.end(this.n)
    const { findings, rules } = this.outcome()
    return { ok: true, findings, lines: this.n, rules, fastLines: this.fastLines }
  }
}

function refused(e: unknown, lines: number, fastLines = 0): LintResult {
  if (!isInputError(e)) throw e
  return { ok: false, error: e, findings: [], lines, rules: 0, fastLines }
}

/** Lints iptables-restore input held in memory. */
export function lintText(
  text: string,
  source = '<input>',
  ipsets?: Ipsets,
  opts: LintOptions = {},
): LintResult {
  const bytes = Buffer.from(text, 'utf8')
  const run = new LintRun(source, ipsets, opts, bytes.length)
  try {
    run.all(bytes)
    return run.finish()
  } catch (e) {
    return refused(e, run.n, run.fastLines)
  }
}

/** bytes read at a time: a chunk's lines are read while its bytes are still in the CPU's caches */
const CHUNK = 1 << 18

/** Lints a file, streaming it in chunks into one buffer (the whole dump never sits in memory). */
export function lintFile(path: string, ipsets?: Ipsets, opts: LintOptions = {}): LintResult {
  let fd = 0
  try {
    if (path !== '-') fd = openSync(path, 'r')
  } catch (e) {
    return refused(
      new InputError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, path, 1),
      0,
    )
  }
  const run = new LintRun(path, ipsets, opts, fd === 0 ? 0 : fstatSync(fd).size)
  let buf = Buffer.allocUnsafe(2 * CHUNK)
  /** bytes [0, have) of buf: the start of a line whose end is not read yet */
  let have = 0
  try {
    for (;;) {
      if (buf.length - have < CHUNK) {
        const bigger = Buffer.allocUnsafe(buf.length * 2)
        buf.copy(bigger, 0, 0, have)
        buf = bigger
      }
      const got = readSync(fd, buf, have, CHUNK, null)
      if (got === 0) {
        if (have) run.feed(buf, 0, have)
        break
      }
      const total = have + got
      const last = buf.lastIndexOf(10, total - 1)
      if (last < 0) {
        have = total
        continue
      }
      run.feed(buf, 0, last)
      buf.copyWithin(0, last + 1, total)
      have = total - last - 1
    }
    return run.finish()
  } catch (e) {
    return refused(e, run.n, run.fastLines)
  } finally {
    if (fd !== 0) closeSync(fd)
  }
}
