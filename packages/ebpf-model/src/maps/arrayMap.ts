import { MapBase } from './_base'
import type { OpCounts } from './opCounts'
import { BPF_ANY, BPF_NOEXIST, type BpfMapSpec, type BpfUpdateOrigin } from './types'

/**
 * BPF_MAP_TYPE_ARRAY (kernel/bpf/arraymap.c): max_entries preallocated, zero-filled slots indexed by a u32.
 * Every index below max_entries always exists, so BPF_NOEXIST fails with EEXIST, deletes fail with EINVAL,
 * and an index out of range is E2BIG on update and a miss (NULL) on lookup.
 */
export class BpfArrayMap<V> extends MapBase {
  private readonly slots: V[]

  /** `zero` is the value every slot holds before it is written (the kernel's zero-filled bytes). */
  constructor(
    spec: Omit<BpfMapSpec, 'type'> & { type?: 'array' },
    readonly zero: V,
  ) {
    super({ ...spec, type: 'array', noPrealloc: false })
    this.slots = new Array<V>(spec.maxEntries).fill(zero)
  }

  /** Arrays always hold max_entries (bpftool counts them all). */
  get size(): number {
    return this.spec.maxEntries
  }

  lookup(index: number, counts?: Record<string, number>): V | undefined {
    const inRange = index >>> 0 === index && index < this.spec.maxEntries
    this.countRead(counts, inRange)
    return inRange ? this.slots[index] : undefined
  }

  lookupInto(index: number, ops: OpCounts): V | undefined {
    const inRange = index >>> 0 === index && index < this.spec.maxEntries
    this.countReadInto(ops, inRange)
    return inRange ? this.slots[index] : undefined
  }

  peek(index: number): V | undefined {
    return index >>> 0 === index && index < this.spec.maxEntries ? this.slots[index] : undefined
  }

  update(
    index: number,
    value: V,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    this.checkFlags(flags)
    if (index >>> 0 !== index || index >= this.spec.maxEntries)
      this.fail('E2BIG', `index ${index} beyond max_entries ${this.spec.maxEntries}`)
    if (flags === BPF_NOEXIST) this.fail('EEXIST', 'array elements always exist (BPF_NOEXIST)')
    this.slots[index] = value
    this.counters.updates++
    this.countWrite(counts, origin, false)
  }

  delete(_index: number): never {
    this.fail('EINVAL', 'array elements cannot be deleted')
  }

  /** Slots that differ from the zero value, with their index. */
  *entries(): IterableIterator<[number, V]> {
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i] !== this.zero) yield [i, this.slots[i]]
  }
}
