import { InputError } from '@dataplane-sim/cluster'
import { BUILTIN_CHAINS, type Counters, type Rule, TABLE_NAMES, type TableName } from '../ruleset/types'
import { intern, parseRuleWords } from './rule-line'
import { createTokens, type Tokens, tokenize } from './tokenize'
import { parseUint } from './values'

/** `:CHAIN POLICY [p:b]` */
export interface ChainDecl {
  name: string
  policy: 'ACCEPT' | 'DROP' | null
  counters: Counters
  line: number
}

/** One command line inside a table block of iptables-restore input. */
export type RestoreOp =
  | { op: 'append'; chain: string; rule: Rule }
  | { op: 'insert'; chain: string; rule: Rule; position: number }
  | { op: 'new-chain' | 'delete-chain' | 'flush'; chain: string; line: number }

/** The chains declared in the current table block (a Set; lint keeps them by the bytes of their names). */
export interface ChainNameSet {
  has(name: string): boolean
  add(name: string): unknown
  clear(): void
}

/** What iptables-restore input tells the reader, in order; the parser and lint both consume it. */
export interface RestoreSink {
  table(name: TableName, line: number): void
  chain(decl: ChainDecl, builtin: boolean): void
  op(op: RestoreOp): void
  commit(line: number): void
}

/**
 * Reads iptables-restore input line by line (iptables/iptables-restore.c `ip46tables_restore_main`):
 * `*table`, `:CHAIN POLICY [p:b]`, `[p:b] -A CHAIN rule`, `-I/-N/-X/-F`, `COMMIT`, `#` comments. Line-level
 * errors (a chain declared twice, a rule outside a table, a missing COMMIT) are thrown here as InputErrors
 * with line and column; checks that need a whole table (jumps, loops) are the sink's.
 */
export class RestoreReader {
  private readonly tokens: Tokens = createTokens()
  private table: TableName | null = null
  private tableLine = 0
  private builtins: readonly string[] = []

  constructor(
    readonly source: string,
    private readonly sink: RestoreSink,
    /** intern repeated strings (chain names, comments); lint turns it off */
    private readonly keep = true,
    private readonly declared: ChainNameSet = new Set<string>(),
  ) {}

  private fail(message: string, line: number, column = 1): never {
    throw new InputError(message, this.source, line, column)
  }

  line(text: string, n: number): void {
    const c0 = text.charCodeAt(0)
    // fast path: rule lines dominate real dumps
    if (c0 === 45 /* - */ || c0 === 91 /* [ */) {
      this.command(text, n)
      return
    }
    let i = 0
    while (
      i < text.length &&
      (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 13)
    )
      i++
    if (i === text.length || text.charCodeAt(i) === 35 /* # */) return
    const c = text.charCodeAt(i)
    if (c === 42 /* * */) {
      if (this.table)
        this.fail(
          `*${text.slice(i + 1).trim()}: table ${this.table} (line ${this.tableLine}) has no COMMIT`,
          n,
          i + 1,
        )
      const name = text.slice(i + 1).trim()
      if (!(TABLE_NAMES as readonly string[]).includes(name))
        this.fail(`unknown table ${JSON.stringify(name)}: expected raw, mangle, nat or filter`, n, i + 2)
      this.table = name as TableName
      this.tableLine = n
      this.declared.clear()
      this.builtins = BUILTIN_CHAINS[this.table]
      this.sink.table(this.table, n)
    } else if (c === 58 /* : */) this.chainLine(text, n)
    else if (text.startsWith('COMMIT', i) && text.slice(i + 6).trim() === '') {
      if (!this.table)
        this.fail('COMMIT without a table (expected *raw, *mangle, *nat or *filter before it)', n, i + 1)
      this.sink.commit(n)
      this.table = null
    } else if (c === 45 || c === 91) this.command(text, n)
    else this.fail(`unexpected line: expected *table, :CHAIN, -A CHAIN, COMMIT or a # comment`, n, i + 1)
  }

  /** Call after the last line; `lastLine` is the number of lines read. */
  end(lastLine: number): void {
    if (this.table) this.fail(`table ${this.table} (line ${this.tableLine}) has no COMMIT`, lastLine + 1)
  }

