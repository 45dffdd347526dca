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

/** A chain while a table block is being applied: its rules (unless not retained) and its jumps. */
interface ChainState {
  name: string
  policy: 'ACCEPT' | 'DROP' | null
  counters: { packets: number; bytes: number }
  line: number
  rules: Rule[]
  ruleCount: number
  /** jump/goto targets with the rule line, for the loop and hook checks */
  jumpTo: string[]
  jumpLine: number[]
  /** NAT targets that the kernel allows only from some hooks */
  natKind: string[]
  natLine: number[]
  /** line of the first rule that ends the chain whatever the packet (lint) */
  terminalLine: number
  /** lines of rules after it (lint; first few only) */
  unreachable: number[]
  unreachableCount: number
}

/** Hooks from which each NAT target may be reached (kernel xt_target.hooks in xt_nat.c / xt_MASQUERADE.c). */
const NAT_HOOKS: Readonly<Record<string, readonly string[]>> = {
  DNAT: ['PREROUTING', 'OUTPUT'],
  REDIRECT: ['PREROUTING', 'OUTPUT'],
  SNAT: ['POSTROUTING', 'INPUT'],
  MASQUERADE: ['POSTROUTING'],
}

const TERMINAL = new Set([
  'ACCEPT',
  'DROP',
  'REJECT',
  'RETURN',
  'goto',
  'DNAT',
  'SNAT',
  'MASQUERADE',
  'REDIRECT',
])

/** True when a rule matches every packet and its target ends the chain (lint: what follows is dead). */
function isUnconditionalTerminal(r: Rule): boolean {
  if (r.src || r.dst || r.inIface || r.outIface || r.protocol) return false
  for (const m of r.matches) if (m.module !== 'comment') return false
  return TERMINAL.has(r.target.kind)
}

/**
 * One table while iptables-restore applies a block to it: chain declarations, -A/-I/-N/-X/-F, and at COMMIT
 * the checks the kernel makes on the whole table (jump loops, NAT targets reached from the wrong hook).
 * Starts from the committed table (kept when `noflush`, else only its built-in policies survive, as
 * iptables-restore flushes the table) and never modifies it.
 */
