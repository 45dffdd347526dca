import { isAscii } from 'node:buffer'
import { ADDR_TYPES, CT_STATE_NAMES } from '../codec/matches'
import type { RestoreReader, RestoreSink } from '../codec/restore-reader'
import type { Match, Rule, Target } from '../ruleset/types'
import {
  addrAt,
  listAt,
  natAt,
  portListAt,
  portRangeAt,
  probabilityAt,
  uintAt,
  valueMaskAt,
} from './byte-values'
import type { ChainNames } from './chain-names'
import { NameTable } from './name-table'

/**
 * Lint's fast path: reads the common shapes of `-A` and `:CHAIN` lines (kube-proxy's and Calico's) straight
 * from the bytes of the read buffer — words found with byte compares, option and module names recognised by
 * a hash of the slice, chain names decoded once per dump — and feeds the same RestoreSink the full reader
 * feeds, so every whole-table check (undefined jump, chain defined twice, loops, NAT hooks, findings) is the
 * same code. It accepts only what `parseRuleWords` accepts: for anything it does not fully understand, or
 * that would be an error (quotes with escapes, non-ASCII, tabs, rare options, a bad value), `line` returns
 * false having changed nothing, and the caller hands the decoded line to the full reader, which raises the
 * error with its line and column. Mirrors the option checks of codec/rule-line.ts, matches.ts, targets.ts.
 */
export class FastLineReader {
  private readonly ws = new Int32Array(MAX_WORDS)
  private readonly we = new Int32Array(MAX_WORDS)
  private readonly quoted = new Uint8Array(MAX_WORDS)
  private readonly matchMod = new Int32Array(MAX_WORDS)
  private readonly matchDone = new Uint8Array(MAX_WORDS)
  /** the word being read and the number of words of the current line */
  private k = 0
  private count = 0

  constructor(
    /** the chain names, also the reader's set of declared chains */
    private readonly chains: ChainNames,
    private readonly reader: RestoreReader,
    private readonly sink: RestoreSink,
    /** `-m set` lines go to the full path when the set names are checked against ipsets */
    private readonly checkSets: boolean,
  ) {}

  /** Handles line `n` at bytes [s, e) of `buf` and returns true, or returns false having done nothing. */
  line(buf: Buffer, s: number, e: number, n: number): boolean {
    const c0 = buf[s]
    if (c0 !== 45 /* - */ && c0 !== 58 /* : */) return false
    if (this.reader.currentTable === null) return false
    const count = this.split(buf, s, e)
    if (count < 2) return false
    return c0 === 58 ? this.chainLine(buf, count, n) : this.ruleLine(buf, count, n)
  }

  /**
   * Tells the reader about the bytes [s, e) whose lines come next: when they are all ASCII without a tab,
   * a carriage return or a backslash (any dump iptables-save wrote without odd comments), the word splitter
   * looks only for spaces and quotes.
   */
  region(buf: Buffer, s: number, e: number): void {
    const none = (c: number): boolean => {
      const at = buf.indexOf(c, s)
      return at < 0 || at >= e
    }
    this.plain = isAscii(buf.subarray(s, e)) && none(9) && none(13) && none(92)
  }
  private plain = false

  /** Words separated by spaces; -1 when the line needs the full tokenizer. */
  private split(buf: Buffer, s: number, e: number): number {
    const { ws, we, quoted } = this
    const plain = this.plain
    let n = 0
    let i = s
    while (i < e) {
      let c = buf[i]
      if (c === 32) {
        i++
        continue
      }
      if (n === MAX_WORDS) return -1
      if (c === 34) {
        const st = i + 1
        let j = st
        if (plain) while (j < e && buf[j] !== 34) j++
        else
          for (; j < e; j++) {
            c = buf[j]
            if (c === 34) break
            if (c === 92 || c < 32 || c > 126) return -1
          }
        if (j >= e || (j + 1 < e && buf[j + 1] !== 32)) return -1
        ws[n] = st
        we[n] = j
        quoted[n++] = 1
        i = j + 1
        continue
      }
      const st = i
      if (plain) {
        while (i < e && (c = buf[i]) !== 32 && c !== 34) i++
        if (i < e && c === 34) return -1
      } else
        for (; i < e; i++) {
          c = buf[i]
          if (c === 32) break
          if (c < 33 || c > 126 || c === 34 || c === 92) return -1
        }
      ws[n] = st
      we[n] = i
      quoted[n++] = 0
    }
    return n
  }