  private chainLine(text: string, n: number): void {
    const t = tokenize(text, this.tokens)
    if (!this.table) this.fail('chain declared outside a table (expected *table before it)', n, 1)
    const name = t.words[0].slice(1)
    if (name.length === 0 || name.length > 28)
      this.fail(`chain name must be 1-28 characters, got ${JSON.stringify(name)}`, n, 2)
    if (t.count < 2)
      this.fail(`:${name}: expected a policy (ACCEPT, DROP or -)`, n, t.columns[0] + name.length + 1)
    if (this.declared.has(name)) this.fail(`chain ${name} is defined twice in table ${this.table}`, n, 2)
    this.declared.add(name)
    const builtin = this.builtins.includes(name)
    const p = t.words[1]
    let policy: ChainDecl['policy'] = null
    if (builtin) {
      if (p !== 'ACCEPT' && p !== 'DROP')
        this.fail(
          `built-in chain ${name} needs a policy ACCEPT or DROP, got ${JSON.stringify(p)}`,
          n,
          t.columns[1],
        )
      policy = p
    } else if (p !== '-')
      this.fail(
        `Can't set policy ${JSON.stringify(p)} on user-defined chain ${name} (expected -)`,
        n,
        t.columns[1],
      )
    let counters: Counters = { packets: 0, bytes: 0 }
    if (t.count > 2) {
      const parsed = parseCounters(t.words[2])
      if (!parsed)
        this.fail(
          `:${name}: expected counters [packets:bytes], got ${JSON.stringify(t.words[2])}`,
          n,
          t.columns[2],
        )
      counters = parsed
    }
    if (t.count > 3) this.fail(`:${name}: unexpected ${JSON.stringify(t.words[3])}`, n, t.columns[3])
    this.sink.chain({ name: this.keep ? intern(name) : name, policy, counters, line: n }, builtin)
  }

  private command(text: string, n: number): void {
    const t = tokenize(text, this.tokens)
    if (t.unterminated) this.fail('unterminated quoted string', n, t.unterminated)
    if (!this.table)
      this.fail('command outside a table (expected *raw, *mangle, *nat or *filter before it)', n, 1)
    let k = 0
    let counters: Counters | undefined
    if (t.words[0].charCodeAt(0) === 91) {
      const c = parseCounters(t.words[0])
      if (!c)
        this.fail(`expected counters [packets:bytes], got ${JSON.stringify(t.words[0])}`, n, t.columns[0])
      counters = c
      k = 1
    }
    if (k >= t.count) this.fail('expected a command (-A, -I, -N, -X, -F) after the counters', n, 1)
    const cmd = t.words[k]
    const chainWord = k + 1
    if (chainWord >= t.count) this.fail(`${cmd} needs a chain name`, n, t.columns[k])
    const chain = this.keep ? intern(t.words[chainWord]) : t.words[chainWord]
    const builtin = this.builtins.includes(chain)
    switch (cmd) {
      case '-A':
      case '--append': {
        const rule = parseRuleWords(t, chainWord + 1, this.source, n, chain, builtin, this.keep)
        if (counters) rule.counters = counters
        this.sink.op({ op: 'append', chain, rule })
        return
      }
      case '-I':
      case '--insert': {
        let at = chainWord + 1
        let position = 1
        const maybe = at < t.count ? parseUint(t.words[at]) : -1
        if (maybe >= 1) {
          position = maybe
          at++
        }
        const rule = parseRuleWords(t, at, this.source, n, chain, builtin, this.keep)
        if (counters) rule.counters = counters
        this.sink.op({ op: 'insert', chain, rule, position })
        return
      }
      case '-N':
      case '--new-chain':
      case '-X':
      case '--delete-chain':
      case '-F':
      case '--flush':
        if (t.count > chainWord + 1)
          this.fail(
            `${cmd}: unexpected ${JSON.stringify(t.words[chainWord + 1])}`,
            n,
            t.columns[chainWord + 1],
          )
        this.sink.op({
          op:
            cmd === '-N' || cmd === '--new-chain'
              ? 'new-chain'
              : cmd === '-F' || cmd === '--flush'
                ? 'flush'
                : 'delete-chain',
          chain,
          line: n,
        })
        return
      default:
        this.fail(`unknown command ${JSON.stringify(cmd)}: expected -A, -I, -N, -X or -F`, n, t.columns[k])
    }
  }
}

/** `[packets:bytes]` or null. */
export function parseCounters(s: string): Counters | null {
  if (s.charCodeAt(0) !== 91 || s.charCodeAt(s.length - 1) !== 93) return null
  const colon = s.indexOf(':')
  if (colon < 0) return null
  const packets = parseUint(s, 1, colon)
  const bytes = parseUint(s, colon + 1, s.length - 1)
  if (packets < 0 || bytes < 0) return null
  return { packets, bytes }
}

/** Feeds every line of `text` to `reader` (split by hand: no array of 2M line strings). */
export function readText(reader: RestoreReader, text: string): void {
  let n = 0
  let start = 0
  const len = text.length
  while (start < len) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = len
    n++
    reader.line(text.slice(start, end), n)
    start = end + 1
  }
  reader.end(n)
}
