import { uintAt } from './byte-values'
import type { ChainNames } from './chain-names'
import { knownAt, W } from './fast-words'
import type { LineCursor } from './line-cursor'
import type { LintState } from './lint-state'

/**
 * Lint's fast path for `:CHAIN POLICY [p:b]` lines (FastLineReader hands them here): the usual ` - [0:0]`
 * end known by two block compares, and the names of the next declarations read ahead so that their
 * name-table lookups' cache misses overlap (a kube-proxy dump declares its 600k chains in one run, each
 * name new to a table far bigger than the caches). Accepts only what the full reader accepts; -1/false
 * having changed nothing otherwise.
 */
export class DeclarationReader {
  /** declarations before this offset of the region had their slots touched; what they read (kept, unused) */
  private ahead = 0
  /** the lines read ahead: where each starts, where its name ends, the name's hash; the next one to use */
  private readonly aheadAt = new Int32Array(AHEAD)
  private readonly aheadEnd = new Int32Array(AHEAD)
  private readonly aheadHashes = new Int32Array(AHEAD)
  private aheadCount = 0
  private aheadNext = 0
  private touched = 0

  constructor(
    private readonly cur: LineCursor,
    private readonly chains: ChainNames,
    private readonly state: LintState,
  ) {}

  /** A new region starts at `s` (see LineCursor.region). */
  region(s: number): void {
    this.ahead = s
    this.aheadCount = 0
  }

  /**
   * Touches the name-table slots of the chains declared by the next AHEAD lines from `s` that declare one
   * (a kube-proxy dump declares its 600k chains in one run): each lookup's cache miss then overlaps the
   * others' rather than stalling its line. Returns where it stopped; reads only, changes nothing.
   */
  private readAhead(buf: Buffer, s: number): number {
    const { cur, aheadHashes, aheadAt, aheadEnd } = this
    const e = cur.e
    let p = s
    let k = 0
    while (k < AHEAD && p < e && buf[p] === 58) {
      cur.i = p + 1
      if (!cur.word() || cur.quoted) break
      aheadAt[k] = p
      aheadEnd[k] = cur.t
      aheadHashes[k++] = cur.hash()
      // the next line: after the usual ` - [0:0]\n`, else after the next `\n`
      const t = cur.t
      if (
        t + 9 <= e &&
        cur.dv.getInt32(t, true) === DECL_A &&
        cur.dv.getInt32(t + 4, true) === DECL_B &&
        buf[t + 8] === 10
      )
        p = t + 9
      else {
        const nl = buf.indexOf(10, t)
        if (nl < 0 || nl >= e) break
        p = nl + 1
      }
    }
    // the loads apart from the hashing, so that the processor has them all in flight at once
    this.touched ^= this.chains.touch(aheadHashes, k)
    this.aheadCount = k
    this.aheadNext = 0
    return p
  }

  /** `:NAME POLICY [p:b]` */
  line(buf: Buffer, s: number, n: number): boolean {
    if (s >= this.ahead) this.ahead = this.readAhead(buf, s)
    const cur = this.cur
    // the name starts right after the colon; read ahead already, as a rule
    const k = this.aheadNext
    let h: number
    if (k < this.aheadCount && this.aheadAt[k] === s) {
      this.aheadNext++
      cur.s = s + 1
      cur.t = this.aheadEnd[k]
      cur.i = cur.t
      cur.quoted = false
      h = this.aheadHashes[k]
    } else {
      cur.i = s + 1
      if (!cur.word() || cur.quoted) return false
      h = cur.hash()
    }
    const ns = cur.s
    const ne = cur.t
    if (ne - ns < 1 || ne - ns > 28) return false
    let p: number
    const dv = cur.dv
    const e = cur.e
    if (
      ne + 8 <= e &&
      dv.getInt32(ne, true) === DECL_A &&
      dv.getInt32(ne + 4, true) === DECL_B &&
      (ne + 8 === e || buf[ne + 8] === 10)
    ) {
      p = W.DASH
      cur.i = ne + 8
    } else {
      if (!cur.atWord()) return false
      p = knownAt(cur)
      if (p !== W.DASH && p !== W.ACCEPT && p !== W.DROP) return false
      const more = cur.next()
      if (more < 0) return false
      if (more === 1) {
        const cs = cur.s
        const ce = cur.t
        if (cur.quoted || buf[cs] !== 91 || buf[ce - 1] !== 93) return false
        let colon = cs + 1
        while (colon < ce && buf[colon] !== 58) colon++
        if (uintAt(buf, cs + 1, colon) < 0 || uintAt(buf, colon + 1, ce - 1) < 0) return false
        if (cur.next() !== 0) return false
      }
    }
    const id = this.chains.id(buf, ns, ne, h, dv)
    if (this.chains.isDeclared(id)) return false
    if (this.state.isBuiltin(id) ? p === W.DASH : p !== W.DASH) return false
    this.state.declare(id, n)
    this.chains.declare(id)
    return true
  }
}

/** declaration lines read ahead at a time */
const AHEAD = 16
/** ` - [0:0]` as two little-endian blocks: the usual end of a user chain's declaration */
const DECL_A = Buffer.from(' - [').readInt32LE(0)
const DECL_B = Buffer.from('0:0]').readInt32LE(0)
