import {
  addrEnd,
  listAt,
  natEnd,
  portListAt,
  portRangeEnd,
  probabilityEnd,
  valueMaskEnd,
} from './byte-values'
import type { ChainNames } from './chain-names'
import { DeclarationReader } from './declarations'
import { ADDR_TYPE, CT_STATE, JUMP, knownAt, MODULE, SET_FLAG, VERDICT, W, WORDS } from './fast-words'
import { LineCursor } from './line-cursor'
import { kindCode, type LintState } from './lint-state'
import { PHRASE, PHRASE_MODULE, phraseAt } from './phrases'

/**
 * Lint's fast path: reads the common shapes of `-A` and `:CHAIN` lines (kube-proxy's and Calico's; the
 * latter in lint/declarations.ts) straight from the bytes of the read buffer — each word found by a cursor
 * where the reader needs it (no split pass recording every word), option and module names known by their
 * first block and one compare (kube-proxy's commonest matches as whole phrases, lint/phrases.ts), values
 * checked in place as their ends are found, chain names turned into ids without decoding them (a predicted
 * one by one compare) — and hands
 * LintState chain ids and a target kind number, so a line allocates nothing. It accepts only what
 * `parseRuleWords` accepts: for anything it does not fully understand, or that would be an error (quotes
 * with escapes, non-ASCII, tabs, rare options, a bad value), `line` returns -1 having changed nothing, and
 * the caller hands the decoded line to the full reader, which raises the error with its line and column.
 * Whole-table refusals (undefined jump, loops, NAT hooks) are LintState's, worded as the full path's.
 * Mirrors the option checks of codec/rule-line.ts, matches.ts, targets.ts.
 */
