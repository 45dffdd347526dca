import { CT_LIFETIME } from '../cilium/constants'
import { BpfLruTupleMap } from '../maps/lruTupleMap'
import type { OpCounts } from '../maps/opCounts'
import type { BpfMapSpec } from '../maps/types'

export interface CtValue {
  /** expiry, seconds of the node clock */
  expires: number
  created: number
  seenNonSyn: boolean
  closing: boolean
  revNat: number
  backendId: number
  srcIdentity: number
  packets: number
  /** the original tuple (for dumps) */
  tuple: CtTuple
  service: boolean
}

export interface CtTuple {
  proto: number
  saddr: number
  sport: number
  daddr: number
  dport: number
}

/** A CT key as text (`proto|saddr|sport|daddr|dport|s`): what `entries()` keys dumps by. */
export function ctKey(
  proto: number,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
  service: boolean,
): string {
  return `${proto}|${saddr}|${sport}|${daddr}|${dport}|${service ? 's' : ''}`
}

/** Value words of a conntrack slot (`struct ct_entry` fields the model keeps). */
export const CT = {
  EXPIRES: 0,
  CREATED: 1,
  PACKETS: 2,
  REV_NAT: 3,
  BACKEND_ID: 4,
  SRC_IDENTITY: 5,
  FLAGS: 6,
} as const
const STRIDE = 8

export const CT_SEEN_NON_SYN = 1
export const CT_CLOSING = 2
export const CT_SERVICE = 4

/** The 32-bit word packing both ports of a tuple key. */
export function portsWord(sport: number, dport: number): number {
  return ((sport & 0xffff) << 16) | (dport & 0xffff)
}

/** The key word packing the protocol and the TUPLE_F_SERVICE flag. */
function protoWord(proto: number, service: boolean): number {
  return (proto << 1) | (service ? 1 : 0)
}

/**
 * Lifetime in seconds of an entry in state `flags` (`bpf/lib/conntrack.h` ct_update_timeout): the numeric
 * twin of `ctLifetime`.
 */
export function ctLifetimeOf(proto: number, flags: number): number {
  const service = (flags & CT_SERVICE) !== 0
  if (proto !== 6) return service ? CT_LIFETIME.serviceNonTcp : CT_LIFETIME.nonTcp
  if (flags & CT_CLOSING) return CT_LIFETIME.tcpClose
  if (!(flags & CT_SEEN_NON_SYN)) return CT_LIFETIME.tcpSyn
  return service ? CT_LIFETIME.serviceTcp : CT_LIFETIME.tcp
}

/**
 * `cilium_ct4_global` / `cilium_ct_any4_global` as the datapath uses them (`bpf/lib/conntrack.h`,
 * `pkg/maps/ctmap`): an LRU hash keyed by the 5-tuple and the TUPLE_F_SERVICE flag (saddr, daddr,
 * sport·dport, proto·service), values in the slot's words (`CT`). Programs write an entry in place through
 * the slot, as they write through the lookup pointer. `entries()` materialises `CtValue` records for dumps.
 */
export class CtTable extends BpfLruTupleMap {
  constructor(spec: Omit<BpfMapSpec, 'type'>) {
    super(spec, STRIDE)
  }

  /** ct_lookup4 of one tuple direction, counted; the slot or −1. */
  find(
    proto: number,
    saddr: number,
    sport: number,
    daddr: number,
    dport: number,
    service: boolean,
    ops: OpCounts,
  ): number {
    return this.lookupInto(saddr, daddr, portsWord(sport, dport), protoWord(proto, service), ops)
  }

  /** ct_lookup4 of a tuple with its reverse's read overlapped; the reverse counted by `findReverse`. */
  findWithReverse(
    proto: number,
    saddr: number,
    sport: number,
    daddr: number,
    dport: number,
    service: boolean,
    ops: OpCounts,
  ): number {
    const pw = protoWord(proto, service)
    return this.lookupPairInto(
      saddr,
      daddr,
      portsWord(sport, dport),
      pw,
      daddr,
      saddr,
      portsWord(dport, sport),
      pw,
      ops,
    )
  }

  /** The reverse tuple of the last `findWithReverse`, counted now. */
  findReverse(ops: OpCounts): number {
    return this.lookupSecondInto(ops)
  }

