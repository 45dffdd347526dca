import {
  type CostProfile,
  createRng,
  InputError,
  type Packet,
  type Rng,
  type Step,
  type Verdict,
} from '@dataplane-sim/cluster'
import { formatRule } from '../codec/serialize'
import { formatIp, parseIp } from '../codec/values'
import { compileIpsets } from '../ipset/lookup'
import type { Ipsets } from '../ipset/types'
import type { Ruleset, TableName } from '../ruleset/types'
import { CT_DNAT, CT_ESTABLISHED, CT_NEW, CT_RELATED, CT_SNAT, CT_UNTRACKED } from '../ruleset/types'
import { type CChain, type CRule, type CTable, compileTable } from './compile'
import { Conntrack, type CtEntry, newEntry } from './conntrack'
import { IPTABLES_PACKET_PROFILE } from './constants'
import { type NodeContext, ResolvedContext, type SourceKind } from './context'
import { Interfaces } from './interfaces'
import type { MatchEnv } from './matchers'
import type { NetfilterOptions, NetfilterTrace, Outcome, PacketOptions } from './options'
import {
  HOOK_FORWARD,
  HOOK_INPUT,
  HOOK_OUTPUT,
  HOOK_POSTROUTING,
  HOOK_PREROUTING,
  PacketState,
  TCP_FLAG_BITS,
} from './packet-state'
import { RecentLists } from './recent'
import { traceOfOutcome, traceOfOutcomes } from './trace'
import { type Pass, traverse } from './traverse'
import { type PacketBackend, type WalkCaches, walkCachesOf, walkCountsAs } from './walkCost'

export type { NetfilterOptions, NetfilterTrace, Outcome, PacketOptions } from './options'

/** Enumerate mode gives up after this many branches (a ruleset with many random rules in a row). */
const MAX_OUTCOMES = 4096

/**
 * A node's netfilter: the compiled tables, conntrack, the recent lists and counters, and `classify` walking
 * a packet through the hooks in kernel order (include/uapi/linux/netfilter_ipv4.h priorities):
 * PREROUTING raw → conntrack → mangle → nat (NEW only); routing; INPUT mangle → filter → nat, or FORWARD
 * mangle → filter; POSTROUTING mangle → nat (NEW only); confirm. The node's own packets take OUTPUT
 * raw → conntrack → mangle → nat → filter instead of PREROUTING and, addressed to the node, come back in
 * through lo.
 */
export class Netfilter {
  readonly conntrack = new Conntrack()
  readonly recent = new RecentLists()
  readonly ifaces = new Interfaces()
  readonly ctx: ResolvedContext
  private tables = new Map<TableName, CTable>()
  private ruleset: Ruleset = { tables: [] }
  private readonly rng: Rng
  private readonly profile: CostProfile
  private readonly backend: PacketBackend
  /** the profile's cache-resident walk size and LLC share for this backend (walkCost.ts; Infinity: none) */
  private readonly caches: WalkCaches
  private readonly source: string
  private readonly env: MatchEnv
  private readonly ps = new PacketState()
  /** the engine's clock (seconds) */
  now = 0
  // enumerate: forced decisions, decisions taken and their probabilities on this pass
  private enumerating = false
  private path: boolean[] = []
  private taken: boolean[] = []
  private takenP: number[] = []

  constructor(ruleset: Ruleset, ctx: NodeContext, opts: NetfilterOptions = {}) {
    this.source = opts.source ?? '<ruleset>'
    this.ctx = new ResolvedContext(ctx)
    this.rng = createRng(opts.seed ?? 1)
    this.profile = opts.profile ?? IPTABLES_PACKET_PROFILE
    this.backend = opts.backend ?? 'legacy'
    this.caches = walkCachesOf(this.profile, this.backend)
    this.env = {
      decide: (p) => this.decide(p),
      dry: false,
      now: 0,
      recent: this.recent,
      isLocal: (a) => this.ctx.isLocal(a),
      ifaces: this.ifaces,
      ipsets: compileIpsets(opts.ipsets ?? new Map()),
      probe: { srcAddr: 0, dstAddr: 0, proto: 0, sport: 0, dport: 0 },
    }
    this.load(ruleset)
  }

  /**
   * Swaps in the tables of `ruleset` (those it has; others stay), as iptables-restore commits them: all are
   * compiled first, so an error changes nothing. Conntrack entries and recent lists are kept; counters come
   * from the new rules (`[p:b]`, else zero), as after a restore.
   */
  load(ruleset: Ruleset, ipsets?: Ipsets): void {
    const env = ipsets ? { ...this.env, ipsets: compileIpsets(ipsets) } : this.env
    const next = new Map(this.tables)
    for (const t of ruleset.tables) next.set(t.name, compileTable(t, env, this.source))
    if (ipsets) this.env.ipsets = env.ipsets
    this.tables = next
    const kept = this.ruleset.tables.filter((t) => !ruleset.tables.some((n) => n.name === t.name))
    this.ruleset = { tables: [...kept, ...ruleset.tables] }
  }

