import { InputError } from '@dataplane-sim/cluster'
import { protocolNumber } from '../codec/values'
import { ruleBlobBytes } from '../cost/blobBytes'
import { isNftCompatMatch } from '../cost/nftLayout'
import type { Chain, Rule, Table, TableName, Target } from '../ruleset/types'
import { IfaceMatcher } from './interfaces'
import { compileMatch, type MatchEnv, type Pred } from './matchers'

export const T_NONE = 0
export const T_ACCEPT = 1
export const T_DROP = 2
export const T_RETURN = 3
export const T_JUMP = 4
export const T_GOTO = 5
export const T_REJECT = 6
export const T_DNAT = 7
export const T_SNAT = 8
export const T_MASQUERADE = 9
export const T_REDIRECT = 10
export const T_MARK = 11
export const T_CONNMARK = 12
export const T_CT = 13
export const T_NOTRACK = 14
export const T_LOG = 15

const TARGET_CODES: Record<Target['kind'], number> = {
  none: T_NONE,
  ACCEPT: T_ACCEPT,
  DROP: T_DROP,
  RETURN: T_RETURN,
  jump: T_JUMP,
  goto: T_GOTO,
  REJECT: T_REJECT,
  DNAT: T_DNAT,
  SNAT: T_SNAT,
  MASQUERADE: T_MASQUERADE,
  REDIRECT: T_REDIRECT,
  MARK: T_MARK,
  CONNMARK: T_CONNMARK,
  CT: T_CT,
  NOTRACK: T_NOTRACK,
  LOG: T_LOG,
  NFLOG: T_LOG,
  TRACE: T_LOG,
}

/**
 * A rule compiled for the hot path: the ip header part as uint32 address/mask pairs and a protocol number
 * (what ip_packet_match in net/ipv4/netfilter/ip_tables.c compares), the extension matches as predicates,
 * the target as a small integer. Counters live here and are copied back for `iptables-save -c`.
 */
export class CRule {
  srcAddr = 0
  srcMask = 0
  srcInv = false
  dstAddr = 0
  dstMask = 0
  dstInv = false
  /** -1: any protocol */
  proto = -1
  protoInv = false
  inIf: IfaceMatcher | null = null
  outIf: IfaceMatcher | null = null
  preds: Pred[] = []
  /** per pred: 1 when iptables-nft runs its match through nft_compat (cost/nftLayout.ts), else 0 */
  compat = new Uint8Array(0)
  target = T_NONE
  jump: CChain | null = null
  packets = 0
  bytes = 0
  /** iptables-save text, built the first time a trace shows the rule */
  text: string | null = null

  constructor(
    readonly rule: Rule,
    readonly chain: CChain,
    /** 1-based, as `iptables -L --line-numbers` counts */
    readonly number: number,
  ) {}
}

/** Words per rule in CChain.hdr: srcAddr, srcMask, dstAddr, dstMask, proto (-1 any), flags. */
export const HDR = 6
export const F_SRC_INV = 1
export const F_DST_INV = 2
export const F_PROTO_INV = 4
/** the rule has -i/-o or extension matches: the header test alone does not decide */
export const F_MORE = 8

export class CChain {
  rules: CRule[] = []
  /**
   * The ip header part of every rule as int32 words, HDR per rule, so the hot loop rejects a rule with a few
   * typed-array loads and integer compares (ip_packet_match) before touching the rule object.
   */
  hdr = new Int32Array(0)
  /**
   * Bytes of each rule's entry in the x_tables blob (cost/blobBytes.ts): what ipt_do_table steps over with
   * `next_offset`, so the walk's cache footprint is the sum of the entries it visits.
   */
  entryBytes = new Int32Array(0)
  packets = 0
  bytes = 0
  /** `table:chain` for trace steps */
  readonly where: string

  constructor(
    readonly name: string,
    readonly table: TableName,
    /** ACCEPT/DROP for a built-in chain */
    readonly policy: 'ACCEPT' | 'DROP' | null,
    readonly source: Chain,
  ) {
    this.where = `${table}:${name}`
    this.packets = source.counters.packets
    this.bytes = source.counters.bytes
  }
}

export interface CTable {
  name: TableName
  chains: Map<string, CChain>
  source: Table
}

/** Compiles a table; throws InputError for what only the engine can see (a set that does not exist). */
export function compileTable(t: Table, env: MatchEnv, source: string): CTable {
  const chains = new Map<string, CChain>()
  for (const c of t.chains) chains.set(c.name, new CChain(c.name, t.name, c.policy, c))
  for (const c of t.chains) {
    const cc = chains.get(c.name)!
    c.rules.forEach((r, k) => {
      cc.rules.push(compileRule(r, cc, k + 1, chains, env, source))
    })
    cc.hdr = new Int32Array(cc.rules.length * HDR)
    cc.entryBytes = Int32Array.from(c.rules, ruleBlobBytes)
    cc.rules.forEach((r, k) => {
      const o = k * HDR
      cc.hdr[o] = r.srcAddr | 0
      cc.hdr[o + 1] = r.srcMask | 0
      cc.hdr[o + 2] = r.dstAddr | 0
      cc.hdr[o + 3] = r.dstMask | 0
      cc.hdr[o + 4] = r.proto
      cc.hdr[o + 5] =
        (r.srcInv ? F_SRC_INV : 0) |
        (r.dstInv ? F_DST_INV : 0) |
        (r.protoInv ? F_PROTO_INV : 0) |
        (r.inIf || r.outIf || r.preds.length ? F_MORE : 0)
    })
  }
  return { name: t.name, chains, source: t }
}

function compileRule(
  r: Rule,
  chain: CChain,
  n: number,
  chains: Map<string, CChain>,
  env: MatchEnv,
  source: string,
): CRule {
  const c = new CRule(r, chain, n)
  if (r.src) [c.srcAddr, c.srcMask, c.srcInv] = [r.src.addr, r.src.mask, r.src.invert]
  if (r.dst) [c.dstAddr, c.dstMask, c.dstInv] = [r.dst.addr, r.dst.mask, r.dst.invert]
  if (r.protocol) {
    // ip_packet_match skips the protocol test entirely for proto 0, so `! -p all` matches every packet
    c.proto = r.protocol.name === 'all' ? -1 : protocolNumber(r.protocol.name)
    c.protoInv = r.protocol.invert
  }
  if (r.inIface) c.inIf = new IfaceMatcher(r.inIface, env.ifaces)
  if (r.outIface) c.outIf = new IfaceMatcher(r.outIface, env.ifaces)
  c.preds = r.matches.map((m) => compileMatch(m, env, source, r.line))
  c.compat = Uint8Array.from(r.matches, (m) => (isNftCompatMatch(m.module) ? 1 : 0))
  c.target = TARGET_CODES[r.target.kind]
  if (r.target.kind === 'jump' || r.target.kind === 'goto') {
    const to = chains.get(r.target.chain)
    if (!to) throw new InputError(`jump to undefined chain ${r.target.chain}`, source, r.line, 1)
    c.jump = to
  }
  if (r.counters) {
    c.packets = r.counters.packets
    c.bytes = r.counters.bytes
  }
  return c
}
