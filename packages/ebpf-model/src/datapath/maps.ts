import type { LbFrontend } from '../agent/services'
import type { IpcacheValue, LxcValue, ProgrammedBackend } from '../agent/sink'
import { CILIUM_MAP_LAYOUTS, type CiliumMapName } from '../cilium/layouts'
import { BpfArrayMap } from '../maps/arrayMap'
import { BpfDenseIdHashMap } from '../maps/denseIdHashMap'
import { BpfHashMap } from '../maps/hashMap'
import { BpfHashOfMaps } from '../maps/hashOfMaps'
import { BpfLpmTrie } from '../maps/lpmTrie'
import { BpfLruHashMap } from '../maps/lruHashMap'
import type { OpCounts } from '../maps/opCounts'
import { BPF_ANY, type BpfMapBase, type BpfUpdateOrigin } from '../maps/types'
import { rememberBackendIp } from './addr'
import { CtTable } from './ctTable'

export { type CtTuple, type CtValue, ctKey } from './ctTable'

/**
 * The BPF maps of one node as the datapath reads them. Keys are numbers (or interned strings) so the hot
 * path does no allocation; values are records the agent writes. Layouts (key/value sizes, map types) come
 * from `cilium/layouts`; max_entries from the node's sizing.
 */

/** Master entry of cilium_lb4_services_v2 (slot 0) plus what the datapath needs to read its slots. */
export interface ServiceMaster {
  count: number
  revNat: number
  flags: number
  affinityTimeout: number
  /** the traffic policy filtered every usable backend out (drop, not reject) */
  filteredOut: boolean
  /**
   * keys of the slot entries 1..n: small negative integers the agent allocates (never a master key, which is
   * ≥ 0), so slot lookups and writes hash a small integer, not a string
   */
  slotKeys: number[]
  frontend: LbFrontend
}

export interface ServiceSlot {
  backendId: number
}

export interface SnatValue {
  toAddr: number
  toPort: number
  created: number
}

export interface AffinityValue {
  backendId: number
  lastUsed: number
}

export interface PolicyValue {
  deny: boolean
  prefixLen: number
}

export interface MapMaxima {
  lb: number
  policy: number
  ctTcp: number
  ctAny: number
  nat: number
  ipcache: number
  lxc: number
  affinity: number
}

/** lb4_key packed into a number: address(32) · port(16) · protocol index(2) · scope(1) = 51 bits. */
export function serviceKey(addr: number, port: number, proto: number, scope: number): number {
  const p = proto === 6 ? 0 : proto === 17 ? 1 : 2
  return ((addr * 65536 + port) * 4 + p) * 2 + scope
}

function spec(name: CiliumMapName, maxEntries: number) {
  const l = CILIUM_MAP_LAYOUTS[name]
  return {
    name: l.name,
    keySize: l.keySize,
    valueSize: l.valueSize,
    maxEntries,
    noPrealloc: l.prealloc !== 'always',
  }
}

/** cilium_lb4_backends_v3; a backend written is also remembered with its address text for traces (`backendIp`). */
class BackendsMap extends BpfDenseIdHashMap<number, ProgrammedBackend> {
  override update(
    key: number,
    value: ProgrammedBackend,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    super.update(key, value, flags, counts, origin)
    rememberBackendIp(value)
  }
}

/**
 * cilium_lb4_services_v2. Slot entries (keys: small negative integers the agent allocates, `ServiceMaster.slotKeys`)
 * hold one value, a backend id: they live in two columns of small integers indexed by −key — backend id + 1
 * (0: no entry) and the entry's insertion sequence — instead of a `ServiceSlot` record each in the dense-id
 * map's arrays (the initial sync of 100k services × 10 endpoints writes 1.1M slots: a million small records the
 * GC copied and marked). `lookupSlotInto`, the random selection's slot lookup, reads one element;
 * `peek`/`lookupInto`/`entries` of a slot key make its `{ backendId }` record when asked. Same errors, counts,
 * sizes and insertion order as a hash map (property test in maps.test.ts). Masters (wide keys), and slot keys
 * beyond the columns' reach, stay in the dense-id map.
 */
class ServicesMap extends BpfDenseIdHashMap<number | string, ServiceMaster | ServiceSlot> {
  /**
   * backend id + 1 by −slot key; 0 = no slot entry. Plain arrays of small integers grown one element at a
   * time (slot keys are allocated lowest-free-first): on the JS heap, where doubling typed arrays added
   * external memory that, with the CT tables and the ipcache trie, made V8 start a second full collection
   * inside the 100k-service build.
   */
  private readonly slotBackend: number[] = [0]
  /** insertion sequence by −slot key (the dense-id map's numbering, for `entries` order) */
  private readonly slotSeq: number[] = [0]
  private slots = 0