  /** The ruleset with live counters, as `iptables-save -c` would print it after the packets so far. */
  counters(): Ruleset {
    const tables = this.ruleset.tables.map((t) => {
      const ct = this.tables.get(t.name)!
      return {
        ...t,
        chains: t.chains.map((c) => {
          const cc = ct.chains.get(c.name)!
          return {
            ...c,
            counters: { packets: cc.packets, bytes: cc.bytes },
            rules: c.rules.map((r, k) => ({
              ...r,
              counters: { packets: cc.rules[k].packets, bytes: cc.rules[k].bytes },
            })),
          }
        }),
      }
    })
    return { tables }
  }

  /** Advances the clock (recent --seconds, limit). */
  tick(seconds: number): void {
    this.now += seconds
  }

  private decide(p: number): boolean {
    if (!this.enumerating) return this.rng.float() < p
    const k = this.taken.length
    const d = k < this.path.length ? this.path[k] : p > 0
    this.taken.push(d)
    this.takenP.push(p)
    return d
  }

  classify(packet: Packet, opts: PacketOptions = {}): NetfilterTrace {
    const src = parseIp(packet.src)
    const dst = parseIp(packet.dst)
    if (src < 0 || dst < 0)
      throw new InputError(`expected IPv4 addresses in ${packet.src} -> ${packet.dst}`, '<packet>', 1, 1)
    const steps: Step[] | null = opts.steps === false ? null : []
    if (opts.now !== undefined) this.now = opts.now
    this.env.now = this.now
    if (!opts.enumerate) {
      this.enumerating = false
      this.env.dry = false
      const pass = this.run(packet, src, dst, opts, steps) as Outcome
      pass.probability = 1
      return traceOfOutcome(pass, steps, this.profile)
    }
    // enumerate: re-run with every combination of random decisions (depth first), changing no state
    this.enumerating = true
    this.env.dry = true
    const outcomes: Outcome[] = []
    this.path = []
    try {
      for (;;) {
        this.taken = []
        this.takenP = []
        const pass = this.run(packet, src, dst, opts, outcomes.length === 0 ? steps : null)
        let probability = 1
        for (let k = 0; k < this.taken.length; k++)
          probability *= this.taken[k] ? this.takenP[k] : 1 - this.takenP[k]
        outcomes.push({ ...pass, probability })
        let j = this.taken.length - 1
        while (j >= 0 && !(this.taken[j] && this.takenP[j] < 1)) j--
        if (j < 0 || outcomes.length >= MAX_OUTCOMES) break
        this.path = this.taken.slice(0, j)
        this.path.push(false)
      }
    } finally {
      this.enumerating = false
      this.env.dry = false
    }
    return traceOfOutcomes(outcomes, steps, true, this.profile)
  }

  // state of the current pass, in fields rather than closures: classify runs millions of times
  private readonly pass: Pass = {
    nf: this,
    p: this.ps,
    steps: null,
    dry: false,
    counts: { rule: 0, match: 0, compat: 0, chain: 0, bytes: 0 },
    lastRule: null,
    lastChain: null,
  }
  private pending: CtEntry | null = null
  private verdict: Verdict = 'forward'
  private reason: string | undefined = undefined
  private local = false
  private kind: SourceKind = 'outside'
  private related = false
  private ctLookups = 0

  /** Traverses one table's chain for the current hook; false when the packet is dropped or rejected. */
  private hook(table: TableName, chain: string): boolean {
    const c = this.tables.get(table)?.chains.get(chain)
    if (!c) return true
    const code = traverse(this.pass, c, this.pending)
    if (code === 'ACCEPT') return true
    this.verdict = code === 'DROP' ? 'drop' : 'reject'
    const r = this.pass.lastRule
    this.reason = r
      ? `${code === 'DROP' ? 'dropped' : 'rejected'} by ${r.chain.where} rule ${r.number} (${r.rule.target.kind === 'REJECT' ? `REJECT --reject-with ${r.rule.target.with}` : r.rule.target.kind})`
      : `policy DROP of ${this.pass.lastChain?.where}`
    return false
  }

  /** The nat table is only consulted for the first packet of a tracked connection. */
  private natHook(chain: string): boolean {
    return this.pending !== null && !this.ps.untracked ? this.hook('nat', chain) : true
  }