export class TableState {
  readonly chains = new Map<string, ChainState>()
  private readonly builtins: readonly string[]

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
      this.chains.set(
        b,
        this.fresh(
          b,
          old?.policy ?? 'ACCEPT',
          old ? { ...old.counters } : { packets: 0, bytes: 0 },
          old?.line ?? 0,
        ),
      )
    }
    if (noflush && base)
      for (const c of base.chains) {
        const s = this.chains.get(c.name) ?? this.fresh(c.name, c.policy, { ...c.counters }, c.line)
        this.chains.set(c.name, s)
        for (const r of c.rules) this.add(s, r, s.rules.length)
      }
  }

  private fresh(
    name: string,
    policy: ChainState['policy'],
    counters: ChainState['counters'],
    line: number,
  ): ChainState {
    return {
      name,
      policy,
      counters,
      line,
      rules: [],
      ruleCount: 0,
      jumpTo: [],
      jumpLine: [],
      natKind: [],
      natLine: [],
      terminalLine: 0,
      unreachable: [],
      unreachableCount: 0,
    }
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
      this.chains.set(d.name, this.fresh(d.name, null, d.counters, d.line))
    } else this.chains.set(d.name, this.fresh(d.name, d.policy, d.counters, d.line))
  }

  apply(op: RestoreOp): void {
    const line = op.op === 'append' || op.op === 'insert' ? op.rule.line : op.line
    const chain = this.chains.get(op.chain)
    switch (op.op) {
      case 'new-chain':
        if (chain) this.fail(`-N ${op.chain}: chain already exists`, line)
        this.chains.set(op.chain, this.fresh(op.chain, null, { packets: 0, bytes: 0 }, line))
        return
      case 'flush':
        if (!chain) this.fail(`-F ${op.chain}: no chain by that name in table ${this.name}`, line)
        this.chains.set(op.chain, { ...this.fresh(op.chain, chain.policy, chain.counters, chain.line) })
        return
      case 'delete-chain': {
        if (!chain) this.fail(`-X ${op.chain}: no chain by that name in table ${this.name}`, line)
        if (chain.policy !== null) this.fail(`-X ${op.chain}: cannot delete a built-in chain`, line)
        if (chain.ruleCount > 0) this.fail(`-X ${op.chain}: chain is not empty (flush it first)`, line)
        for (const other of this.chains.values())
          if (other.jumpTo.includes(op.chain))
            this.fail(`-X ${op.chain}: chain is still referenced from ${other.name}`, line)
        this.chains.delete(op.chain)
        return
      }
      default: {
        if (!chain)
          this.fail(
            `${op.op === 'append' ? '-A' : '-I'} ${op.chain}: no chain by that name in table ${this.name} (declare it with :${op.chain} - [0:0])`,
            line,
          )
        const rule = op.rule
        const t = rule.target
        if (t.kind === 'jump' || t.kind === 'goto') {
          const to = this.chains.get(t.chain)
          if (!to)
            this.fail(
              `Couldn't load target '${t.chain}': no chain by that name in table ${this.name} and no such target`,
              line,
              this.targetColumn(rule),
            )
          if (to.policy !== null)
            this.fail(`cannot jump to built-in chain ${t.chain}`, line, this.targetColumn(rule))
        }
        const tables = TARGET_TABLES[t.kind]
        if (tables && !tables.includes(this.name))
          this.fail(
            `${t.kind} target is only valid in the ${tables.join('/')} table, not ${this.name}`,
            line,
            this.targetColumn(rule),
          )
        const position = op.op === 'insert' ? op.position - 1 : chain.ruleCount
        if (position > chain.ruleCount)
          this.fail(`-I ${op.chain} ${position + 1}: index of insertion too big`, line)
        this.add(chain, rule, position)
      }
    }
  }

  private targetColumn(_r: Rule): number {
    return 1
  }

  private add(c: ChainState, rule: Rule, position: number): void {
    if (this.retainRules) {
      if (position === c.rules.length) c.rules.push(rule)
      else c.rules.splice(position, 0, rule)
    }
    c.ruleCount++
    const t = rule.target
    if (t.kind === 'jump' || t.kind === 'goto') {
      c.jumpTo.push(t.chain)
      c.jumpLine.push(rule.line)
    } else if (t.kind in NAT_HOOKS) {
      c.natKind.push(t.kind)
      c.natLine.push(rule.line)
    }
    if (position === c.ruleCount - 1) {
      if (c.terminalLine) {
        if (c.unreachable.length < 3) c.unreachable.push(rule.line)
        c.unreachableCount++
      } else if (isUnconditionalTerminal(rule)) c.terminalLine = rule.line
    }
  }

  /** how many jumps/gotos lead to each chain (set by check, read by findings) */
  private referenced = new Map<string, number>()

  /**
   * The kernel's whole-table checks at COMMIT (translate_table / mark_source_chains in ip_tables.c): no loop
   * in jumps, and each NAT target reached only from the hooks it allows. One depth-first pass over chain ids;
   * its reverse post-order is a topological order along which the hooks reaching each chain are propagated.
   */
  check(): void {
    const states = [...this.chains.values()]
    const n = states.length
    const id = new Map<string, number>()
    for (let k = 0; k < n; k++) id.set(states[k].name, k)
    const color = new Uint8Array(n)
    const order = new Int32Array(n)
    let done = 0
    const stackNode = new Int32Array(n)
    const stackEdge = new Int32Array(n)
    const inDegree = new Int32Array(n)
    for (let s = 0; s < n; s++) {
      if (color[s]) continue
      let sp = 0
      stackNode[0] = s
      stackEdge[0] = 0
      color[s] = 1
      while (sp >= 0) {
        const c = states[stackNode[sp]]
        const k = stackEdge[sp]
        if (k >= c.jumpTo.length) {
          color[stackNode[sp]] = 2
          order[done++] = stackNode[sp]
          sp--
          continue
        }
        stackEdge[sp]++
        const t = id.get(c.jumpTo[k])
        if (t === undefined) this.fail(`jump to undefined chain ${c.jumpTo[k]}`, c.jumpLine[k])
        if (color[t] === 1) {
          let from = sp
          while (stackNode[from] !== t) from--
          const cycle: string[] = []
          for (let q = from; q <= sp; q++) cycle.push(states[stackNode[q]].name)
          cycle.push(states[t].name)
          this.fail(`loop in chain jumps: ${cycle.join(' -> ')} (the kernel refuses loops)`, c.jumpLine[k])
        }
        if (color[t] === 0) {
          color[t] = 1
          sp++
          stackNode[sp] = t
          stackEdge[sp] = 0
        }
      }
    }
    for (const c of states) for (const t of c.jumpTo) inDegree[id.get(t)!]++
    this.referenced = new Map(states.map((c, k) => [c.name, inDegree[k]]))
    if (this.name !== 'nat') return
    const hooks = new Uint8Array(n)
    this.builtins.forEach((b, bit) => {
      hooks[id.get(b)!] |= 1 << bit
    })
    for (let q = n - 1; q >= 0; q--) {
      const c = states[order[q]]
      const m = hooks[order[q]]
      if (!m) continue
      for (const t of c.jumpTo) hooks[id.get(t)!] |= m
      for (let k = 0; k < c.natKind.length; k++) {
        const allowed = NAT_HOOKS[c.natKind[k]]
        this.builtins.forEach((hook, bit) => {
          if (m & (1 << bit) && !allowed.includes(hook))
            this.fail(
              `${c.natKind[k]} is only valid from ${allowed.join(' and ')}, but chain ${c.name} is reached from ${hook}`,
              c.natLine[k],
            )
        })
      }
    }
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
        rules: c.rules,
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
          line: c.unreachable[0],
          message: `${this.name}:${c.name}: ${c.unreachableCount} rule(s) can never be reached: the rule at line ${c.terminalLine} ends the chain for every packet`,
        })
      if (c.policy === null && !this.referenced.get(c.name))
        out.push({ line: c.line, message: `${this.name}:${c.name}: nothing jumps to this chain` })
    }
    return out
  }
}
