import type { Step } from '@dataplane-sim/cluster'
import { hex } from '../codec/values'
import type { Target } from '../ruleset/types'
import { CT_UNTRACKED } from '../ruleset/types'
import {
  type CChain,
  type CRule,
  F_DST_INV,
  F_MORE,
  F_PROTO_INV,
  F_SRC_INV,
  HDR,
  T_ACCEPT,
  T_CONNMARK,
  T_CT,
  T_DNAT,
  T_DROP,
  T_GOTO,
  T_JUMP,
  T_MARK,
  T_MASQUERADE,
  T_NOTRACK,
  T_REDIRECT,
  T_REJECT,
  T_RETURN,
  T_SNAT,
} from './compile'
import type { CtEntry } from './conntrack'
import type { Netfilter } from './netfilter'
import { HOOK_OUTPUT, type PacketState } from './packet-state'

/** State of one pass of a packet through the hooks, shared by the traversals of each table. */
export interface Pass {
  nf: Netfilter
  p: PacketState
  steps: Step[] | null
  /** enumerate mode: no counters */
  dry: boolean
  /**
   * rules evaluated, extension matches called (and of those, the ones iptables-nft calls through
   * nft_compat), chains entered, bytes of rule entries walked
   */
  counts: { rule: number; match: number; compat: number; chain: number; bytes: number }
  /** the rule whose verdict ended the last traversal (null: a policy) */
  lastRule: CRule | null
  lastChain: CChain | null
}

// the jump stack, preallocated (the kernel's is per-cpu and as deep as the longest jump chain)
const MAX_DEPTH = 1024
const stackChain: CChain[] = new Array(MAX_DEPTH)
const stackIndex = new Int32Array(MAX_DEPTH)

/** -i, -o and the extension matches of a rule whose ip header already matched. */
function matchesMore(r: CRule, p: PacketState, pass: Pass): boolean {
  if (r.inIf !== null && !r.inIf.test(p.inIf)) return false
  if (r.outIf !== null && !r.outIf.test(p.outIf)) return false
  const preds = r.preds
  for (let k = 0; k < preds.length; k++) {
    pass.counts.match++
    pass.counts.compat += r.compat[k]
    if (!preds[k](p)) return false
  }
  return true
}

/**
 * Walks a built-in chain and what it jumps to, as ipt_do_table (net/ipv4/netfilter/ip_tables.c) does: rules
 * in order, a jump pushes the return point, a goto does not, RETURN or the end of a user chain pops, the end
 * of the built-in chain applies its policy. Non-terminating targets (MARK, CONNMARK, CT, LOG, ...) continue
 * with the next rule; the NAT targets bind the connection's translation and accept.
 */
