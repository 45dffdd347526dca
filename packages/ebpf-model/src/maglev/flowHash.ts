const JHASH_INITVAL = 0xdeadbeef

function rol32(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0
}

/** jhash_3words (bpf/lib/jhash.h, from the kernel's include/linux/jhash.h), uint32 arithmetic. */
export function jhash3words(a: number, b: number, c: number, initval: number): number {
  const iv = (initval + JHASH_INITVAL + (3 << 2)) >>> 0
  a = (a + iv) >>> 0
  b = (b + iv) >>> 0
  c = (c + iv) >>> 0
  c = ((c ^ b) - rol32(b, 14)) >>> 0
  a = ((a ^ c) - rol32(c, 11)) >>> 0
  b = ((b ^ a) - rol32(a, 25)) >>> 0
  c = ((c ^ b) - rol32(b, 16)) >>> 0
  a = ((a ^ c) - rol32(c, 4)) >>> 0
  b = ((b ^ a) - rol32(a, 14)) >>> 0
  c = ((c ^ b) - rol32(b, 24)) >>> 0
  return c
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0
}

function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff)
}

/**
 * `__hash_from_tuple_v4` (bpf/lib/lb.h): the flow hash Maglev indexes with, `hash % M`. Fields are network
 * order in the packet and read as host (little-endian) words, so addresses and ports are byte-swapped here
 * from the host-order numbers the model uses. `seed` is HASH_INIT4_SEED (`decodeMaglevSeed().jhash0`); with
 * session affinity Cilium passes sport 0.
 */
export function maglevFlowHash(
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  seed: number,
): number {
  return jhash3words(bswap32(saddr), bswap32(daddr), ((bswap16(dport) << 16) | bswap16(sport)) >>> 0, seed)
}
