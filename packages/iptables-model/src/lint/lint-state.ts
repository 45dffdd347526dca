import { InputError } from '@dataplane-sim/cluster'
import type { ChainDecl, RestoreOp, RestoreSink } from '../codec/restore-reader'
import {
  checkJumps,
  checkNatHooks,
  isUnconditional,
  NAT_HOOKS,
  SAY,
  TERMINAL_KINDS,
} from '../codec/table-checks'
import type { Ipsets } from '../ipset/types'
import { BUILTIN_CHAINS, TABLE_NAMES, TARGET_TABLES, type TableName, type TargetKind } from '../ruleset/types'
import type { ChainNames } from './chain-names'

export interface LintFinding {
  line: number
  message: string
}

/** Target kinds by number: all the whole-table checks need to know of a rule's target (a Record: every kind). */
const KINDS = Object.keys({
  none: 0,
  ACCEPT: 0,
  DROP: 0,
  RETURN: 0,
  NOTRACK: 0,
  TRACE: 0,
  jump: 0,
  goto: 0,
  REJECT: 0,
  DNAT: 0,
  SNAT: 0,
  MASQUERADE: 0,
  REDIRECT: 0,
  MARK: 0,
  CONNMARK: 0,
  CT: 0,
  LOG: 0,
  NFLOG: 0,
} satisfies Record<TargetKind, 0>) as TargetKind[]
const CODE = new Map(KINDS.map((k, i) => [k, i]))
/** The number of target kind `kind`. */
export const kindCode = (kind: TargetKind): number => CODE.get(kind)!
const JUMP = kindCode('jump')
const GOTO = kindCode('goto')
const TERMINAL = Uint8Array.from(KINDS, (k) => (TERMINAL_KINDS.has(k) ? 1 : 0))
const NAT = Uint8Array.from(KINDS, (k) => (k in NAT_HOOKS ? 1 : 0))
/** bit i: table TABLE_NAMES[i] may hold the target (0: any table) */
const TABLES = Uint8Array.from(KINDS, (k) =>
  (TARGET_TABLES[k] ?? []).reduce((m, t) => m | (1 << TABLE_NAMES.indexOf(t)), 0),
)

// the facts of chain `id` in the current table block: F ints from F * id (32 bytes, all in one cache line)
const F = 8
const STAMP = 0 // number of the block the chain exists in
const POS = 1 // its number in the block, in creation order (built-in chains first)
const LINE = 2 // line of its declaration
const RULES = 3
const GEN = 4 // generation, new at creation and at each flush: edges of an older one are gone
const TERMINAL_LINE = 5 // first rule that ends the chain for every packet
const DEAD_LINE = 6 // first rule after it
const DEAD_COUNT = 7

/** `-m set` on a set the ipsets lack: iptables-restore refuses it (the kernel has no such set). */
export function refuseUnknownSets(op: RestoreOp, ipsets: Ipsets | undefined, source: string): void {
  if (ipsets && (op.op === 'append' || op.op === 'insert'))
    for (const m of op.rule.matches)
      if (m.module === 'set' && !ipsets.has(m.name))
        throw new InputError(`Set ${m.name} doesn't exist`, source, op.rule.line, 1)
}

/**
 * Lint's table state: what codec/table-state.ts checks while iptables-restore applies a table block (the
 * same refusals, through codec/table-checks.ts, and the same findings), with every chain a number from
 * ChainNames and its facts in typed arrays, so a dump of 600k chains costs no per-chain object, no string
 * key and nothing per rule but a few array writes. The fast path calls `declare` and `append` with ids;
 * the full reader's lines come in as a RestoreSink. Keeps no rules.
 */
export class LintState implements RestoreSink {
  private facts: Int32Array
  private block = 0
  private current: TableName | null = null
  private tableBit = 0
  private builtinCount = 0
  // the chains of the block by number: name id, generation (-1 once deleted)
  private posId: Int32Array
  private posGen: Int32Array
  private n = 0
  private nextGen = 1
  /** a chain of the block was flushed or deleted: some edges may be dead */
  private changed = false
  // jumps and gotos: from chain number, its generation then, to chain number, rule line
  private eFrom: Int32Array
  private eGen: Int32Array
  private eTo: Int32Array
  private eLine: Int32Array
  private m = 0
  // hook-restricted NAT targets: chain number, its generation then, kind, rule line
  private natFrom: Int32Array
  private natGen: Int32Array
  private natKind: Int32Array
  private natLine: Int32Array
  private nats = 0
  /** -A / -I lines applied */
  rules = 0
  /** findings of each committed table (a later block for the same table replaces them) */
  private readonly committed = new Map<TableName, LintFinding[]>()
  private readonly builtinIds = new Map<TableName, number[]>()

