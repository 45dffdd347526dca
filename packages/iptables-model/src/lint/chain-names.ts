import type { ChainNameSet } from '../codec/restore-reader'
import { UNSUPPORTED_TARGETS } from '../codec/rule-line'
import { BUILTIN_VERDICTS, isExtensionTarget } from '../codec/targets'
import { NameTable } from './name-table'

/**
 * The chain names of a dump for lint, by the bytes of each name: their ids for the fast path, whether a name
 * is a target iptables knows (so `-j NAME` is not a jump), and which are declared in the current table
 * block — shared with the full reader as its ChainNameSet, so a `:CHAIN` line read by either path is seen
 * by both when the same chain comes again.
 */
export class ChainNames implements ChainNameSet {
  private readonly table = new NameTable(16)
  /** 1 when the name is a verdict, an extension or an unsupported target */
  private targetLike = new Uint8Array(1 << 12)
  /** number of the table block the chain was declared in (0: none) */
  private declaredIn = new Int32Array(1 << 12)
  private block = 1

  /** the name looked up last: dumps append runs of rules to one chain */
  private last = -1

  /** The id of the name at bytes [s, e) of `buf` (ASCII). */
  id(buf: Buffer, s: number, e: number): number {
    if (this.last >= 0 && this.table.is(this.last, buf, s, e)) return this.last
    const before = this.table.size
    const id = this.table.id(buf, s, e)
    if (id === before) this.added(id)
    this.last = id
    return id
  }

  name(id: number): string {
    return this.table.names[id]
  }

  isTargetName(id: number): boolean {
    return this.targetLike[id] === 1
  }

  isDeclared(id: number): boolean {
    return this.declaredIn[id] === this.block
  }

  declare(id: number): void {
    this.declaredIn[id] = this.block
  }

  // the ChainNameSet of the full reader's `:CHAIN` lines (rare: the fast path takes the usual ones)
  has(name: string): boolean {
    const b = Buffer.from(name, 'utf8')
    const id = this.table.find(b, 0, b.length)
    return id >= 0 && this.isDeclared(id)
  }

  add(name: string): void {
    const b = Buffer.from(name, 'utf8')
    const before = this.table.size
    const id = this.table.id(b, 0, b.length, name)
    if (id === before) this.added(id)
    this.declare(id)
  }

  clear(): void {
    this.block++
  }

  private added(id: number): void {
    if (id >= this.targetLike.length) {
      const t = new Uint8Array(this.targetLike.length * 2)
      t.set(this.targetLike)
      this.targetLike = t
      const d = new Int32Array(this.declaredIn.length * 2)
      d.set(this.declaredIn)
      this.declaredIn = d
    }
    const name = this.table.names[id]
    this.targetLike[id] =
      (BUILTIN_VERDICTS as readonly string[]).includes(name) ||
      isExtensionTarget(name) ||
      UNSUPPORTED_TARGETS.has(name)
        ? 1
        : 0
  }
}