export class FastLineReader {
  private readonly cur = new LineCursor()
  private readonly matchMod = new Int32Array(MAX_MATCHES)
  private readonly matchDone = new Uint8Array(MAX_MATCHES)
  private readonly decls: DeclarationReader
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
    this.decls = new DeclarationReader(this.cur, chains, state)
  }

  /**
   * Handles line `n`, which starts at `s` and ends at the next `\n` or at the end of the region, and returns
   * where it ends; or returns -1 having done nothing.
   */
  line(buf: Buffer, s: number, n: number): number {
    const c0 = buf[s]
    if ((c0 !== 45 /* - */ && c0 !== 58) /* : */ || !this.state.inTable) return -1
    this.cur.i = s
    const ok = c0 === 58 ? this.decls.line(buf, s, n) : this.ruleLine(buf, n)
    return ok ? this.cur.i : -1
  }

  /** The bytes [s, e) of `buf` whose lines come next (see LineCursor.region). */
  region(buf: Buffer, s: number, e: number): void {
    this.cur.region(buf, s, e)
    this.decls.region(s)
  }

  /** `-A CHAIN rule…` */
  private ruleLine(buf: Buffer, n: number): boolean {
    const { cur, matchMod, matchDone } = this
    if (knownAt(cur) !== W.A || !cur.atWord()) return false
    const chain = this.chains.appendedTo(cur)
    if (chain < 0) return false
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
    for (;;) {
      if (!cur.atWord()) break
      // kube-proxy's commonest match or target and its option, read as one phrase (the same as word by word below)
      const ph = invert || target >= 0 ? -1 : phraseAt(cur)
      if (ph === PHRASE.DNAT_TO) {
        target = W.DNAT
        code = VERDICT[W.DNAT]
        if (!cur.atWord()) return false
        const r = natEnd(buf, cur.i, cur.e)
        if (!this.took(Math.floor(r / 2))) return false
        natTo = true
        natPort = r % 2 === 1
        continue
      }
      if (ph >= 0) {
        if (matches === MAX_MATCHES) return false
        matchMod[matches] = PHRASE_MODULE[ph]
        matchDone[matches++] = ph === PHRASE.STATISTIC ? 1 : 0
        if (ph === PHRASE.COMMENT) {
          if (!this.value(true) || cur.t - cur.s > 255) return false
          continue
        }
        conditional = true
        if (!cur.atWord()) return false
        const end =
          ph === PHRASE.STATISTIC ? probabilityEnd(buf, cur.i, cur.e) : portRangeEnd(buf, cur.i, cur.e)
        if (!this.took(end)) return false
        continue
      }
      // every word here is an option or `!`: one the fast path does not know goes to the full reader
      const w = knownAt(cur)
      if (w === W.BANG) {
        if (invert) return false
        invert = true
        continue
      }
      switch (w) {
        case W.S:
        case W.D: {
          if (w === W.S ? src : dst) return false
          if (!cur.atWord() || !this.took(addrEnd(buf, cur.i, cur.e))) return false
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
          if (!this.value() || cur.t - cur.s > 15) return false
          conditional = true
          break
        }
        case W.P: {
          if (protoSeen || !cur.atWord()) return false
          const p = knownAt(cur)
          if (p !== W.TCP && p !== W.UDP && p !== W.SCTP && p !== W.ICMP) return false
          protoSeen = true
          proto = invert ? 0 : p
          conditional = true
          break
        }
        case W.M: {
          if (invert || matches === MAX_MATCHES || !cur.atWord()) return false
          const m = knownAt(cur)
          if (m < 0 || !MODULE[m] || (m === W.SET && this.checkSets)) return false
          matchMod[matches] = m
          matchDone[matches++] = 0
          if (m !== W.COMMENT) conditional = true
          break
        }
        case W.J:
        case W.G: {
          if (invert || target >= 0 || !cur.atWord()) return false
          // a chain predicted from the last jump is known by one compare; a target name never is one (-g
          // to it is a goto to a chain of that name, -j to it is that target: left to the word lookup)
          let t = this.chains.jumpPredicted(cur)
          if (t >= 0 && cur.isByte(33)) return false
          if (t >= 0 && (w === W.G || !this.chains.isTargetName(t))) {
            to = t
            target = JUMP
            code = w === W.J ? JUMP_CODE : GOTO_CODE
            break
          }
          // not predicted: one of the targets the fast path reads, or a chain (or a known word, used as one)
          if (t < 0) t = w === W.J ? knownAt(cur) : -1
          if (t === W.BANG || (t < 0 && !this.value())) return false
          if (t >= 0 && VERDICT[t] >= 0) {
            target = t
            code = VERDICT[t]
          } else {
            to = this.chains.jumpedTo(cur)
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
              if (!cur.atWord() || !this.took(valueMaskEnd(buf, cur.i, cur.e))) return false
              markSet = true
            } else if ((target === W.DNAT && w === W.TO_DEST) || (target === W.SNAT && w === W.TO_SRC)) {
              if (natTo || !cur.atWord()) return false
              const r = natEnd(buf, cur.i, cur.e)
              if (!this.took(Math.floor(r / 2))) return false
              natTo = true
              natPort = r % 2 === 1
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
    const cur = this.cur
    switch (m) {
      case W.COMMENT:
        // a comment may be quoted (the only value the fast path takes quoted)
        return w === W.COMMENT_OPT && this.value(true) && cur.t - cur.s <= 255
      case W.TCP:
      case W.UDP:
        return (w === W.DPORT || w === W.SPORT) && cur.atWord() && this.took(portRangeEnd(buf, cur.i, cur.e))
      case W.MARK_M:
        return w === W.MARK_OPT && cur.atWord() && this.took(valueMaskEnd(buf, cur.i, cur.e))
      case W.STATISTIC:
        if (w === W.MODE) return cur.atWord() && knownAt(cur) === W.RANDOM
        if (w !== W.PROBABILITY || !cur.atWord() || !this.took(probabilityEnd(buf, cur.i, cur.e)))
          return false
        this.matchDone[q] = 1
        return true
      case W.CONNTRACK:
        return w === W.CTSTATE && this.value() && listAt(buf, cur.s, cur.t, WORDS, CT_STATE, 99)
      case W.ADDRTYPE:
        if (w === W.LIMIT_IN || w === W.LIMIT_OUT) return true
        if (w !== W.SRC_TYPE && w !== W.DST_TYPE) return false
        return this.value() && listAt(buf, cur.s, cur.t, WORDS, ADDR_TYPE, 99)
      case W.SET:
        // the set's name, then its flags
        if (w !== W.MATCH_SET || !this.value() || !this.value()) return false
        if (!listAt(buf, cur.s, cur.t, WORDS, SET_FLAG, 6)) return false
        this.matchDone[q] = 1
        return true
      case W.MULTIPORT:
        if (w !== W.DPORTS && w !== W.SPORTS && w !== W.PORTS) return false
        if (!this.value() || !portListAt(buf, cur.s, cur.t)) return false
        this.matchDone[q] = 1
        return true
      default:
        return false
    }
  }

  /** A fused value reader's answer: the cursor moves past the value it read, or false when it read none. */
  private took(end: number): boolean {
    if (end < 0) return false
    this.cur.i = end
    return true
  }

  /**
   * Reads the value word of the option just read: false when missing or `!` (Args.value refuses both), or
   * quoted where only a comment may be.
   */
  private value(quotedOk = false): boolean {
    const cur = this.cur
    if (cur.next() !== 1 || (cur.quoted && !quotedOk)) return false
    return !(cur.t - cur.s === 1 && cur.buf[cur.s] === 33)
  }
}

const MAX_MATCHES = 48
const NO_TARGET = kindCode('none')
const JUMP_CODE = kindCode('jump')
const GOTO_CODE = kindCode('goto')
