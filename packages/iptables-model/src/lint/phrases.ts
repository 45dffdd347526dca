import { W } from './fast-words'
import type { LineCursor } from './line-cursor'

/**
 * The phrases kube-proxy writes on most of its rules (pkg/proxy/iptables/proxier.go: every rule's comment,
 * each endpoint's statistic match and DNAT, each service's tcp port), each known by one compare of its
 * bytes instead of word by word: what the rule reader then does is what it does for the same words read one
 * at a time (the module added to the rule's matches or the target set, the option's value read and checked), so a phrase
 * changes how fast a line is read, never what is made of it.
 */
export const PHRASE = { COMMENT: 0, STATISTIC: 1, TCP_DPORT: 2, DNAT_TO: 3 } as const
const TEXT = [
  '-m comment --comment ',
  '-m statistic --mode random --probability ',
  '-m tcp --dport ',
  '-j DNAT --to-destination ',
]
/** each match phrase's module (a word id) */
export const PHRASE_MODULE = Int32Array.from([W.COMMENT, W.STATISTIC, W.TCP, -1])
/** each phrase's bytes as little-endian blocks (the last one zero-padded), its length, its first block */
const BLOCKS = TEXT.map((t) => {
  const b = Buffer.alloc(t.length + 4)
  b.write(t, 'latin1')
  return Int32Array.from({ length: Math.ceil(t.length / 4) }, (_, k) => b.readInt32LE(4 * k))
})
const LEN = Int32Array.from(TEXT, (t) => t.length)

/** The phrase at the cursor (after `atWord`), read when there is one (the cursor past its last space), else -1. */
export function phraseAt(cur: LineCursor): number {
  const buf = cur.buf
  const i = cur.i
  // `-m ` or `-j `, then the next word's first letter picks the one phrase to compare
  if (buf[i] !== 45 || buf[i + 2] !== 32) return -1
  const o = buf[i + 1]
  const c = buf[i + 3]
  let p = -1
  if (o === 109)
    p = c === 99 ? PHRASE.COMMENT : c === 115 ? PHRASE.STATISTIC : c === 116 ? PHRASE.TCP_DPORT : -1
  else if (o === 106 && c === 68) p = PHRASE.DNAT_TO
  if (p < 0) return -1
  const len = LEN[p]
  if (i + len > cur.e || i + len + 3 > buf.length) return -1
  const blocks = BLOCKS[p]
  const dv = cur.dv
  const full = len >> 2
  for (let k = 0; k < full; k++) if (dv.getInt32(i + 4 * k, true) !== blocks[k]) return -1
  const rest = len & 3
  if (rest > 0 && (dv.getInt32(i + 4 * full, true) & ((1 << (8 * rest)) - 1)) !== blocks[full]) return -1
  cur.i = i + len
  return p
}
