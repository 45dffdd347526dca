const M64 = (1n << 64n) - 1n
const C1 = 0x87c37b91114253d5n
const C2 = 0x4cf5ad432745937fn

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64
}

function fmix64(k: bigint): bigint {
  k ^= k >> 33n
  k = (k * 0xff51afd7ed558ccdn) & M64
  k ^= k >> 33n
  k = (k * 0xc4ceb9fe1a85ec53n) & M64
  k ^= k >> 33n
  return k
}

function readU64LE(data: Uint8Array, at: number, len: number): bigint {
  let v = 0n
  for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[at + i])
  return v
}

/**
 * MurmurHash3_x64_128 as cilium/cilium `pkg/murmur3.Hash128` computes it on a little-endian machine
 * (blocks read as little-endian u64, seed in both halves). BigInt arithmetic: it runs once per backend when a
 * Maglev table is built, never per packet.
 */
export function murmur3Hash128(data: Uint8Array, seed: number): [h1: bigint, h2: bigint] {
  const n = data.length
  const nblocks = Math.floor(n / 16)
  let h1 = BigInt(seed >>> 0)
  let h2 = h1
  for (let i = 0; i < nblocks; i++) {
    let k1 = readU64LE(data, i * 16, 8)
    let k2 = readU64LE(data, i * 16 + 8, 8)
    k1 = (k1 * C1) & M64
    k1 = rotl64(k1, 31n)
    k1 = (k1 * C2) & M64
    h1 ^= k1
    h1 = rotl64(h1, 27n)
    h1 = (h1 + h2) & M64
    h1 = (h1 * 5n + 0x52dce729n) & M64
    k2 = (k2 * C2) & M64
    k2 = rotl64(k2, 33n)
    k2 = (k2 * C1) & M64
    h2 ^= k2
    h2 = rotl64(h2, 31n)
    h2 = (h2 + h1) & M64
    h2 = (h2 * 5n + 0x38495ab5n) & M64
  }
  const tail = nblocks * 16
  const rest = n & 15
  if (rest > 8) {
    let k2 = readU64LE(data, tail + 8, rest - 8)
    k2 = (k2 * C2) & M64
    k2 = rotl64(k2, 33n)
    k2 = (k2 * C1) & M64
    h2 ^= k2
  }
  if (rest > 0) {
    let k1 = readU64LE(data, tail, Math.min(rest, 8))
    k1 = (k1 * C1) & M64
    k1 = rotl64(k1, 31n)
    k1 = (k1 * C2) & M64
    h1 ^= k1
  }
  const len = BigInt(n)
  h1 ^= len
  h2 ^= len
  h1 = (h1 + h2) & M64
  h2 = (h2 + h1) & M64
  h1 = fmix64(h1)
  h2 = fmix64(h2)
  h1 = (h1 + h2) & M64
  h2 = (h2 + h1) & M64
  return [h1, h2]
}