export function traverse(pass: Pass, start: CChain, pending: CtEntry | null): 'ACCEPT' | 'DROP' | 'REJECT' {
  const p = pass.p
  const steps = pass.steps
  const counts = pass.counts
  let chain = start
  let rules = chain.rules
  let i = 0
  // addresses do not change inside one traversal (the NAT targets end it)
  const src = p.src | 0
  const dst = p.dst | 0
  // the hot loop reads the header words of `chain`, which changes on jump/goto/return
  let depth = 0
  // counted in locals and added on the way out: fewer stores per rule
  let nRule = 0
  let nBytes = 0
  counts.chain++
  pass.lastRule = null
  pass.lastChain = start
  for (;;) {
    if (i >= rules.length) {
      // fell off the end: a user chain returns, a built-in chain applies its policy
      if (depth > 0) {
        depth--
        chain = stackChain[depth]
        rules = chain.rules
        i = stackIndex[depth]
        continue
      }
      return counted(counts, nRule, nBytes, policy(pass, start))
    }
    nRule++
    nBytes += chain.entryBytes[i]
    // ip_packet_match on the int32 header words (addresses compare as int32: `x | 0` on both sides)
    const h = chain.hdr
    const o = i * HDR
    const f = h[o + 5]
    const pr = h[o + 4]
    if (
      ((src & h[o + 1]) === h[o]) === ((f & F_SRC_INV) !== 0) ||
      ((dst & h[o + 3]) === h[o + 2]) === ((f & F_DST_INV) !== 0) ||
      (pr >= 0 && (p.proto === pr) === ((f & F_PROTO_INV) !== 0)) ||
      ((f & F_MORE) !== 0 && !matchesMore(rules[i], p, pass))
    ) {
      if (steps) {
        const r = rules[i]
        steps.push({ where: chain.where, index: r.number, text: pass.nf.ruleText(r), outcome: 'no-match' })
      }
      i++
      continue
    }
    const r = rules[i]
    if (!pass.dry) {
      r.packets++
      r.bytes += p.length
    }
    if (steps)
      steps.push({
        where: chain.where,
        index: r.number,
        text: pass.nf.ruleText(r),
        outcome: 'match',
        detail: describe(r.rule.target),
      })
    switch (r.target) {
      case T_ACCEPT:
        pass.lastRule = r
        return counted(counts, nRule, nBytes, 'ACCEPT')
      case T_DROP:
        pass.lastRule = r
        return counted(counts, nRule, nBytes, 'DROP')
      case T_REJECT:
        pass.lastRule = r
        return counted(counts, nRule, nBytes, 'REJECT')
      case T_RETURN:
        if (depth === 0) return counted(counts, nRule, nBytes, policy(pass, start))
        depth--
        chain = stackChain[depth]
        rules = chain.rules
        i = stackIndex[depth]
        continue
      case T_JUMP:
        if (depth >= MAX_DEPTH) return counted(counts, nRule, nBytes, 'DROP')
        stackChain[depth] = chain
        stackIndex[depth] = i + 1
        depth++
        chain = r.jump!
        rules = chain.rules
        i = 0
        counts.chain++
        continue
      case T_GOTO:
        chain = r.jump!
        rules = chain.rules
        i = 0
        counts.chain++
        continue
      case T_DNAT:
      case T_SNAT:
      case T_MASQUERADE:
      case T_REDIRECT:
        nat(pass, r.rule.target, pending)
        pass.lastRule = r
        return counted(counts, nRule, nBytes, 'ACCEPT')
      case T_MARK: {
        const t = r.rule.target as Extract<Target, { kind: 'MARK' }>
        p.mark = ((p.mark & ~t.mask) ^ t.value) >>> 0
        break
      }
      case T_CONNMARK: {
        const t = r.rule.target as Extract<Target, { kind: 'CONNMARK' }>
        if (p.ct === null) break
        if (t.mode === 'set') p.ctmark = ((p.ctmark & ~t.mask) ^ t.value) >>> 0
        else if (t.mode === 'save') p.ctmark = ((p.ctmark & ~t.ctmask) ^ (p.mark & t.nfmask)) >>> 0
        else p.mark = ((p.mark & ~t.nfmask) ^ (p.ctmark & t.ctmask)) >>> 0
        break
      }
      case T_CT: {
        const t = r.rule.target as Extract<Target, { kind: 'CT' }>
        if (t.notrack) untrack(p)
        if (t.zone !== undefined) p.zone = t.zone
        break
      }
      case T_NOTRACK:
        untrack(p)
        break
    }
    i++
  }
}

/** Adds the rules (and their entry bytes) a traversal evaluated to the pass's counts; passes its result on. */
function counted<T>(counts: Pass['counts'], n: number, bytes: number, result: T): T {
  counts.rule += n
  counts.bytes += bytes
  return result
}

function untrack(p: PacketState): void {
  p.untracked = true
  p.ctState = CT_UNTRACKED
}

function policy(pass: Pass, start: CChain): 'ACCEPT' | 'DROP' {
  if (!pass.dry) {
    start.packets++
    start.bytes += pass.p.length
  }
  pass.steps?.push({
    where: start.where,
    text: `policy ${start.policy}`,
    outcome: 'policy',
    detail: start.policy ?? 'ACCEPT',
  })
  pass.lastRule = null
  pass.lastChain = start
  return start.policy === 'DROP' ? 'DROP' : 'ACCEPT'
}

/** Binds the connection's NAT (nf_nat_setup_info): the first address and port of the range, as this model picks. */
function nat(pass: Pass, t: Target, e: CtEntry | null): void {
  const p = pass.p
  const ported = p.proto === 6 || p.proto === 17 || p.proto === 132
  switch (t.kind) {
    case 'DNAT':
      p.dst = t.to!.addrLo
      if (ported && t.to!.portLo) p.dport = t.to!.portLo
      break
    case 'REDIRECT':
      // to the incoming interface's primary address; locally generated packets go to 127.0.0.1
      p.dst = p.hook === HOOK_OUTPUT ? 0x7f000001 : pass.nf.primaryAddress
      if (ported && t.toPorts) p.dport = t.toPorts.lo
      break
    case 'SNAT':
      p.src = t.to!.addrLo
      if (ported && t.to!.portLo) p.sport = t.to!.portLo
      break
    case 'MASQUERADE':
      p.src = pass.nf.primaryAddress
      if (ported && t.toPorts) p.sport = t.toPorts.lo
      break
  }
  if (!e) return
  if (t.kind === 'DNAT' || t.kind === 'REDIRECT') {
    e.replSrc = p.dst
    e.replSport = p.dport
    e.dnat = true
  } else {
    e.replDst = p.src
    e.replDport = p.sport
    e.snat = true
    e.masquerade = t.kind === 'MASQUERADE'
  }
}

function describe(t: Target): string {
  switch (t.kind) {
    case 'jump':
      return `jump ${t.chain}`
    case 'goto':
      return `goto ${t.chain}`
    case 'none':
      return 'count only'
    case 'MARK':
      return `MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`
    default:
      return t.kind
  }
}