  /** nf_conntrack_in: find the connection (either direction) and apply its NAT to the destination. */
  private conntrackIn(): void {
    const p = this.ps
    const steps = this.pass.steps
    if (p.untracked) {
      p.ctState = CT_UNTRACKED
      steps?.push({ where: 'conntrack', text: 'UNTRACKED (NOTRACK in raw)', outcome: 'info' })
      return
    }
    this.ctLookups++
    const hit = this.conntrack.lookup(p.proto, p.zone, p.src, p.sport, p.dst, p.dport)
    if (hit) {
      const [e, dir] = hit
      p.ct = e
      p.ctDir = dir
      p.ctmark = e.mark
      p.ctState = this.related ? CT_RELATED : dir === 1 || e.seenReply ? CT_ESTABLISHED : CT_NEW
      if (e.dnat) p.ctState |= CT_DNAT
      if (e.snat) p.ctState |= CT_SNAT
      if (dir === 1) {
        if (!this.env.dry) e.seenReply = true
        p.icmpType = 0
        p.dst = e.origSrc
        p.dport = e.origSport
      } else {
        p.dst = e.replSrc
        p.dport = e.replSport
      }
      steps?.push({
        where: 'conntrack',
        text: `${dir === 1 ? 'reply' : 'original'} direction of ${formatTuple(e)}`,
        outcome: 'hit',
        detail: p.ctState & CT_ESTABLISHED ? 'ESTABLISHED' : p.ctState & CT_RELATED ? 'RELATED' : 'NEW',
      })
    } else {
      this.pending = newEntry(p.proto, p.zone, p.src, p.sport, p.dst, p.dport)
      p.ct = this.pending
      p.ctState = this.related ? CT_RELATED : CT_NEW
      steps?.push({ where: 'conntrack', text: 'no entry: a new connection', outcome: 'miss', detail: 'NEW' })
    }
  }

  /** At POSTROUTING: a known connection's source NAT, or undoing the DNAT on a reply. */
  private conntrackOut(): void {
    const p = this.ps
    const e = p.ct
    if (!e || e === this.pending) return
    if (p.ctDir === 0 && e.snat) {
      p.src = e.replDst
      p.sport = e.replDport
    } else if (p.ctDir === 1) {
      p.src = e.origDst
      p.sport = e.origDport
    }
  }

  /** The routing decision: local delivery, a local pod's veth, or the uplink. */
  private route(): void {
    const p = this.ps
    this.local = this.ctx.isLocal(p.dst)
    p.outIf = this.local
      ? this.kind === 'host'
        ? this.ifaces.id('lo')
        : 0
      : this.ctx.isLocalPod(p.dst)
        ? this.ifaces.id(this.ctx.podInterface(formatIp(p.dst)))
        : this.hostIf
    if (this.pass.steps) {
      const out = this.ifaces.names[p.outIf]
      this.pass.steps.push({
        where: 'routing',
        text: `${formatIp(p.dst)} → ${this.local ? 'local delivery (INPUT)' : `out ${out} (FORWARD)`}`,
        outcome: 'info',
      })
    }
  }

  private get hostIf(): number {
    return this.ifaces.id(this.ctx.hostInterface)
  }

