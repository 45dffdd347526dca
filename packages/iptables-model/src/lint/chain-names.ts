import type { ChainNameSet } from '../codec/restore-reader'
import { UNSUPPORTED_TARGETS } from '../codec/rule-line'
import { BUILTIN_VERDICTS, EXTENSION_TARGETS } from '../codec/targets'
import type { LineCursor } from './line-cursor'
import { hashBytes, NameTable } from './name-table'

/**
 * The chain names of a dump for lint, by the bytes of each name: their ids (lint's LintState keeps each
 * chain's facts by id), whether a name is a target iptables knows (so `-j NAME` is not a jump), and which
 * are declared in the current table block — shared with the full reader as its ChainNameSet, so a `:CHAIN`
 * line read by either path is seen by both when the same chain comes again.
 */
export class ChainNames implements ChainNameSet {
  private readonly table: NameTable
  /** ids below this are the targets iptables knows (verdicts, extensions, unsupported ones) */
  private readonly targets: number
  /** number of the table block the chain was declared in (0: none) */
  private declaredIn: Int32Array
  private block = 1

  /** the chain of the `-A` line and the chain of the jump looked up last */
  private last = -1
  private lastJump = -1

  /** `expected`: about how many names the dump holds (room made up front) */
  constructor(expected = 1 << 12) {
    this.table = new NameTable(expected)
    this.declaredIn = new Int32Array(Math.max(1 << 12, expected))
    for (const t of [...BUILTIN_VERDICTS, ...EXTENSION_TARGETS, ...UNSUPPORTED_TARGETS]) this.table.idOf(t)
    this.targets = this.table.size
  }

  /** The id of the name at bytes [s, e) of `buf` (ASCII), whose hash is `h` (`dv`: a view of buf, if any). */
  id(buf: Buffer, s: number, e: number, h = hashBytes(buf, s, e), dv?: DataView): number {
    return this.room(this.table.id(buf, s, e, h, dv))
  }

  /**
   * The id of the chain of an `-A` line, the cursor's next word (-1 when the line needs the full reader).
   * iptables-save prints each chain's rules together, chain after chain in the order it declared them: the
   * chain is the line before's, or the one declared after it, or (kube-proxy's restore input) the chain the
   * line before jumped to, each checked without hashing the word.
   */
  appendedTo(cur: LineCursor): number {
    const last = this.predicted(cur, this.last)
    if (last >= 0) return last
    let id = this.predicted(cur, this.last + 1)
    if (id >= 0) return (this.last = id)
    // kube-proxy writes a service's chain right after the rule that jumps to it
    id = this.predicted(cur, this.lastJump)
    if (id >= 0) return (this.last = id)
    const read = this.read(cur)
    if (read >= 0) this.last = read
    return read
  }

  /**
   * The id of a jump's chain, the cursor's next word: the same as the last jump's (KUBE-MARK-MASQ), or the
   * chain declared after it (kube-proxy's service chains jump to endpoint chains declared one after the
   * other); -1 when not one of them (the word is not read then).
   */
  jumpPredicted(cur: LineCursor): number {
    const last = this.predicted(cur, this.lastJump)
    if (last >= 0) return last
    const id = this.predicted(cur, this.lastJump + 1)
    if (id >= 0) this.lastJump = id
    return id
  }

  /** The id of the jump's chain the cursor read last (when jumpPredicted had none). */
  jumpedTo(cur: LineCursor): number {
    const id = this.id(cur.buf, cur.s, cur.t, cur.hash(), cur.dv)
    this.lastJump = id
    return id
  }

  /** Id `id` when it is the cursor's next word (read then), else -1. */
  private predicted(cur: LineCursor, id: number): number {
    const end = this.table.matchAt(id, cur.dv, cur.buf, cur.i, cur.e)
    if (end < 0) return -1
    cur.s = cur.i
    cur.t = end
    cur.i = end
    cur.quoted = false
    return id
  }

  /** The id of the cursor's next word, unquoted, read; -1 when there is none. */
  private read(cur: LineCursor): number {
    if (!cur.word() || cur.quoted || cur.t === cur.s) return -1
    return this.id(cur.buf, cur.s, cur.t, cur.hash(), cur.dv)
  }

  /** See NameTable.touch. */
  touch(hashes: Int32Array, n: number): number {
    return this.table.touch(hashes, n)
  }

  /** The id of a name given as a string (from the full reader). */
  idOf(name: string): number {
    return this.room(this.table.idOf(name))
  }

  private room(id: number): number {
    if (id >= this.declaredIn.length) {
      const d = new Int32Array(this.declaredIn.length * 2)
      d.set(this.declaredIn)
      this.declaredIn = d
    }
    return id
  }

  get size(): number {
    return this.table.size
  }

  name(id: number): string {
    return this.table.name(id)
  }

  isTargetName(id: number): boolean {
    return id < this.targets
  }

  isDeclared(id: number): boolean {
    return this.declaredIn[id] === this.block
  }

  declare(id: number): void {
    this.declaredIn[id] = this.block
  }

  // the ChainNameSet of the full reader's `:CHAIN` lines (rare: the fast path takes the usual ones)
  has(name: string): boolean {
    return this.isDeclared(this.idOf(name))
  }

  add(name: string): void {
    this.declare(this.idOf(name))
  }

  clear(): void {
    this.block++
  }
}