  /** ct_create4: a new entry written by the program; returns its slot. */
  create(
    proto: number,
    saddr: number,
    sport: number,
    daddr: number,
    dport: number,
    service: boolean,
    now: number,
    revNat: number,
    backendId: number,
    srcIdentity: number,
    seenNonSyn: boolean,
    ops: OpCounts,
    absent = false,
  ): number {
    const e = this.update(
      saddr,
      daddr,
      portsWord(sport, dport),
      protoWord(proto, service),
      0,
      ops,
      'prog',
      absent,
    )
    const vals = this.vals
    const o = e * STRIDE
    const flags = (seenNonSyn ? CT_SEEN_NON_SYN : 0) | (service ? CT_SERVICE : 0)
    vals[o + CT.CREATED] = now
    vals[o + CT.EXPIRES] = now + ctLifetimeOf(proto, flags)
    vals[o + CT.PACKETS] = 1
    vals[o + CT.REV_NAT] = revNat
    vals[o + CT.BACKEND_ID] = backendId
    vals[o + CT.SRC_IDENTITY] = srcIdentity
    vals[o + CT.FLAGS] = flags
    return e
  }

  /** ct_update of an established entry: packet count, TCP flags seen, new expiry. */
  touch(e: number, proto: number, closing: boolean, nonSyn: boolean, now: number): void {
    const vals = this.vals
    const o = e * STRIDE
    vals[o + CT.PACKETS]++
    let flags = vals[o + CT.FLAGS]
    if (nonSyn) flags |= CT_SEEN_NON_SYN
    if (closing) flags |= CT_CLOSING
    vals[o + CT.FLAGS] = flags
    vals[o + CT.EXPIRES] = now + ctLifetimeOf(proto, flags)
  }

  /**
   * Maps the pages behind the value and key words of slots [0, `slots`) now, each rewritten in place with
   * what it holds (contents unchanged), as the kernel writes a preallocated LRU map's elements when it
   * creates the map (htab_map_alloc → prealloc_init): otherwise the model's first pass over fresh slots pays
   * a page fault every 64 conntrack entries (values) and 256 (keys), ~28 per 1000 first packets, a
   * simulator cost the kernel's steady state does not have. The hash buckets too, as they are now (call it
   * after `reserveBuckets`: a rehash makes new ones): buckets are written at random places, so a fresh 8 MiB
   * of them faults a page every few packets until all are mapped. The LRU links column as well (1 fault per
   * 256 entries otherwise).
   */
  prefault(slots: number): void {
    touchPages(this.vals, slots * this.stride)
    touchPages(this.keyWords, slots * 4)
    touchPages(this.linkWords, slots * 4)
    touchPages(this.bucketWords, this.bucketWords.length)
  }

  get(e: number, field: number): number {
    return this.vals[e * STRIDE + field]
  }

  /** The entry in slot `e` as a record (a copy: for dumps and tests). */
  value(e: number): CtValue {
    const vals = this.vals
    const o = e * STRIDE
    const flags = vals[o + CT.FLAGS]
    const d = this.keyWord(e, 3)
    const ports = this.keyWord(e, 2)
    return {
      expires: vals[o + CT.EXPIRES],
      created: vals[o + CT.CREATED],
      seenNonSyn: (flags & CT_SEEN_NON_SYN) !== 0,
      closing: (flags & CT_CLOSING) !== 0,
      service: (flags & CT_SERVICE) !== 0,
      revNat: vals[o + CT.REV_NAT],
      backendId: vals[o + CT.BACKEND_ID],
      srcIdentity: vals[o + CT.SRC_IDENTITY],
      packets: vals[o + CT.PACKETS],
      tuple: {
        proto: d >>> 1,
        saddr: this.keyWord(e, 0),
        sport: ports >>> 16,
        daddr: this.keyWord(e, 1),
        dport: ports & 0xffff,
      },
    }
  }

  /** Entries from the oldest to the youngest, keyed as `ctKey` prints a tuple. */
  *entries(): IterableIterator<[string, CtValue]> {
    for (const e of this.slots()) {
      const v = this.value(e)
      const t = v.tuple
      yield [ctKey(t.proto, t.saddr, t.sport, t.daddr, t.dport, v.service), v]
    }
  }
}

/** Elements per 4 KiB page of a typed array (8-byte elements: 512). */
const PAGE_BYTES = 4096

/** Rewrites one element per page of `a`'s first `n` elements with its own value: the pages are mapped, nothing changes. */
export function touchPages(a: Float64Array | Int32Array, n: number): void {
  const end = Math.min(n, a.length)
  const step = PAGE_BYTES / a.BYTES_PER_ELEMENT
  for (let i = 0; i < end; i += step) {
    const v = a[i]
    a[i] = v
  }
}