  /** `:NAME POLICY [p:b]` */
  private chainLine(buf: Buffer, count: number, n: number): boolean {
    const { ws, we, quoted } = this
    if (count > 3 || quoted[0] || quoted[1] || we[0] - ws[0] < 2) return false
    const p = WORDS.find(buf, ws[1], we[1])
    const policy = p === W.DASH ? '-' : p === W.ACCEPT ? 'ACCEPT' : p === W.DROP ? 'DROP' : null
    if (policy === null) return false
    let packets = 0
    let bytes = 0
    if (count === 3) {
      const s = ws[2]
      const e = we[2]
      if (quoted[2] || buf[s] !== 91 || buf[e - 1] !== 93) return false
      let colon = s + 1
      while (colon < e && buf[colon] !== 58) colon++
      packets = uintAt(buf, s + 1, colon)
      bytes = uintAt(buf, colon + 1, e - 1)
      if (packets < 0 || bytes < 0) return false
    }
    const id = this.chains.id(buf, ws[0] + 1, we[0])
    if (this.chains.isDeclared(id)) return false
    if (!this.reader.declareChecked(this.chains.name(id), policy, { packets, bytes }, n)) return false
    this.chains.declare(id)
    return true
  }

  /** `-A CHAIN rule…` */
  private ruleLine(buf: Buffer, count: number, n: number): boolean {
    const { ws, we, quoted, matchMod, matchDone } = this
    if (quoted[0] || quoted[1] || WORDS.find(buf, ws[0], we[0]) !== W.A) return false
    const chain = this.chains.name(this.chains.id(buf, ws[1], we[1]))
    const builtin = this.reader.isBuiltin(chain)
    let invert = false
    let conditional = false
    let src = false
    let dst = false
    let protoSeen = false
    /** the -p module id when not negated, else 0 (what a match's finish check sees) */
    let proto = 0
    let matches = 0
    let target: Target | null = null
    let markSet = false
    let natTo = false
    let natPort = false
    this.count = count
    this.k = 2
    while (this.k < count) {
      const k = this.k++
      const w = quoted[k] ? -1 : WORDS.find(buf, ws[k], we[k])
      if (w === W.BANG) {
        if (invert) return false
        invert = true
        continue
      }
      switch (w) {
        case W.S:
        case W.D: {
          if (w === W.S ? src : dst) return false
          const v = this.value(buf)
          if (v < 0 || !addrAt(buf, ws[v], we[v])) return false
          if (w === W.S) src = true
          else dst = true
          conditional = true
          break
        }
        case W.I:
        case W.O: {
          if (builtin && (w === W.I ? NO_IN : NO_OUT).includes(chain)) return false
          const v = this.value(buf)
          if (v < 0 || we[v] - ws[v] > 15) return false
          conditional = true
          break
        }
        case W.P: {
          const v = this.value(buf)
          if (protoSeen || v < 0) return false
          const p = WORDS.find(buf, ws[v], we[v])
          if (p !== W.TCP && p !== W.UDP && p !== W.SCTP && p !== W.ICMP) return false
          protoSeen = true
          proto = invert ? 0 : p
          conditional = true
          break
        }
        case W.M: {
          const v = this.value(buf)
          if (invert || v < 0) return false
          const m = WORDS.find(buf, ws[v], we[v])
          if (m < 0 || !MODULE[m] || (m === W.SET && this.checkSets)) return false
          matchMod[matches] = m
          matchDone[matches++] = 0
          if (m !== W.COMMENT) conditional = true
          break
        }
        case W.J:
        case W.G: {
          const v = this.value(buf)
          if (invert || target || v < 0) return false
          if (w === W.G) target = { kind: 'goto', chain: this.chains.name(this.chains.id(buf, ws[v], we[v])) }
          else {
            const t = WORDS.find(buf, ws[v], we[v])
            const verdict = t >= 0 ? VERDICT[t] : undefined
            if (verdict) target = verdict
            else {
              const id = this.chains.id(buf, ws[v], we[v])
              if (this.chains.isTargetName(id)) return false
              target = { kind: 'jump', chain: this.chains.name(id) }
            }
          }
          break
        }
        default: {
          if (w < 0) return false
          if (target) {
            // iptables refuses `!` before a target option; match options take it (or ignore it)
            if (invert) return false
            const kind = target.kind
            if (kind === 'MARK' && w === W.SET_XMARK && !markSet) {
              const v = this.value(buf)
              if (v < 0 || !valueMaskAt(buf, ws[v], we[v])) return false
              markSet = true
            } else if ((kind === 'DNAT' && w === W.TO_DEST) || (kind === 'SNAT' && w === W.TO_SRC)) {
              const v = this.value(buf)
              if (natTo || v < 0) return false
              const r = natAt(buf, ws[v], we[v])
              if (r < 0) return false
              natTo = true
              natPort = r === 1
            } else if (
              !(
                ((kind === 'DNAT' || kind === 'SNAT') && (w === W.RANDOM_OPT || w === W.PERSISTENT)) ||
                ((kind === 'DNAT' || kind === 'SNAT' || kind === 'MASQUERADE') &&
                  (w === W.RANDOM_FULLY || w === W.RANDOM_OPT))
              )
            )
              return false
            break
          }
          if (matches === 0 || !this.matchOption(buf, w, matches - 1)) return false
        }
      }
      invert = false
    }
    if (invert) return false
    for (let q = 0; q < matches; q++) {
      const m = matchMod[q]
      if ((m === W.TCP || m === W.UDP) && proto !== m) return false
      if (m === W.MULTIPORT && (!matchDone[q] || !(proto === W.TCP || proto === W.UDP || proto === W.SCTP)))
        return false
      if ((m === W.STATISTIC || m === W.SET) && !matchDone[q]) return false
    }
    if (target) {
      if (target.kind === 'MARK' && !markSet) return false
      if ((target.kind === 'DNAT' || target.kind === 'SNAT') && !natTo) return false
      if (natPort && !(proto === W.TCP || proto === W.UDP || proto === W.SCTP)) return false
    }
    // lint keeps no rules (its builder does not retain them): the rule carries only what TableState reads —
    // the target, the line, and whether anything conditions it (for the unreachable-rules finding)
    const rule: Rule = { matches: conditional ? CONDITIONED : NONE, target: target ?? NO_TARGET, line: n }
    this.sink.op({ op: 'append', chain, rule })
    return true
  }

