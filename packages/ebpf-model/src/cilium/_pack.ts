/**
 * Packs struct fields into short strings usable as JS Map keys: each char carries 16 bits, so a 14-byte CT
 * tuple is 7 chars. Only the wrappers see these; callers pass fields.
 */
export function packLb4Key(
  address: number,
  dport: number,
  proto: number,
  scope: number,
  slot: number,
): string {
  return String.fromCharCode(
    address >>> 16,
    address & 0xffff,
    dport,
    slot,
    ((proto & 0xff) << 8) | (scope & 0xff),
  )
}

export function unpackLb4Key(
  k: string,
): [address: number, dport: number, proto: number, scope: number, slot: number] {
  const c4 = k.charCodeAt(4)
  return [
    ((k.charCodeAt(0) << 16) | k.charCodeAt(1)) >>> 0,
    k.charCodeAt(2),
    c4 >>> 8,
    c4 & 0xff,
    k.charCodeAt(3),
  ]
}

export function packTuple(
  daddr: number,
  saddr: number,
  dport: number,
  sport: number,
  nexthdr: number,
  flags: number,
): string {
  return String.fromCharCode(
    daddr >>> 16,
    daddr & 0xffff,
    saddr >>> 16,
    saddr & 0xffff,
    dport,
    sport,
    ((nexthdr & 0xff) << 8) | (flags & 0xff),
  )
}

export function unpackTuple(
  k: string,
): [daddr: number, saddr: number, dport: number, sport: number, nexthdr: number, flags: number] {
  const c6 = k.charCodeAt(6)
  return [
    ((k.charCodeAt(0) << 16) | k.charCodeAt(1)) >>> 0,
    ((k.charCodeAt(2) << 16) | k.charCodeAt(3)) >>> 0,
    k.charCodeAt(4),
    k.charCodeAt(5),
    c6 >>> 8,
    c6 & 0xff,
  ]
}