  /** One pass of the packet through the hooks; returns what happened (without probability). */
  private run(
    packet: Packet,
    src: number,
    dst: number,
    opts: PacketOptions,
    steps: Step[] | null,
  ): Omit<Outcome, 'probability'> {
    const p = this.ps
    p.proto =
      packet.protocol === 'tcp' ? 6 : packet.protocol === 'udp' ? 17 : packet.protocol === 'sctp' ? 132 : 1
    p.src = src
    p.dst = dst
    p.sport = packet.sport
    p.dport = packet.dport
    p.tcpFlags = 0
    if (packet.tcpFlags) for (const f of packet.tcpFlags) p.tcpFlags |= TCP_FLAG_BITS[f.toUpperCase()] ?? 0
    else if (p.proto === 6) p.tcpFlags = TCP_FLAG_BITS.SYN
    p.icmpType = 8
    p.icmpCode = 0
    p.length = opts.length ?? 60
    p.mark = 0
    p.ctmark = 0
    p.ctState = 0
    p.ctDir = 0
    p.ct = null
    p.untracked = false
    p.zone = 0
    const kind = opts.sourceKind ?? this.ctx.sourceKind(src)
    const pass = this.pass
    pass.steps = steps
    pass.dry = this.env.dry
    pass.counts.rule = 0
    pass.counts.match = 0
    pass.counts.compat = 0
    pass.counts.chain = 0
    pass.counts.bytes = 0
    pass.lastRule = null
    pass.lastChain = null
    this.pending = null
    this.verdict = 'forward'
    this.reason = undefined
    this.local = false
    this.kind = kind
    this.related = !!opts.related
    this.ctLookups = 0
    const origDst = dst
    const origDport = packet.dport

    let ok = true
    if (kind === 'host') {
      p.inIf = 0
      p.hook = HOOK_OUTPUT
      this.route()
      ok = this.hook('raw', 'OUTPUT')
      if (ok) this.conntrackIn()
      ok = ok && this.hook('mangle', 'OUTPUT') && this.natHook('OUTPUT')
      if (ok && p.dst !== origDst) this.route()
      ok = ok && this.hook('filter', 'OUTPUT')
      if (ok) p.hook = HOOK_POSTROUTING
      ok = ok && this.hook('mangle', 'POSTROUTING') && this.natHook('POSTROUTING')
      if (ok) this.conntrackOut()
      if (ok && this.local) {
        // looped back through lo: PREROUTING and INPUT again, the connection already known
        p.inIf = this.ifaces.id('lo')
        p.outIf = 0
        p.hook = HOOK_PREROUTING
        ok = this.hook('raw', 'PREROUTING') && this.hook('mangle', 'PREROUTING')
        if (ok) p.hook = HOOK_INPUT
        ok = ok && this.hook('mangle', 'INPUT') && this.hook('filter', 'INPUT')
        if (ok) this.verdict = 'local'
      }
    } else {
      p.inIf = opts.inInterface
        ? this.ifaces.id(opts.inInterface)
        : kind === 'pod'
          ? this.ifaces.id(this.ctx.podInterface(packet.src))
          : this.hostIf
      p.outIf = 0
      p.hook = HOOK_PREROUTING
      ok = this.hook('raw', 'PREROUTING')
      if (ok) this.conntrackIn()
      ok = ok && this.hook('mangle', 'PREROUTING') && this.natHook('PREROUTING')
      if (ok) this.route()
      if (ok && this.local) {
        p.hook = HOOK_INPUT
        p.outIf = 0
        ok = this.hook('mangle', 'INPUT') && this.hook('filter', 'INPUT') && this.natHook('INPUT')
        if (ok) this.verdict = 'local'
      } else if (ok) {
        p.hook = HOOK_FORWARD
        ok = this.hook('mangle', 'FORWARD') && this.hook('filter', 'FORWARD')
        if (ok) p.hook = HOOK_POSTROUTING
        ok = ok && this.hook('mangle', 'POSTROUTING') && this.natHook('POSTROUTING')
        if (ok) this.conntrackOut()
      }
    }
    const w = pass.counts
    const counts = walkCountsAs(
      { rules: w.rule, matches: w.match, chains: w.chain, bytes: w.bytes, compatMatches: w.compat },
      this.backend,
      this.caches,
      opts.cold === true,
    )
    counts['ct.lookup'] = this.ctLookups
    counts['ct.create'] = 0
    // set by the hooks' methods, which TypeScript does not follow
    const e = p.ct as CtEntry | null
    const pending = this.pending as CtEntry | null
    if (ok && pending !== null) {
      pending.mark = p.ctmark
      counts['ct.create'] = 1
      if (!this.env.dry) this.conntrack.insert(pending)
    } else if (ok && e && !this.env.dry) e.mark = p.ctmark
    const verdict = this.verdict
    const reason = this.reason
    const dnat = p.dst !== origDst || p.dport !== origDport ? { ip: formatIp(p.dst), port: p.dport } : null
    const rewritten = p.src !== src
    const out: Omit<Outcome, 'probability'> = {
      verdict,
      dnat,
      destination: dnat ?? { ip: packet.dst, port: p.dport },
      masquerade: rewritten && !!e && p.ctDir === 0 && e.snat,
      counts,
    }
    if (rewritten) out.snat = formatIp(p.src)
    if (verdict === 'forward') out.outInterface = this.ifaces.names[p.outIf]
    if (reason) out.reason = reason
    steps?.push({
      where: 'verdict',
      text: verdict,
      outcome: 'verdict',
      detail: [
        dnat ? `DNAT to ${dnat.ip}:${dnat.port}` : '',
        rewritten ? `source ${formatIp(p.src)}${out.masquerade ? ' (masquerade)' : ''}` : '',
        reason ?? '',
      ]
        .filter(Boolean)
        .join('; '),
    })
    return out
  }

  /** The iptables-save text of a rule, for steps (cached on the compiled rule). */
  ruleText(r: CRule): string {
    if (r.text === null) r.text = formatRule(r.chain.name, r.rule)
    return r.text
  }

  /** For traverse: the node's primary address (MASQUERADE, REDIRECT). */
  get primaryAddress(): number {
    return this.ctx.primary
  }

  chain(table: TableName, name: string): CChain | undefined {
    return this.tables.get(table)?.chains.get(name)
  }
}

function formatTuple(e: CtEntry): string {
  return `${formatIp(e.origSrc)}:${e.origSport} -> ${formatIp(e.origDst)}:${e.origDport} (reply from ${formatIp(e.replSrc)}:${e.replSport})`
}