  constructor(
    private readonly chains: ChainNames,
    private readonly source: string,
    private readonly ipsets?: Ipsets,
    /** about how many chains the dump holds (room made up front) */
    expected = 1 << 12,
  ) {
    const n = Math.max(1 << 12, Math.ceil(1.25 * expected))
    this.facts = new Int32Array(F * n)
    this.posId = new Int32Array(n)
    this.posGen = new Int32Array(n)
    this.eFrom = new Int32Array(2 * n)
    this.eGen = new Int32Array(2 * n)
    this.eTo = new Int32Array(2 * n)
    this.eLine = new Int32Array(2 * n)
    // kube-proxy: a DNAT rule per endpoint, nearly a chain each (only the pages written cost memory)
    this.natFrom = new Int32Array(n)
    this.natGen = new Int32Array(n)
    this.natKind = new Int32Array(n)
    this.natLine = new Int32Array(n)
  }

  get inTable(): boolean {
    return this.current !== null
  }

  exists(id: number): boolean {
    const at = id * F
    return at < this.facts.length && this.facts[at + STAMP] === this.block
  }

  /** Whether chain `id` is one of the current table's built-in chains. */
  isBuiltin(id: number): boolean {
    return this.exists(id) && this.facts[id * F + POS] < this.builtinCount
  }

  private fail(message: string, line: number): never {
    throw new InputError(message, this.source, line, 1)
  }

  private name(id: number): string {
    return this.chains.name(id)
  }

  table(name: TableName): void {
    this.current = name
    this.block++
    this.tableBit = 1 << TABLE_NAMES.indexOf(name)
    this.n = 0
    this.m = 0
    this.nats = 0
    this.changed = false
    let ids = this.builtinIds.get(name)
    if (!ids) {
      ids = BUILTIN_CHAINS[name].map((b) => this.chains.idOf(b))
      this.builtinIds.set(name, ids)
    }
    this.builtinCount = 0
    for (const id of ids) this.create(id, 0)
    this.builtinCount = ids.length
  }

  chain(decl: ChainDecl): void {
    this.declare(this.chains.idOf(decl.name), decl.line)
  }

  /** `:CHAIN` at `line`: creates the chain, or (declared again after -N) flushes it. */
  declare(id: number, line: number): void {
    if (!this.exists(id)) this.create(id, line)
    else {
      if (!this.isBuiltin(id)) this.flush(id)
      this.facts[id * F + LINE] = line
    }
  }

  private create(id: number, line: number): void {
    if ((id + 1) * F > this.facts.length) this.facts = grow(this.facts, (id + 1) * F)
    if (this.n === this.posId.length) {
      this.posId = grow(this.posId, this.n + 1)
      this.posGen = grow(this.posGen, this.n + 1)
    }
    const at = id * F
    const f = this.facts
    const gen = this.nextGen++
    f[at + STAMP] = this.block
    f[at + POS] = this.n
    f[at + LINE] = line
    f[at + RULES] = 0
    f[at + GEN] = gen
    f[at + TERMINAL_LINE] = 0
    f[at + DEAD_LINE] = 0
    f[at + DEAD_COUNT] = 0
    this.posId[this.n] = id
    this.posGen[this.n++] = gen
  }

  /** Empties a chain in place (jumps to it stay valid); its old edges die with the generation. */
  private flush(id: number): void {
    const at = id * F
    const f = this.facts
    f[at + RULES] = 0
    f[at + TERMINAL_LINE] = 0
    f[at + DEAD_LINE] = 0
    f[at + DEAD_COUNT] = 0
    f[at + GEN] = this.nextGen++
    this.posGen[f[at + POS]] = f[at + GEN]
    this.changed = true
  }

  /** A command line from the full reader. */
  op(op: RestoreOp): void {
    refuseUnknownSets(op, this.ipsets, this.source)
    const id = this.chains.idOf(op.chain)
    const table = this.current!
    if (op.op === 'append' || op.op === 'insert') {
      const t = op.rule.target
      const to = t.kind === 'jump' || t.kind === 'goto' ? this.chains.idOf(t.chain) : -1
      const cmd = op.op === 'append' ? '-A' : '-I'
      const at = op.op === 'insert' ? op.position - 1 : -1
      this.add(cmd, id, kindCode(t.kind), to, op.rule.line, !isUnconditional(op.rule), at)
      return
    }
    const line = op.line
    const exists = this.exists(id)
    switch (op.op) {
      case 'new-chain':
        if (exists) this.fail(SAY.chainExists(op.chain), line)
        this.create(id, line)
        return
      case 'flush':
        if (!exists) this.fail(SAY.noChain('-F', op.chain, table), line)
        this.flush(id)
        return
      case 'delete-chain': {
        if (!exists) this.fail(SAY.noChain('-X', op.chain, table), line)
        if (this.isBuiltin(id)) this.fail(SAY.deleteBuiltin(op.chain), line)
        const at = id * F
        if (this.facts[at + RULES] > 0) this.fail(SAY.deleteNotEmpty(op.chain), line)
        const pos = this.facts[at + POS]
        for (let k = 0; k < this.m; k++)
          if (this.eTo[k] === pos && this.posGen[this.eFrom[k]] === this.eGen[k])
            this.fail(SAY.deleteReferenced(op.chain, this.name(this.posId[this.eFrom[k]])), line)
        this.posGen[pos] = -1
        this.facts[at + STAMP] = 0
        this.changed = true
      }
    }
  }