  /** Option word `w` of the current match (index q); false when the full parser must judge it. */
  private matchOption(buf: Buffer, w: number, q: number): boolean {
    const m = this.matchMod[q]
    const { ws, we } = this
    let v = -1
    switch (m) {
      case W.COMMENT:
        if (w !== W.COMMENT_OPT) return false
        // a comment may be quoted (the only value the fast path takes quoted)
        v = this.value(buf, true)
        return v >= 0 && we[v] - ws[v] <= 255
      case W.TCP:
      case W.UDP:
        if (w !== W.DPORT && w !== W.SPORT) return false
        v = this.value(buf)
        return v >= 0 && portRangeAt(buf, ws[v], we[v])
      case W.MARK_M:
        if (w !== W.MARK_OPT) return false
        v = this.value(buf)
        return v >= 0 && valueMaskAt(buf, ws[v], we[v])
      case W.STATISTIC:
        if (w === W.MODE) {
          v = this.value(buf)
          return v >= 0 && WORDS.find(buf, ws[v], we[v]) === W.RANDOM
        }
        if (w !== W.PROBABILITY) return false
        v = this.value(buf)
        if (v < 0 || !probabilityAt(buf, ws[v], we[v])) return false
        this.matchDone[q] = 1
        return true
      case W.CONNTRACK:
        if (w !== W.CTSTATE) return false
        v = this.value(buf)
        return v >= 0 && listAt(buf, ws[v], we[v], WORDS, CT_STATE, 99)
      case W.ADDRTYPE:
        if (w === W.LIMIT_IN || w === W.LIMIT_OUT) return true
        if (w !== W.SRC_TYPE && w !== W.DST_TYPE) return false
        v = this.value(buf)
        return v >= 0 && listAt(buf, ws[v], we[v], WORDS, ADDR_TYPE, 99)
      case W.SET: {
        if (w !== W.MATCH_SET) return false
        v = this.value(buf)
        const f = this.value(buf)
        if (v < 0 || f < 0 || !listAt(buf, ws[f], we[f], WORDS, SET_FLAG, 6)) return false
        this.matchDone[q] = 1
        return true
      }
      case W.MULTIPORT: {
        if (w !== W.DPORTS && w !== W.SPORTS && w !== W.PORTS) return false
        v = this.value(buf)
        if (v < 0 || !portListAt(buf, ws[v], we[v])) return false
        this.matchDone[q] = 1
        return true
      }
      default:
        return false
    }
  }

  /**
   * The value word of the option just read (its index), or -1 when missing or `!` (Args.value refuses both)
   * or quoted where only a comment may be.
   */
  private value(buf: Buffer, quotedOk = false): number {
    const k = this.k
    if (
      k >= this.count ||
      (this.quoted[k] && !quotedOk) ||
      (this.we[k] - this.ws[k] === 1 && buf[this.ws[k]] === 33)
    )
      return -1
    this.k++
    return k
  }
}