  override get size(): number {
    return super.size + this.slots
  }

  override update(
    key: number | string,
    value: ServiceMaster | ServiceSlot,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    if (isColumnSlot(key)) {
      if ('backendId' in value && super.find(key) === undefined) {
        this.updateSlot(key, value.backendId, flags, counts, origin)
        return
      }
      // not a slot value (no caller writes one at a slot key): the key moves out of the columns
      if (this.inColumn(key)) {
        this.checkFlags(flags)
        this.checkExists(flags, true, key)
        this.dropSlot(-key)
      }
    }
    super.update(key, value, flags, counts, origin)
  }

  /** `update` of slot key `key` (a negative integer) with `{ backendId }`, without the record. */
  updateSlot(
    key: number,
    backendId: number,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    if (!isColumnSlot(key) || super.find(key) !== undefined) {
      super.update(key, { backendId }, flags, counts, origin)
      return
    }
    this.checkFlags(flags)
    const i = -key
    const exists = i < this.slotBackend.length && this.slotBackend[i] !== 0
    this.checkExists(flags, exists, key)
    if (!exists && this.size >= this.spec.maxEntries)
      this.fail('E2BIG', `map full (${this.spec.maxEntries} entries)`)
    if (i >= this.slotBackend.length) this.growSlots(i)
    this.slotBackend[i] = backendId + 1
    if (!exists) {
      this.slotSeq[i] = ++this.seq
      this.slots++
    }
    this.counters.updates++
    this.countWrite(counts, origin, false)
  }

  override delete(
    key: number | string,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    if (!this.inColumn(key)) {
      super.delete(key, counts, origin)
      return
    }
    this.dropSlot(-key)
    this.counters.deletes++
    this.countWrite(counts, origin, true)
  }

  override clear(): void {
    super.clear()
    this.slotBackend.fill(0)
    this.slotSeq.fill(0)
    this.slots = 0
  }

  /** `lookupInto` of a slot key answering its backend id (−1 when absent): the same lookup, counted the same. */
  lookupSlotInto(key: number, ops: OpCounts): number {
    const i = -key
    if (i > 0 && i < this.slotBackend.length) {
      const id = this.slotBackend[i] - 1
      if (id >= 0) {
        this.countReadInto(ops, true)
        return id
      }
    }
    // absent from the columns: a miss, or a key the dense-id map holds (beyond the columns, or a slot key
    // that held another value first)
    const s = this.lookupInto(key, ops)
    return s && 'backendId' in s ? s.backendId : -1
  }

  /**
   * Backend id + 1 by −slot key (0: no slot entry, or a key beyond the columns): read-only, for a batch's
   * prefetch.
   */
  get slotColumn(): ReadonlyArray<number> {
    return this.slotBackend
  }

  protected override find(key: number | string): ServiceMaster | ServiceSlot | undefined {
    if (typeof key === 'number' && key < 0) {
      const i = -key
      if (i < this.slotBackend.length && (i | 0) === i) {
        const b = this.slotBackend[i]
        if (b !== 0) return { backendId: b - 1 }
      }
    }
    return super.find(key)
  }

  protected override gatherMore(items: Array<[number, number | string, ServiceMaster | ServiceSlot]>): void {
    const col = this.slotBackend
    for (let i = 1; i < col.length; i++)
      if (col[i] !== 0) items.push([this.slotSeq[i], -i, { backendId: col[i] - 1 }])
  }

  private inColumn(key: number | string): boolean {
    return isColumnSlot(key) && -key < this.slotBackend.length && this.slotBackend[-key] !== 0
  }

  private dropSlot(i: number): void {
    this.slotBackend[i] = 0
    this.slotSeq[i] = 0
    this.slots--
  }

  private growSlots(i: number): void {
    // pushed, never written past the end: the arrays stay packed small-integer arrays
    while (this.slotBackend.length <= i) {
      this.slotBackend.push(0)
      this.slotSeq.push(0)
    }
  }
}

/** Slot keys mirrored up to this magnitude (the agent allocates them densely from −1 down). */
const SLOT_MIRROR_MAX = 1 << 24

/** A slot key kept in the columns: a negative integer of magnitude below SLOT_MIRROR_MAX. */
function isColumnSlot(key: number | string): key is number {
  return typeof key === 'number' && key < 0 && key > -SLOT_MIRROR_MAX && (key | 0) === key
}

export type { ServicesMap }

