import { type BpfErrno, BpfMapError } from './errors'
import { memlockOf } from './memory'
import { type OpCounts, opId } from './opCounts'
import type {
  BpfCostKeys,
  BpfMapBase,
  BpfMapCounters,
  BpfMapInfo,
  BpfMapSpec,
  BpfUpdateOrigin,
} from './types'
import { BPF_EXIST, BPF_NOEXIST } from './types'

export function newCounters(): BpfMapCounters {
  return { lookups: 0, hits: 0, misses: 0, updates: 0, deletes: 0, evictions: 0, errors: 0 }
}

/** Shared bookkeeping of every map type: spec validation, counters, cost keys, errors, memlock. */
export abstract class MapBase implements BpfMapBase {
  readonly spec: Readonly<BpfMapSpec>
  readonly counters: BpfMapCounters = newCounters()
  readonly costKeys: BpfCostKeys
  /** the cost keys interned as `OpCounts` ids (the datapath's fast path counts through these) */
  readonly costIds: { lookup: number; update: number; progUpdate: number; delete: number }

  constructor(spec: BpfMapSpec) {
    if (!spec.name) throw new BpfMapError('EINVAL', '(unnamed)', 'a map needs a name')
    if (!(spec.maxEntries > 0) || !Number.isInteger(spec.maxEntries))
      throw new BpfMapError(
        'EINVAL',
        spec.name,
        `max_entries must be a positive integer, got ${spec.maxEntries}`,
      )
    if (!(spec.keySize > 0) || !(spec.valueSize > 0))
      throw new BpfMapError('EINVAL', spec.name, 'key and value sizes must be positive')
    this.spec = Object.freeze({ ...spec })
    this.costKeys = {
      lookup: `bpf.lookup.${spec.type}:${spec.name}`,
      update: `bpf.update.${spec.type}:${spec.name}`,
      progUpdate: `bpf.prog_update.${spec.type}:${spec.name}`,
      delete: `bpf.delete.${spec.type}:${spec.name}`,
    }
    const k = this.costKeys
    this.costIds = {
      lookup: opId(k.lookup),
      update: opId(k.update),
      progUpdate: opId(k.progUpdate),
      delete: opId(k.delete),
    }
  }

  abstract readonly size: number

  memlock(): number {
    return memlockOf(this.spec, this.size)
  }

  info(): BpfMapInfo {
    const s = this.spec
    const noPrealloc =
      s.type === 'lpm_trie' || (s.type !== 'lru_hash' && s.type !== 'array' && !!s.noPrealloc)
    return {
      name: s.name,
      kernelName: s.name.slice(0, 15),
      type: s.type,
      keySize: s.keySize,
      valueSize: s.valueSize,
      maxEntries: s.maxEntries,
      entries: this.size,
      flags: noPrealloc ? 1 : 0,
      memlock: this.memlock(),
    }
  }

  /**
   * Throws what the kernel would raise if `newEntries` more keys were inserted now (E2BIG for hash maps,
   * ENOSPC for LPM tries; LRU maps evict and arrays are fixed, so never). Not a kernel operation: the agent
   * uses it to keep a multi-entry write all-or-nothing.
   */
  checkRoom(newEntries: number): void {
    const t = this.spec.type
    if (t === 'lru_hash' || t === 'array') return
    if (this.size + newEntries > this.spec.maxEntries)
      this.fail(
        t === 'lpm_trie' ? 'ENOSPC' : 'E2BIG',
        `${newEntries} new entries do not fit (${this.size} of ${this.spec.maxEntries} used)`,
      )
  }

  resetCounters(): void {
    const c = this.counters
    c.lookups = c.hits = c.misses = c.updates = c.deletes = c.evictions = c.errors = 0
  }

  /** Adds one write to `counts` under the key for its origin. */
  protected countWrite(
    counts: Record<string, number> | undefined,
    origin: BpfUpdateOrigin,
    del: boolean,
  ): void {
    if (!counts) return
    const k = origin === 'prog' ? this.costKeys.progUpdate : del ? this.costKeys.delete : this.costKeys.update
    counts[k] = (counts[k] ?? 0) + 1
  }

  protected fail(errno: BpfErrno, detail: string): never {
    this.counters.errors++
    throw new BpfMapError(errno, this.spec.name, detail)
  }

  /** `check_flags` (hashtab.c): NOEXIST on a present key is EEXIST, EXIST on an absent one ENOENT. */
  protected checkExists(flags: number, exists: boolean, key: unknown): void {
    if (flags === BPF_NOEXIST && exists) this.fail('EEXIST', `key ${String(key)} exists (BPF_NOEXIST)`)
    if (flags === BPF_EXIST && !exists) this.fail('ENOENT', `key ${String(key)} absent (BPF_EXIST)`)
  }

  /** Counts one datapath read in the counters and, when given, the cost record. */
  protected countRead(counts: Record<string, number> | undefined, hit: boolean): void {
    const c = this.counters
    c.lookups++
    if (hit) c.hits++
    else c.misses++
    if (counts) counts[this.costKeys.lookup] = (counts[this.costKeys.lookup] ?? 0) + 1
  }

  /** `countRead` into an `OpCounts` (the datapath's per-packet counts). */
  protected countReadInto(ops: OpCounts, hit: boolean): void {
    const c = this.counters
    c.lookups++
    if (hit) c.hits++
    else c.misses++
    ops.add(this.costIds.lookup)
  }

  protected checkFlags(flags: number): void {
    if (flags !== 0 && flags !== 1 && flags !== BPF_EXIST)
      this.fail('EINVAL', `unknown update flags ${flags}`)
  }
}