const MAX_WORDS = 96
/** Chains where iptables refuses -i / -o (as in rule-line.ts) */
const NO_IN = ['OUTPUT', 'POSTROUTING']
const NO_OUT = ['INPUT', 'PREROUTING']
const CONDITION: Match = { module: 'mark', value: 0, mask: 0, invert: false }
/** stands for "the rule has conditions": lint keeps no matches, only whether there are any */
const CONDITIONED: Match[] = [CONDITION]
const NONE: Match[] = []
const NO_TARGET: Target = { kind: 'none' }

const WORDS = new NameTable(10)
const lit = (s: string): number => WORDS.literal(s)
const W = {
  A: lit('-A'),
  BANG: lit('!'),
  DASH: lit('-'),
  S: lit('-s'),
  D: lit('-d'),
  I: lit('-i'),
  O: lit('-o'),
  P: lit('-p'),
  M: lit('-m'),
  J: lit('-j'),
  G: lit('-g'),
  COMMENT_OPT: lit('--comment'),
  DPORT: lit('--dport'),
  SPORT: lit('--sport'),
  MARK_OPT: lit('--mark'),
  MODE: lit('--mode'),
  PROBABILITY: lit('--probability'),
  CTSTATE: lit('--ctstate'),
  SRC_TYPE: lit('--src-type'),
  DST_TYPE: lit('--dst-type'),
  LIMIT_IN: lit('--limit-iface-in'),
  LIMIT_OUT: lit('--limit-iface-out'),
  MATCH_SET: lit('--match-set'),
  DPORTS: lit('--dports'),
  SPORTS: lit('--sports'),
  PORTS: lit('--ports'),
  SET_XMARK: lit('--set-xmark'),
  TO_DEST: lit('--to-destination'),
  TO_SRC: lit('--to-source'),
  RANDOM_OPT: lit('--random'),
  RANDOM_FULLY: lit('--random-fully'),
  PERSISTENT: lit('--persistent'),
  COMMENT: lit('comment'),
  TCP: lit('tcp'),
  UDP: lit('udp'),
  SCTP: lit('sctp'),
  ICMP: lit('icmp'),
  MARK_M: lit('mark'),
  STATISTIC: lit('statistic'),
  CONNTRACK: lit('conntrack'),
  ADDRTYPE: lit('addrtype'),
  SET: lit('set'),
  MULTIPORT: lit('multiport'),
  RANDOM: lit('random'),
  ACCEPT: lit('ACCEPT'),
  DROP: lit('DROP'),
  RETURN: lit('RETURN'),
  MARK: lit('MARK'),
  DNAT: lit('DNAT'),
  SNAT: lit('SNAT'),
  MASQUERADE: lit('MASQUERADE'),
  SRC: lit('src'),
  DST: lit('dst'),
}
const flags = (ids: number[]): Uint8Array => {
  const f = new Uint8Array(WORDS.size + 64)
  for (const id of ids) f[id] = 1
  return f
}
// libxt_conntrack's state names and the rtn_type names of libxt_addrtype, upper case (the full parser also
// takes lower case, which goes to it)
const CT_STATE = flags(CT_STATE_NAMES.map(([n]) => lit(n)))
const ADDR_TYPE = flags(ADDR_TYPES.map(([n]) => lit(n)))
const SET_FLAG = flags([W.SRC, W.DST])
const MODULE = flags([
  W.COMMENT,
  W.TCP,
  W.UDP,
  W.MARK_M,
  W.STATISTIC,
  W.CONNTRACK,
  W.ADDRTYPE,
  W.SET,
  W.MULTIPORT,
])
/** targets the fast path reads, as TableState sees them (kind only; lint keeps no rules) */
const VERDICT: Array<Target | undefined> = []
VERDICT[W.ACCEPT] = { kind: 'ACCEPT' }
VERDICT[W.DROP] = { kind: 'DROP' }
VERDICT[W.RETURN] = { kind: 'RETURN' }
VERDICT[W.MARK] = { kind: 'MARK', value: 0, mask: -1 }
VERDICT[W.DNAT] = { kind: 'DNAT', to: null, random: false, persistent: false, fully: false }
VERDICT[W.SNAT] = { kind: 'SNAT', to: null, random: false, persistent: false, fully: false }
VERDICT[W.MASQUERADE] = { kind: 'MASQUERADE', random: false, fully: false }