  /** `-A` of chain `id` at `line`, target kind number `code` (to chain `to` for a jump or goto). */
  append(id: number, code: number, to: number, line: number, conditional: boolean): void {
    this.add('-A', id, code, to, line, conditional, -1)
  }

  /** Adds a rule at `insertAt` (-1: at the end), with codec/table-state.ts's checks in the same order. */
  private add(
    cmd: '-A' | '-I',
    id: number,
    code: number,
    to: number,
    line: number,
    conditional: boolean,
    insertAt: number,
  ): void {
    const table = this.current!
    if (!this.exists(id)) this.fail(SAY.noChainToAdd(cmd, this.name(id), table), line)
    const jump = code === JUMP || code === GOTO
    if (jump) {
      if (!this.exists(to)) this.fail(SAY.noTarget(this.name(to), table), line)
      if (this.isBuiltin(to)) this.fail(SAY.jumpToBuiltin(this.name(to)), line)
    }
    if (TABLES[code] && !(TABLES[code] & this.tableBit))
      this.fail(SAY.wrongTable(KINDS[code], TARGET_TABLES[KINDS[code]]!, table), line)
    const f = this.facts
    const at = id * F
    const count = f[at + RULES]
    const position = insertAt < 0 ? count : insertAt
    if (position > count) this.fail(SAY.insertTooBig(this.name(id), position + 1), line)
    f[at + RULES] = count + 1
    if (jump) {
      if (this.m === this.eFrom.length) {
        this.eFrom = grow(this.eFrom, this.m + 1)
        this.eGen = grow(this.eGen, this.m + 1)
        this.eTo = grow(this.eTo, this.m + 1)
        this.eLine = grow(this.eLine, this.m + 1)
      }
      this.eFrom[this.m] = f[at + POS]
      this.eGen[this.m] = f[at + GEN]
      this.eTo[this.m] = f[to * F + POS]
      this.eLine[this.m++] = line
    } else if (NAT[code]) {
      if (this.nats === this.natFrom.length) {
        this.natFrom = grow(this.natFrom, this.nats + 1)
        this.natGen = grow(this.natGen, this.nats + 1)
        this.natKind = grow(this.natKind, this.nats + 1)
        this.natLine = grow(this.natLine, this.nats + 1)
      }
      this.natFrom[this.nats] = f[at + POS]
      this.natGen[this.nats] = f[at + GEN]
      this.natKind[this.nats] = code
      this.natLine[this.nats++] = line
    }
    if (position === count) {
      if (f[at + TERMINAL_LINE]) {
        if (!f[at + DEAD_COUNT]) f[at + DEAD_LINE] = line
        f[at + DEAD_COUNT]++
      } else if (TERMINAL[code] && !conditional) f[at + TERMINAL_LINE] = line
    }
    this.rules++
  }

  /** COMMIT: the kernel's whole-table checks, then the table's findings. */
  commit(): void {
    const table = this.current!
    const { posId, posGen, eFrom, eGen, natFrom, natGen, natKind } = this
    const nameOf = (v: number): string => this.name(posId[v])
    const fail = (message: string, line: number): never => this.fail(message, line)
    const g = checkJumps(
      this.n,
      { from: eFrom, to: this.eTo, line: this.eLine, count: this.m },
      this.changed ? (k) => posGen[eFrom[k]] === eGen[k] : null,
      this.changed ? (v) => posGen[v] < 0 : null,
      nameOf,
      fail,
    )
    if (table === 'nat' && this.nats > 0)
      checkNatHooks(
        g,
        BUILTIN_CHAINS.nat,
        { from: natFrom, kind: (k) => KINDS[natKind[k]], line: this.natLine, count: this.nats },
        this.changed ? (k) => posGen[natFrom[k]] === natGen[k] : null,
        nameOf,
        fail,
      )
    const out: LintFinding[] = []
    const f = this.facts
    for (let v = 0; v < this.n; v++) {
      if (posGen[v] < 0) continue
      const at = posId[v] * F
      if (f[at + DEAD_COUNT])
        out.push({
          line: f[at + DEAD_LINE],
          message: SAY.unreachable(table, nameOf(v), f[at + DEAD_COUNT], f[at + TERMINAL_LINE]),
        })
      if (v >= this.builtinCount && !g.inDegree[v])
        out.push({ line: f[at + LINE], message: SAY.unused(table, nameOf(v)) })
    }
    this.committed.set(table, out)
    this.current = null
  }

  /** Findings of the committed tables, by line. */
  findings(): LintFinding[] {
    const all: LintFinding[] = []
    for (const t of this.committed.values()) for (const f of t) all.push(f)
    return all.sort((a, b) => a.line - b.line)
  }
}

function grow(a: Int32Array, atLeast: number): Int32Array<ArrayBuffer> {
  let size = a.length * 2
  while (size < atLeast) size *= 2
  const b = new Int32Array(size)
  b.set(a)
  return b
}
