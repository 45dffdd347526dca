import type { ChainNameSet } from '../codec/restore-reader'
import { UNSUPPORTED_TARGETS } from '../codec/rule-line'
import { BUILTIN_VERDICTS, EXTENSION_TARGETS } from '../codec/targets'
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

  /** The id of the name at bytes [s, e) of `buf` (ASCII), whose hash is `h`. */
  id(buf: Buffer, s: number, e: number, h = hashBytes(buf, s, e)): number {
    return this.room(this.table.id(buf, s, e, h))
  }

  /**
   * `id` for the chain of an `-A` line. iptables-save prints each chain's rules together, chain after chain
   * in the order it declared them: the chain is the line before's, or the one declared after it.
   */
  appendedTo(buf: Buffer, s: number, e: number, h: number): number {
    const last = this.last
    if (last >= 0 && this.table.is(last, buf, s, e, h)) return last
    const id = this.table.is(last + 1, buf, s, e, h) ? last + 1 : this.id(buf, s, e, h)
    this.last = id
    return id
  }

  /**
   * `id` for a jump's chain: the same as the last jump's (KUBE-MARK-MASQ), or the chain declared after it
   * (kube-proxy's service chains jump to endpoint chains declared one after the other).
   */
  jumpedTo(buf: Buffer, s: number, e: number, h: number): number {
    const last = this.lastJump
    if (this.table.is(last, buf, s, e, h)) return last
    const id = this.table.is(last + 1, buf, s, e, h) ? last + 1 : this.id(buf, s, e, h)
    this.lastJump = id
    return id
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
