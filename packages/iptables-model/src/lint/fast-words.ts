import { ADDR_TYPES, CT_STATE_NAMES } from '../codec/matches'
import type { LineCursor } from './line-cursor'
import { kindCode } from './lint-state'
import { NameTable } from './name-table'

/**
 * The words lint's fast path knows — options, match modules, the targets it reads, value keywords — each a
 * small id of one NameTable, with the sets of them each option takes (flag arrays by id). Mirrors the names
 * of codec/rule-line.ts, matches.ts and targets.ts for the subset the fast path reads.
 */
// sparse (a quarter full or less): a word that is not an option or module name, such as a chain name after -j,
// is known absent after one or two probes
export const WORDS = new NameTable(256)
const lit = (s: string): number => WORDS.idOf(s)
export const W = {
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
export const CT_STATE = flags(CT_STATE_NAMES.map(([n]) => lit(n)))
export const ADDR_TYPE = flags(ADDR_TYPES.map(([n]) => lit(n)))
export const SET_FLAG = flags([W.SRC, W.DST])
export const MODULE = flags([
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
export const VERDICT = new Int32Array(WORDS.size).fill(-1)
const VERDICT_NAMES = ['ACCEPT', 'DROP', 'RETURN', 'MARK', 'DNAT', 'SNAT', 'MASQUERADE'] as const
for (const t of VERDICT_NAMES) VERDICT[lit(t)] = kindCode(t)
export const LONGEST_VERDICT = Math.max(...VERDICT_NAMES.map((t) => t.length))
/** stands for "a jump or goto" where a target word is expected */
export const JUMP = WORDS.size
/** WORDS ids of the two-byte words `-x` by x: the commonest words need no lookup */
const DASH_LETTER = new Int32Array(256).fill(-1)
for (let id = 0; id < WORDS.size; id++) {
  const w = WORDS.name(id)
  if (w.length === 2 && w[0] === '-') DASH_LETTER[w.charCodeAt(1)] = id
}

// knownAt's index: the words by their first block (up to four bytes, zero-padded) and the length of that
// block, in buckets of a 256-entry table; each candidate's bytes kept as blocks to compare
const BUCKETS = 256
const bucketOf = (block: number, short: number): number => Math.imul(block ^ short, 0x9e3779b1) >>> 24
const KNOWN_START = new Int32Array(BUCKETS + 1)
const knownIds: number[] = []
/** word id → its length, then its blocks from KNOWN_AT[id] in KNOWN_BLOCKS */
const KNOWN_LEN = new Int32Array(WORDS.size)
const KNOWN_AT = new Int32Array(WORDS.size)
const knownBlocks: number[] = []
{
  const byBucket: number[][] = Array.from({ length: BUCKETS }, () => [])
  for (let id = 0; id < WORDS.size; id++) {
    const b = Buffer.alloc(WORDS.name(id).length + 4)
    const len = b.write(WORDS.name(id), 'latin1')
    KNOWN_LEN[id] = len
    KNOWN_AT[id] = knownBlocks.length
    for (let k = 0; k < len; k += 4) knownBlocks.push(b.readInt32LE(k))
    byBucket[bucketOf(knownBlocks[KNOWN_AT[id]], Math.min(len, 4))].push(id)
  }
  for (let q = 0; q < BUCKETS; q++) {
    KNOWN_START[q] = knownIds.length
    knownIds.push(...byBucket[q])
  }
  KNOWN_START[BUCKETS] = knownIds.length
}
const KNOWN_IDS = Int32Array.from(knownIds)
const KNOWN_BLOCKS = Int32Array.from(knownBlocks)
/** the mask of a block's first 1-4 bytes */
const MASK = [0, 0xff, 0xffff, 0xffffff, -1]
const KNOWN_BYTES = Buffer.alloc(4 * KNOWN_BLOCKS.length)
for (const [k, b] of KNOWN_BLOCKS.entries()) KNOWN_BYTES.writeInt32LE(b, 4 * k)

/**
 * The id of the known word at the cursor (after `atWord`), read when it is one — its bytes followed by a
 * space, a `\n` or the end of the line, as the cursor would read it — else -1 with the cursor unmoved. One
 * block picks the candidates, a compare of their blocks settles it: no scan for the word's end, no hash.
 */
export function knownAt(cur: LineCursor): number {
  const buf = cur.buf
  const e = cur.e
  const i = cur.i
  if (i + 4 > buf.length) return -1
  // -m, -j, -s, -p …: a letter after a dash, then the word's end
  if (buf[i] === 45) {
    const j = i + 2
    if (j >= e || buf[j] === 32 || buf[j] === 10) {
      const id = DASH_LETTER[buf[i + 1]]
      if (id >= 0) {
        cur.s = i
        cur.t = j
        cur.i = j
        cur.quoted = false
      }
      return id
    }
  }
  // a word of 1-3 bytes is known by its block alone; a longer one by its first block, then compared
  let short = 4
  for (let k = 1; k < 4; k++) {
    const j = i + k
    if (j >= e || buf[j] === 32 || buf[j] === 10) {
      short = k
      break
    }
  }
  const block = cur.dv.getInt32(i, true) & MASK[short]
  const q = bucketOf(block, short)
  for (let c = KNOWN_START[q]; c < KNOWN_START[q + 1]; c++) {
    const id = KNOWN_IDS[c]
    const len = KNOWN_LEN[id]
    const at = KNOWN_AT[id]
    if (KNOWN_BLOCKS[at] !== block || (short < 4 && len !== short)) continue
    const end = i + len
    if (end > e || (end < e && buf[end] !== 32 && buf[end] !== 10)) continue
    if (len > 4 && !restIs(cur, i, at, len)) continue
    cur.s = i
    cur.t = end
    cur.i = end
    cur.quoted = false
    return id
  }
  return -1
}

/** Whether bytes 4 to len of the word at i are those of the known word whose blocks start at `at`. */
function restIs(cur: LineCursor, i: number, at: number, len: number): boolean {
  let k = 4
  for (; k + 4 <= len; k += 4) if (KNOWN_BLOCKS[at + (k >> 2)] !== cur.dv.getInt32(i + k, true)) return false
  for (; k < len; k++) if (KNOWN_BYTES[4 * at + k] !== cur.buf[i + k]) return false
  return true
}
