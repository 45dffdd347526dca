import type { Cost, CostProfile, Step, Trace } from '@dataplane-sim/cluster'
import { OpCounts, opId } from '../maps/opCounts'
import { emptyFlow, type Flow } from './state'

const PROG_NAMES: string[] = []

/** The cost id of BPF program `name` (`bpf.prog:<name>`), for `Ctx.prog`: interned once per program. */
export function progId(name: string): number {
  const id = opId(`bpf.prog:${name}`)
  PROG_NAMES[id] = name
  return id
}

/**
 * What one classify call accumulates: counted operations (interned ids, see `OpCounts`), steps when asked
 * for, and the conntrack slot the last CT lookup found. One per datapath, reset for every packet.
 */
export class Ctx {
  readonly ops = new OpCounts()
  steps: Step[] | null = null
  /** a BPF conntrack entry was created (the flow's first packet) */
  newFlow = false
  /** slot of the entry the last `ctLookup` hit */
  ctSlot = -1
  /**
   * the last `ctLookup` found no entry for the tuple as sent (not even an expired one): a `ctCreate` of it
   * right after, with no conntrack write between, need not look for it again
   */
  ctAbsent = false
  /** the packet's flow, and the flow after service translation: filled per packet, read only while it runs */
  readonly flow: Flow = emptyFlow()
  readonly translated: Flow = emptyFlow()
  /**
   * No trace will be read (`Datapath.classifyTuples` without traces): the pieces still make every lookup,
   * count, state change and RNG draw, but skip what only a trace shows (address text, candidates, the
   * translation's record), and `result`/`drop` fill one reused record whose verdict alone is read.
   */
  lean = false
  /**
   * The services-map slot whose record named this packet's backend (`ServicesMap.lookupSlotBackendInto`; 0:
   * none): `identityOf` of the backend's address takes the record's ipcache answer when it holds a valid one
   * (`ServicesMap.ipcacheCopyFor`), else looks up and renews it.
   */
  slotHint = 0

  /** A new packet; `lean` (no trace read) implies no steps. */
  reset(withSteps: boolean, lean = false): void {
    this.ops.reset()
    this.lean = lean
    this.steps = withSteps && !lean ? [] : null
    this.newFlow = false
    this.ctSlot = -1
    this.ctAbsent = false
    this.slotHint = 0
  }

  step(where: string, text: string, outcome: Step['outcome'], detail?: string): void {
    if (!this.steps) return
    const s: Step = { where, text, outcome }
    if (detail !== undefined) s.detail = detail
    this.steps.push(s)
  }

  /** A BPF program run (`progId(name)`): counted as `bpf.prog:<name>`, shown as an info step. */
  prog(id: number, why?: string): void {
    this.ops.add(id)
    if (this.steps) this.step(PROG_NAMES[id], why ?? 'program', 'info')
  }

  /**
   * The packet's `Cost`: one frozen record shared by every packet whose counts are the same (a packet's path
   * fixes them, and there are few paths): read it, do not change it.
   */
  cost(profile: CostProfile): Cost {
    return this.ops.summary(profile).cost as Cost
  }
}

/** IP protocol names as cilium prints them: one implementation, the policy dump's. */
export { protoName } from '../cilium/dump/policyGet'

const OUTCOME: Record<Step['outcome'], string> = {
  hit: 'HIT ',
  miss: 'MISS',
  match: 'MATCH',
  'no-match': 'SKIP',
  policy: 'POLICY',
  verdict: 'VERDICT',
  info: '->',
}

/**
 * A trace as `cilium monitor -v` / `hubble observe` would let an operator read it: one line per program and
 * map lookup in order, then the verdict line (`-> forwarded` / `xx drop (Policy denied)`), the translation
 * and the modeled cost.
 */
export function formatEbpfTrace(trace: Trace): string {
  const lines: string[] = []
  for (const s of trace.steps) {
    if (s.outcome === 'info') lines.push(`${s.where}: ${s.text}`)
    else
      lines.push(
        `  ${OUTCOME[s.outcome].padEnd(7)} ${s.where} ${s.text}${s.detail ? `  => ${s.detail}` : ''}`,
      )
  }
  if (trace.dnat) lines.push(`  service translated to ${trace.dnat.ip}:${trace.dnat.port}`)
  if (trace.masquerade) lines.push(`  source NAT to ${trace.snat ?? 'node address'}`)
  else if (trace.snat) lines.push(`  reverse NAT: source shown as ${trace.snat}`)
  for (const c of trace.candidates)
    lines.push(
      `  candidate ${c.ip}:${c.port} p=${c.probability.toFixed(4)}${c.pod ? ` ${c.pod}` : ''}${c.node ? ` on ${c.node}` : ''}`,
    )
  const verdict =
    trace.verdict === 'drop'
      ? `xx drop (${trace.reason ?? 'unknown'})`
      : trace.verdict === 'reject'
        ? `xx reject (${trace.reason ?? 'unknown'}): ICMP unreachable sent back`
        : trace.verdict === 'local'
          ? '-> delivered to the host stack'
          : `-> forwarded${trace.outInterface ? ` via ${trace.outInterface}` : ''}`
  lines.push(verdict)
  const ops = Object.entries(trace.cost.counts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
  lines.push(`cost: ${trace.cost.ns.toFixed(0)} ns modeled (${ops})`)
  return `${lines.join('\n')}\n`
}
