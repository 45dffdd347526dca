import type { Rule, TableName } from '../ruleset/types'

/**
 * What iptables-restore checks on a table block and what it says when it refuses one, shared by the
 * parser's TableState (chains by object) and lint's LintState (chains by number in typed arrays), so the
 * two agree word for word. Chains are numbered 0..n-1 in creation order, built-in chains first in
 * BUILTIN_CHAINS order; an edge is a jump or goto from one chain number to another at a rule line.
 */

/** Hooks from which each NAT target may be reached (kernel xt_target.hooks in xt_nat.c / xt_MASQUERADE.c). */
export const NAT_HOOKS: Readonly<Record<string, readonly string[]>> = {
  DNAT: ['PREROUTING', 'OUTPUT'],
  REDIRECT: ['PREROUTING', 'OUTPUT'],
  SNAT: ['POSTROUTING', 'INPUT'],
  MASQUERADE: ['POSTROUTING'],
}

/** Target kinds that end the chain for the packets that reach them. */
export const TERMINAL_KINDS: ReadonlySet<string> = new Set([
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

/** True when a rule matches every packet (only comments among its matches). */
export function isUnconditional(r: Rule): boolean {
  if (r.src || r.dst || r.inIface || r.outIface || r.protocol) return false
  for (const m of r.matches) if (m.module !== 'comment') return false
  return true
}

/** iptables-restore's (libiptc's and the kernel's) refusals, and lint's findings, word for word. */
export const SAY = {
  chainExists: (chain: string) => `-N ${chain}: chain already exists`,
  noChain: (cmd: string, chain: string, table: TableName) =>
    `${cmd} ${chain}: no chain by that name in table ${table}`,
  noChainToAdd: (cmd: '-A' | '-I', chain: string, table: TableName) =>
    `${cmd} ${chain}: no chain by that name in table ${table} (declare it with :${chain} - [0:0])`,
  deleteBuiltin: (chain: string) => `-X ${chain}: cannot delete a built-in chain`,
  deleteNotEmpty: (chain: string) => `-X ${chain}: chain is not empty (flush it first)`,
  deleteReferenced: (chain: string, from: string) => `-X ${chain}: chain is still referenced from ${from}`,
  noTarget: (chain: string, table: TableName) =>
    `Couldn't load target '${chain}': no chain by that name in table ${table} and no such target`,
  jumpToBuiltin: (chain: string) => `cannot jump to built-in chain ${chain}`,
  wrongTable: (kind: string, tables: readonly TableName[], table: TableName) =>
    `${kind} target is only valid in the ${tables.join('/')} table, not ${table}`,
  insertTooBig: (chain: string, position: number) => `-I ${chain} ${position}: index of insertion too big`,
  loop: (cycle: readonly string[]) => `loop in chain jumps: ${cycle.join(' -> ')} (the kernel refuses loops)`,
  natHook: (kind: string, chain: string, hook: string) =>
    `${kind} is only valid from ${NAT_HOOKS[kind].join(' and ')}, but chain ${chain} is reached from ${hook}`,
  unreachable: (table: TableName, chain: string, count: number, terminalLine: number) =>
    `${table}:${chain}: ${count} rule(s) can never be reached: the rule at line ${terminalLine} ends the chain for every packet`,
  unused: (table: TableName, chain: string) => `${table}:${chain}: nothing jumps to this chain`,
}

/** Edges k in [0, count): from chain, to chain, rule line. */
export interface Edges {
  from: ArrayLike<number>
  to: ArrayLike<number>
  line: ArrayLike<number>
  count: number
}

/** A table's live jumps grouped by source chain (CSR), and a DFS post-order of its chains. */
export interface JumpGraph {
  start: Int32Array<ArrayBuffer>
  adj: Int32Array<ArrayBuffer>
  inDegree: Int32Array<ArrayBuffer>
  /** chains in DFS post-order (its reverse is a topological order), `done` of them */
  order: Int32Array<ArrayBuffer>
  done: number
}

/**
 * The kernel's loop check at COMMIT (mark_source_chains in ip_tables.c): one depth-first pass over chains
 * 0..n-1 (skipping deleted ones) along live edges; the first back edge is refused, naming the cycle it
 * closes, at that edge's rule line.
 */
export function checkJumps(
  n: number,
  edges: Edges,
  /** whether edge k is live; null: all are (nothing was flushed or deleted) */
  live: ((k: number) => boolean) | null,
  deleted: ((v: number) => boolean) | null,
  nameOf: (v: number) => string,
  fail: (message: string, line: number) => never,
): JumpGraph {
  const start = new Int32Array(n + 1)
  const inDegree = new Int32Array(n)
  const { from, to, line, count } = edges
  for (let k = 0; k < count; k++)
    if (live === null || live(k)) {
      start[from[k] + 1]++
      inDegree[to[k]]++
    }
  for (let v = 0; v < n; v++) start[v + 1] += start[v]
  const fill = start.slice(0, n)
  const adj = new Int32Array(start[n])
  const adjLine = new Int32Array(start[n])
  for (let k = 0; k < count; k++) {
    if (live !== null && !live(k)) continue
    const at = fill[from[k]]++
    adj[at] = to[k]
    adjLine[at] = line[k]
  }
  const color = new Uint8Array(n)
  const order = new Int32Array(n)
  let done = 0
  const stackNode = new Int32Array(n)
  const stackEdge = new Int32Array(n)
  for (let s = 0; s < n; s++) {
    if (color[s] || deleted?.(s)) continue
    let sp = 0
    stackNode[0] = s
    stackEdge[0] = start[s]
    color[s] = 1
    while (sp >= 0) {
      const v = stackNode[sp]
      const k = stackEdge[sp]
      if (k >= start[v + 1]) {
        color[v] = 2
        order[done++] = v
        sp--
        continue
      }
      stackEdge[sp]++
      const t = adj[k]
      if (color[t] === 1) {
        let q = sp
        while (stackNode[q] !== t) q--
        const cycle: string[] = []
        for (; q <= sp; q++) cycle.push(nameOf(stackNode[q]))
        cycle.push(nameOf(t))
        fail(SAY.loop(cycle), adjLine[k])
      }
      if (color[t] === 0) {
        color[t] = 1
        sp++
        stackNode[sp] = t
        stackEdge[sp] = start[t]
      }
    }
  }
  return { start, adj, inDegree, order, done }
}

/** NAT targets at (chain, kind, line), k in [0, count). */
export interface NatTargets {
  from: ArrayLike<number>
  kind: (k: number) => string
  line: ArrayLike<number>
  count: number
}

/**
 * The kernel's hook check for NAT targets (xt_check_target against the hooks each chain is reached from):
 * the built-in chains' hooks are propagated along a topological order, then each live NAT target is checked.
 */
export function checkNatHooks(
  g: JumpGraph,
  builtins: readonly string[],
  nat: NatTargets,
  live: ((k: number) => boolean) | null,
  nameOf: (v: number) => string,
  fail: (message: string, line: number) => never,
): void {
  const n = g.start.length - 1
  const hooks = new Uint8Array(n)
  for (let bit = 0; bit < builtins.length; bit++) hooks[bit] |= 1 << bit
  const { start, adj, order } = g
  for (let q = g.done - 1; q >= 0; q--) {
    const v = order[q]
    const mask = hooks[v]
    if (mask) for (let k = start[v]; k < start[v + 1]; k++) hooks[adj[k]] |= mask
  }
  for (let k = 0; k < nat.count; k++) {
    if (live !== null && !live(k)) continue
    const mask = hooks[nat.from[k]]
    const kind = nat.kind(k)
    const allowed = NAT_HOOKS[kind]
    for (let bit = 0; bit < builtins.length; bit++)
      if (mask & (1 << bit) && !allowed.includes(builtins[bit]))
        fail(SAY.natHook(kind, nameOf(nat.from[k]), builtins[bit]), nat.line[k])
  }
}
