/**
 * A conntrack table keyed by both tuples of each connection, like the kernel's nf_conntrack hash
 * (net/netfilter/nf_conntrack_core.c): a packet finds its entry from either direction; NAT bindings are
 * fixed when the first packet's entry is confirmed and later packets are rewritten from the entry alone.
 */
export interface CtEntry {
  proto: number
  zone: number
  /** original tuple as the first packet arrived */
  origSrc: number
  origSport: number
  origDst: number
  origDport: number
  /** reply tuple: the reply comes from the DNAT target and goes to the SNAT address */
  replSrc: number
  replSport: number
  replDst: number
  replDport: number
  mark: number
  seenReply: boolean
  /** the source was rewritten by MASQUERADE/SNAT */
  snat: boolean
  masquerade: boolean
  dnat: boolean
}

export function newEntry(
  proto: number,
  zone: number,
  src: number,
  sport: number,
  dst: number,
  dport: number,
): CtEntry {
  return {
    proto,
    zone,
    origSrc: src,
    origSport: sport,
    origDst: dst,
    origDport: dport,
    replSrc: dst,
    replSport: dport,
    replDst: src,
    replDport: sport,
    mark: 0,
    seenReply: false,
    snat: false,
    masquerade: false,
    dnat: false,
  }
}

function hash(proto: number, zone: number, src: number, sport: number, dst: number, dport: number): number {
  let h1 = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b)
  h1 = Math.imul(h1 ^ dst ^ (h1 >>> 13), 0xc2b2ae35)
  h1 = Math.imul(h1 ^ ((sport << 16) | dport) ^ (h1 >>> 16), 0x27d4eb2f)
  const h2 = Math.imul((proto << 16) ^ zone ^ (h1 >>> 15), 0x165667b1) >>> 0
  return (h1 >>> 0) * 2 ** 21 + (h2 >>> 11)
}

export class Conntrack {
  private readonly table = new Map<number, CtEntry | CtEntry[]>()
  private count = 0

  get size(): number {
    return this.count
  }

  /** The entry whose original (dir 0) or reply (dir 1) tuple is this packet's, or null. */
  lookup(
    proto: number,
    zone: number,
    src: number,
    sport: number,
    dst: number,
    dport: number,
  ): [CtEntry, number] | null {
    const slot = this.table.get(hash(proto, zone, src, sport, dst, dport))
    if (!slot) return null
    const list = Array.isArray(slot) ? slot : [slot]
    for (const e of list) {
      if (e.proto !== proto || e.zone !== zone) continue
      if (e.origSrc === src && e.origSport === sport && e.origDst === dst && e.origDport === dport)
        return [e, 0]
      if (e.replSrc === src && e.replSport === sport && e.replDst === dst && e.replDport === dport)
        return [e, 1]
    }
    return null
  }

  /** Confirms a new entry (nf_conntrack_confirm): both tuples become findable. */
  insert(e: CtEntry): void {
    this.put(hash(e.proto, e.zone, e.origSrc, e.origSport, e.origDst, e.origDport), e)
    this.put(hash(e.proto, e.zone, e.replSrc, e.replSport, e.replDst, e.replDport), e)
    this.count++
  }

  private put(k: number, e: CtEntry): void {
    const slot = this.table.get(k)
    if (!slot) this.table.set(k, e)
    else if (Array.isArray(slot)) slot.push(e)
    else if (slot !== e) this.table.set(k, [slot, e])
  }

  entries(): CtEntry[] {
    const seen = new Set<CtEntry>()
    for (const slot of this.table.values()) for (const e of Array.isArray(slot) ? slot : [slot]) seen.add(e)
    return [...seen]
  }

  clear(): void {
    this.table.clear()
    this.count = 0
  }
}
