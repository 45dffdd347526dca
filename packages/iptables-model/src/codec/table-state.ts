import { InputError } from '@dataplane-sim/cluster'
import {
  BUILTIN_CHAINS,
  type Chain,
  type Rule,
  TARGET_TABLES,
  type Table,
  type TableName,
} from '../ruleset/types'
import type { ChainDecl, RestoreOp } from './restore-reader'
import { checkJumps, checkNatHooks, isUnconditional, NAT_HOOKS, SAY, TERMINAL_KINDS } from './table-checks'

/**
 * A chain while a table block is being applied. Kept small: a dump can hold 600k chains. Its jumps and NAT
 * targets live in the table's edge arrays, by chain number.
 */
interface ChainState {
  /** position in TableState.list; stable while the block is applied */
  idx: number
  name: string
  policy: 'ACCEPT' | 'DROP' | null
  counters: { packets: number; bytes: number }
  line: number
  /** the rules, when retained */
  rules: Rule[] | null
  ruleCount: number
  /** bumped by a flush: edges recorded under an older generation are gone */
  gen: number
  deleted: boolean
  /** line of the first rule that ends the chain whatever the packet (lint) */
  terminalLine: number
  /** first rule after it and how many (lint) */
  unreachableLine: number
  unreachableCount: number
}

/**
 * One table while iptables-restore applies a block to it: chain declarations, -A/-I/-N/-X/-F, and at COMMIT
 * the checks the kernel makes on the whole table (jump loops, NAT targets reached from the wrong hook).
 * Starts from the committed table (kept when `noflush`, else only its built-in policies survive, as
 * iptables-restore flushes the table) and never modifies it.
 */
export class TableState {
  readonly chains = new Map<string, ChainState>()
  private readonly list: ChainState[] = []
  // every jump/goto as (from chain, to chain, rule line); every hook-restricted NAT target as (chain, kind, line)
  // (a flush only bumps the chain's generation, so it costs nothing however many edges there are)
  private readonly edgeFrom: number[] = []
  private readonly edgeGen: number[] = []
  private readonly edgeTo: number[] = []
  private readonly edgeLine: number[] = []
  private readonly natFrom: number[] = []
  private readonly natGen: number[] = []
  private readonly natKind: string[] = []
  private readonly natLine: number[] = []
  /** in-degree of each chain from live edges, set by check() */
  private inDegree = new Int32Array(0)
  private readonly builtins: readonly string[]
  /** the chain looked up last (dumps append runs of rules to one chain); reset whenever chains change */
  private lastName: string | null = null
  private lastChain: ChainState | undefined = undefined

  constructor(
    readonly name: TableName,
    readonly line: number,
    base: Table | undefined,
    noflush: boolean,
    private readonly source: string,
    private readonly retainRules: boolean,
  ) {
    this.builtins = BUILTIN_CHAINS[name]
    for (const b of this.builtins) {
      const old = base?.chains.find((c) => c.name === b)
      this.create(
        b,
        old?.policy ?? 'ACCEPT',
        old ? { ...old.counters } : { packets: 0, bytes: 0 },
        old?.line ?? 0,
      )
    }
    if (noflush && base) {
      for (const c of base.chains)
        if (!this.chains.has(c.name)) this.create(c.name, c.policy, { ...c.counters }, c.line)
      for (const c of base.chains) {
        const s = this.chains.get(c.name)!
        for (const r of c.rules) this.add(s, r, s.ruleCount)
      }
    }
  }

  private create(
    name: string,
    policy: ChainState['policy'],
    counters: ChainState['counters'],
    line: number,
  ): ChainState {
    const c: ChainState = {
      idx: this.list.length,
      name,
      policy,
      counters,
      line,
      rules: this.retainRules ? [] : null,
      ruleCount: 0,
      gen: 0,
      deleted: false,
      terminalLine: 0,
      unreachableLine: 0,
      unreachableCount: 0,
    }
    this.list.push(c)
    this.chains.set(name, c)
    this.lastName = null
    return c
  }

  /** Empties a chain in place (jumps to it stay valid); its old edges die with the generation bump. */
  private flush(c: ChainState): void {
    c.rules = this.retainRules ? [] : null
    c.ruleCount = 0
    c.terminalLine = 0
    c.unreachableLine = 0
    c.unreachableCount = 0
    c.gen++
  }

  private live(from: number, gen: number): boolean {
    const c = this.list[from]
    return !c.deleted && c.gen === gen
  }

  private fail(message: string, line: number, column = 1): never {
    throw new InputError(message, this.source, line, column)
  }

  declare(d: ChainDecl): void {
    const existing = this.chains.get(d.name)
    if (existing && existing.policy !== null) {
      existing.policy = d.policy
      existing.counters = d.counters
      existing.line = d.line
    } else if (existing) {
      // iptables-restore --noflush: declaring an existing user chain flushes it
      this.flush(existing)
      existing.counters = d.counters
      existing.line = d.line
    } else this.create(d.name, d.policy, d.counters, d.line)
  }

