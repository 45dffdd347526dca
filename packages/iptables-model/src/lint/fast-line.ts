import { ADDR_TYPES, CT_STATE_NAMES } from '../codec/matches'
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
import { LineWords } from './line-words'
import { kindCode, type LintState } from './lint-state'
import { NameTable } from './name-table'

/**
 * Lint's fast path: reads the common shapes of `-A` and `:CHAIN` lines (kube-proxy's and Calico's) straight
 * from the bytes of the read buffer — words found with byte compares and hashed as they are split, option
 * and module names recognised by that hash, chain names turned into ids without decoding them — and hands
 * LintState chain ids and a target kind number, so a line allocates nothing. It accepts only what
 * `parseRuleWords` accepts: for anything it does not fully understand, or that would be an error (quotes
 * with escapes, non-ASCII, tabs, rare options, a bad value), `line` returns -1 having changed nothing, and
 * the caller hands the decoded line to the full reader, which raises the error with its line and column.
 * Whole-table refusals (undefined jump, loops, NAT hooks) are LintState's, worded as the full path's.
 * Mirrors the option checks of codec/rule-line.ts, matches.ts, targets.ts.
 */
export class FastLineReader {
  private readonly words = new LineWords(MAX_WORDS)
  private readonly ws = this.words.ws
  private readonly we = this.words.we
  private readonly hs = this.words.hs
  private readonly quoted = this.words.quoted
  private readonly matchMod = new Int32Array(MAX_WORDS)
  private readonly matchDone = new Uint8Array(MAX_WORDS)
  /** the word being read and the number of words of the current line */
  private k = 0
  private count = 0
  // built-in chains where iptables refuses -i / -o (as in rule-line.ts)
  private readonly output: number
  private readonly postrouting: number
  private readonly input: number
  private readonly prerouting: number

  constructor(
    /** the chain names, also the reader's set of declared chains */
    private readonly chains: ChainNames,
    private readonly state: LintState,
    /** `-m set` lines go to the full path when the set names are checked against ipsets */
    private readonly checkSets: boolean,
  ) {
    this.output = chains.idOf('OUTPUT')
    this.postrouting = chains.idOf('POSTROUTING')
    this.input = chains.idOf('INPUT')
    this.prerouting = chains.idOf('PREROUTING')
  }

  /**
   * Handles line `n`, which starts at `s` and ends at the next `\n` or at `e`, and returns where it ends;
   * or returns -1 having done nothing.
   */
  line(buf: Buffer, s: number, e: number, n: number): number {
    const c0 = buf[s]
    if ((c0 !== 45 /* - */ && c0 !== 58) /* : */ || !this.state.inTable) return -1
    const count = this.words.split(buf, s, e)
    if (count < 2) return -1
    const ok = c0 === 58 ? this.chainLine(buf, count, n) : this.ruleLine(buf, count, n)
    return ok ? this.words.end : -1
  }

  /** See LineWords.region. */
  region(buf: Buffer, s: number, e: number): void {
    this.words.region(buf, s, e)
  }

  /** The WORDS id of word k (-1: quoted or not one of them); `-x` and one-byte words by a table lookup. */
  private find(buf: Buffer, k: number): number {
    if (this.quoted[k]) return -1
    const s = this.ws[k]
    const len = this.we[k] - s
    if (len === 2 && buf[s] === 45) return DASH_LETTER[buf[s + 1]]
    if (len === 1) return ONE_BYTE[buf[s]]
    return WORDS.find(buf, s, this.we[k], this.hs[k])
  }

  /** `:NAME POLICY [p:b]` */
  private chainLine(buf: Buffer, count: number, n: number): boolean {
    const { ws, we, quoted } = this
    const len = we[0] - ws[0]
    if (count > 3 || quoted[0] || len < 1 || len > 28) return false
    const p = this.find(buf, 1)
    if (p !== W.DASH && p !== W.ACCEPT && p !== W.DROP) return false
    if (count === 3) {
      const s = ws[2]
      const e = we[2]
      if (quoted[2] || buf[s] !== 91 || buf[e - 1] !== 93) return false
      let colon = s + 1
      while (colon < e && buf[colon] !== 58) colon++
      if (uintAt(buf, s + 1, colon) < 0 || uintAt(buf, colon + 1, e - 1) < 0) return false
    }
    const id = this.chains.id(buf, ws[0], we[0], this.hs[0])
    if (this.chains.isDeclared(id)) return false
    if (this.state.isBuiltin(id) ? p === W.DASH : p !== W.DASH) return false
    this.state.declare(id, n)
    this.chains.declare(id)
    return true
  }