export class NodeMaps {
  readonly services: ServicesMap
  readonly backends: BpfDenseIdHashMap<number, ProgrammedBackend>
  readonly revNat: BpfHashMap<number, { addr: number; port: number }>
  readonly sourceRange: BpfLpmTrie<true>
  readonly affinity: BpfLruHashMap<string, AffinityValue>
  readonly maglev: BpfHashOfMaps<number, BpfArrayMap<Uint32Array>>
  readonly ipcache: BpfLpmTrie<IpcacheValue>
  readonly lxc: BpfHashMap<number, LxcValue>
  readonly ct: CtTable
  readonly ctAny: CtTable
  readonly snat: BpfLruHashMap<string, SnatValue>
  /** cilium_policy_NNNNN by endpoint ID */
  readonly policy = new Map<number, BpfLpmTrie<PolicyValue>>()
  /** frontends the agent could not program (services map full), by service key */
  readonly unprogrammed = new Set<number>()

  constructor(
    readonly max: MapMaxima,
    readonly maglevTableSize: number,
  ) {
    this.services = new ServicesMap(spec('cilium_lb4_services_v2', max.lb))
    this.backends = new BackendsMap(spec('cilium_lb4_backends_v3', max.lb))
    this.revNat = new BpfDenseIdHashMap(spec('cilium_lb4_reverse_nat', max.lb))
    this.sourceRange = new BpfLpmTrie({ ...spec('cilium_lb4_source_range', max.lb), maxPrefixLen: 64 })
    this.affinity = new BpfLruHashMap(spec('cilium_lb4_affinity', max.affinity))
    this.maglev = new BpfHashOfMaps({ ...spec('cilium_lb4_maglev', max.lb) })
    this.ipcache = new BpfLpmTrie({
      ...spec('cilium_ipcache', max.ipcache),
      maxPrefixLen: 32,
      numeric: ipcacheNum,
    })
    this.lxc = new BpfHashMap(spec('cilium_lxc', max.lxc))
    this.ct = new CtTable(spec('cilium_ct4_global', max.ctTcp))
    this.ctAny = new CtTable(spec('cilium_ct_any4_global', max.ctAny))
    this.snat = new BpfLruHashMap(spec('cilium_snat_v4_external', max.nat))
  }

  newPolicyMap(): BpfLpmTrie<PolicyValue> {
    // the kernel object name is truncated to 15 characters: every policy map shows as cilium_policy_
    return new BpfLpmTrie({
      ...spec('cilium_policy', this.max.policy),
      name: 'cilium_policy_',
      maxPrefixLen: 64,
      numeric: policyNum,
    })
  }

  newMaglevInner(): BpfArrayMap<Uint32Array> {
    return new BpfArrayMap(
      { name: 'cilium_lb4_magl', keySize: 4, valueSize: 4 * this.maglevTableSize, maxEntries: 1 },
      new Uint32Array(0),
    )
  }

  /** Every map with its name as `cilium map list` shows it (policy maps one per endpoint). */
  all(): Array<{ name: string; map: BpfMapBase }> {
    const out: Array<{ name: string; map: BpfMapBase }> = [
      { name: 'cilium_lb4_services_v2', map: this.services },
      { name: 'cilium_lb4_backends_v3', map: this.backends },
      { name: 'cilium_lb4_reverse_nat', map: this.revNat },
      { name: 'cilium_lb4_source_range', map: this.sourceRange },
      { name: 'cilium_lb4_affinity', map: this.affinity },
      { name: 'cilium_lb4_maglev', map: this.maglev },
      { name: 'cilium_ipcache', map: this.ipcache },
      { name: 'cilium_lxc', map: this.lxc },
      { name: 'cilium_ct4_global', map: this.ct },
      { name: 'cilium_ct_any4_global', map: this.ctAny },
      { name: 'cilium_snat_v4_external', map: this.snat },
    ]
    for (const [id, m] of [...this.policy].sort((a, b) => a[0] - b[0]))
      out.push({ name: `cilium_policy_${String(id).padStart(5, '0')}`, map: m })
    return out
  }
}

/** An ipcache entry as the number its trie keeps beside it (`lookupNumInto`): the identity. */
export function ipcacheNum(v: IpcacheValue): number {
  return v.identity
}

/** A policy entry as the number its trie keeps beside it (`lookupNumInto`): prefix length · deny bit. */
export function policyNum(v: PolicyValue): number {
  return v.prefixLen * 2 + (v.deny ? 1 : 0)
}

/** LPM data words of a policy key: sec_label, then egress · protocol · dport. */
export function policyKeyWords(
  identity: number,
  egress: number,
  proto: number,
  port: number,
  out: number[],
): number[] {
  out[0] = identity >>> 0
  out[1] = ((egress << 24) | (proto << 16) | port) >>> 0
  return out
}