  apply(op: RestoreOp): void {
    const line = op.op === 'append' || op.op === 'insert' ? op.rule.line : op.line
    const chain = this.lookup(op.chain)
    switch (op.op) {
      case 'new-chain':
        if (chain) this.fail(SAY.chainExists(op.chain), line)
        this.create(op.chain, null, { packets: 0, bytes: 0 }, line)
        return
      case 'flush':
        if (!chain) this.fail(SAY.noChain('-F', op.chain, this.name), line)
        this.flush(chain)
        return
      case 'delete-chain': {
        if (!chain) this.fail(SAY.noChain('-X', op.chain, this.name), line)
        if (chain.policy !== null) this.fail(SAY.deleteBuiltin(op.chain), line)
        if (chain.ruleCount > 0) this.fail(SAY.deleteNotEmpty(op.chain), line)
        for (let k = 0; k < this.edgeTo.length; k++)
          if (this.edgeTo[k] === chain.idx && this.live(this.edgeFrom[k], this.edgeGen[k]))
            this.fail(SAY.deleteReferenced(op.chain, this.list[this.edgeFrom[k]].name), line)
        chain.deleted = true
        this.chains.delete(op.chain)
        this.lastName = null
        return
      }
      default: {
        if (!chain) this.fail(SAY.noChainToAdd(op.op === 'append' ? '-A' : '-I', op.chain, this.name), line)
        const rule = op.rule
        const t = rule.target
        let to: ChainState | undefined
        if (t.kind === 'jump' || t.kind === 'goto') {
          to = this.chains.get(t.chain)
          if (!to) this.fail(SAY.noTarget(t.chain, this.name), line)
          if (to.policy !== null) this.fail(SAY.jumpToBuiltin(t.chain), line)
        }
        const tables = TARGET_TABLES[t.kind]
        if (tables && !tables.includes(this.name)) this.fail(SAY.wrongTable(t.kind, tables, this.name), line)
        const position = op.op === 'insert' ? op.position - 1 : chain.ruleCount
        if (position > chain.ruleCount) this.fail(SAY.insertTooBig(op.chain, position + 1), line)
        this.add(chain, rule, position, to)
      }
    }
  }

  private lookup(name: string): ChainState | undefined {
    if (name !== this.lastName) {
      this.lastChain = this.chains.get(name)
      this.lastName = name
    }
    return this.lastChain
  }

  /** `to`: the chain a jump or goto goes to, when the caller has looked it up already */
  private add(c: ChainState, rule: Rule, position: number, to?: ChainState): void {
    if (c.rules) {
      if (position === c.rules.length) c.rules.push(rule)
      else c.rules.splice(position, 0, rule)
    }
    c.ruleCount++
    const t = rule.target
    if (t.kind === 'jump' || t.kind === 'goto') {
      this.edgeFrom.push(c.idx)
      this.edgeGen.push(c.gen)
      this.edgeTo.push((to ?? this.chains.get(t.chain)!).idx)
      this.edgeLine.push(rule.line)
    } else if (t.kind in NAT_HOOKS) {
      this.natFrom.push(c.idx)
      this.natGen.push(c.gen)
      this.natKind.push(t.kind)
      this.natLine.push(rule.line)
    }
    if (position === c.ruleCount - 1) {
      if (c.terminalLine) {
        if (!c.unreachableCount) c.unreachableLine = rule.line
        c.unreachableCount++
      } else if (TERMINAL_KINDS.has(t.kind) && isUnconditional(rule)) c.terminalLine = rule.line
    }
  }

  /**
   * The kernel's whole-table checks at COMMIT (translate_table / mark_source_chains in ip_tables.c): no loop
   * in jumps, and each NAT target reached only from the hooks it allows.
   */
  check(): void {
    const nameOf = (v: number): string => this.list[v].name
    const fail = (message: string, line: number): never => this.fail(message, line)
    const g = checkJumps(
      this.list.length,
      { from: this.edgeFrom, to: this.edgeTo, line: this.edgeLine, count: this.edgeFrom.length },
      (k) => this.live(this.edgeFrom[k], this.edgeGen[k]),
      (v) => this.list[v].deleted,
      nameOf,
      fail,
    )
    this.inDegree = g.inDegree
    if (this.name !== 'nat' || this.natFrom.length === 0) return
    checkNatHooks(
      g,
      this.builtins,
      { from: this.natFrom, kind: (k) => this.natKind[k], line: this.natLine, count: this.natFrom.length },
      (k) => this.live(this.natFrom[k], this.natGen[k]),
      nameOf,
      fail,
    )
  }

  /**
   * The committed table as the kernel lists it: built-in chains first in hook order, then user chains sorted
   * by name (libiptc keeps them sorted with strcmp, and iptables-save prints them in that order).
   */
  toTable(): Table {
    const builtin: Chain[] = []
    const user: Chain[] = []
    for (const c of this.chains.values())
      (c.policy === null ? user : builtin).push({
        name: c.name,
        policy: c.policy,
        counters: c.counters,
        rules: c.rules ?? [],
        line: c.line,
      })
    user.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    return { name: this.name, chains: builtin.concat(user), line: this.line }
  }

  /** Lint findings: rules after an unconditional verdict, user chains nothing jumps to. */
  findings(): Array<{ line: number; message: string }> {
    const out: Array<{ line: number; message: string }> = []
    for (const c of this.chains.values()) {
      if (c.unreachableCount)
        out.push({
          line: c.unreachableLine,
          message: SAY.unreachable(this.name, c.name, c.unreachableCount, c.terminalLine),
        })
      if (c.policy === null && !this.inDegree[c.idx])
        out.push({ line: c.line, message: SAY.unused(this.name, c.name) })
    }
    return out
  }
}