  /** `-A CHAIN rule…` */
  private ruleLine(buf: Buffer, count: number, n: number): boolean {
    const { ws, we, quoted, matchMod, matchDone } = this
    if (quoted[1] || this.find(buf, 0) !== W.A) return false
    const chain = this.chains.appendedTo(buf, ws[1], we[1], this.hs[1])
    let invert = false
    let conditional = false
    let src = false
    let dst = false
    let protoSeen = false
    /** the -p module id when not negated, else 0 (what a match's finish check sees) */
    let proto = 0
    let matches = 0
    /** the target's word (W.ACCEPT, W.MARK, …; JUMP for a jump or goto), its kind number and chain */
    let target = -1
    let code = NO_TARGET
    let to = -1
    let markSet = false
    let natTo = false
    let natPort = false
    this.count = count
    this.k = 2
    while (this.k < count) {
      const k = this.k++
      const w = this.find(buf, k)
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
          const refused =
            w === W.I
              ? chain === this.output || chain === this.postrouting
              : chain === this.input || chain === this.prerouting
          if (refused && this.state.isBuiltin(chain)) return false
          const v = this.value(buf)
          if (v < 0 || we[v] - ws[v] > 15) return false
          conditional = true
          break
        }
        case W.P: {
          const v = this.value(buf)
          if (protoSeen || v < 0) return false
          const p = this.find(buf, v)
          if (p !== W.TCP && p !== W.UDP && p !== W.SCTP && p !== W.ICMP) return false
          protoSeen = true
          proto = invert ? 0 : p
          conditional = true
          break
        }
        case W.M: {
          const v = this.value(buf)
          if (invert || v < 0) return false
          const m = this.find(buf, v)
          if (m < 0 || !MODULE[m] || (m === W.SET && this.checkSets)) return false
          matchMod[matches] = m
          matchDone[matches++] = 0
          if (m !== W.COMMENT) conditional = true
          break
        }
        case W.J:
        case W.G: {
          const v = this.value(buf)
          if (invert || target >= 0 || v < 0) return false
          // a word longer than every target the fast path reads is a chain: no probe
          const t = w === W.J && we[v] - ws[v] <= LONGEST_VERDICT ? this.find(buf, v) : -1
          if (t >= 0 && VERDICT[t] >= 0) {
            target = t
            code = VERDICT[t]
          } else {
            to = this.chains.jumpedTo(buf, ws[v], we[v], this.hs[v])
            if (w === W.J && this.chains.isTargetName(to)) return false
            target = JUMP
            code = w === W.J ? JUMP_CODE : GOTO_CODE
          }
          break
        }
        default: {
          if (w < 0) return false
          if (target >= 0) {
            // iptables refuses `!` before a target option; match options take it (or ignore it)
            if (invert) return false
            if (target === W.MARK && w === W.SET_XMARK && !markSet) {
              const v = this.value(buf)
              if (v < 0 || !valueMaskAt(buf, ws[v], we[v])) return false
              markSet = true
            } else if ((target === W.DNAT && w === W.TO_DEST) || (target === W.SNAT && w === W.TO_SRC)) {
              const v = this.value(buf)
              if (natTo || v < 0) return false
              const r = natAt(buf, ws[v], we[v])
              if (r < 0) return false
              natTo = true
              natPort = r === 1
            } else if (
              !(
                ((target === W.DNAT || target === W.SNAT) && (w === W.RANDOM_OPT || w === W.PERSISTENT)) ||
                ((target === W.DNAT || target === W.SNAT || target === W.MASQUERADE) &&
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
    if (target === W.MARK && !markSet) return false
    if ((target === W.DNAT || target === W.SNAT) && !natTo) return false
    if (natPort && !(proto === W.TCP || proto === W.UDP || proto === W.SCTP)) return false
    this.state.append(chain, code, to, n, conditional)
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
          return v >= 0 && this.find(buf, v) === W.RANDOM
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
const NO_TARGET = kindCode('none')
const JUMP_CODE = kindCode('jump')
const GOTO_CODE = kindCode('goto')

// sparse (a quarter full or less): a word that is not an option or module name, such as a chain name after -j,
// is known absent after one or two probes
const WORDS = new NameTable(256)
const lit = (s: string): number => WORDS.idOf(s)
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
/** the targets the fast path reads (by word), as LintState numbers their kinds; -1: not one of them */
const VERDICT = new Int32Array(WORDS.size).fill(-1)
const VERDICT_NAMES = ['ACCEPT', 'DROP', 'RETURN', 'MARK', 'DNAT', 'SNAT', 'MASQUERADE'] as const
for (const t of VERDICT_NAMES) VERDICT[lit(t)] = kindCode(t)
const LONGEST_VERDICT = Math.max(...VERDICT_NAMES.map((t) => t.length))
/** stands for "a jump or goto" where a target word is expected */
const JUMP = WORDS.size
/** WORDS ids of the two-byte words `-x` by x, and of the one-byte words, so the commonest words need no probe */
const DASH_LETTER = new Int32Array(256).fill(-1)
const ONE_BYTE = new Int32Array(256).fill(-1)
for (let id = 0; id < WORDS.size; id++) {
  const w = WORDS.name(id)
  if (w.length === 2 && w[0] === '-') DASH_LETTER[w.charCodeAt(1)] = id
  if (w.length === 1) ONE_BYTE[w.charCodeAt(0)] = id
}
