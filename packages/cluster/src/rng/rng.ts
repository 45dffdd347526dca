/**
 * The one seeded random number generator used everywhere (generation, statistic --mode random, Cilium's
 * random backend selection, churn arrivals). xoshiro128** seeded through splitmix32: fast, 32-bit, and the
 * same sequence on every platform for the same seed.
 */
export interface Rng {
  /** next uint32 */
  u32(): number
  /** uniform float in [0, 1) */
  float(): number
  /** uniform integer in [0, n) */
  int(n: number): number
  /** uniform integer in [lo, hi] */
  range(lo: number, hi: number): number
  /** true with probability p */
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
  shuffle<T>(items: T[]): T[]
  /** an independent generator derived from this one's seed and a label (stable across call order) */
  fork(label: string): Rng
  readonly seed: number
}

function splitmix32(state: number): () => number {
  let s = state >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** FNV-1a of a string, for deriving fork seeds from labels. */
function hashLabel(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

export function createRng(seed: number): Rng {
  const init = splitmix32(seed)
  let a = init()
  let b = init()
  let c = init()
  let d = init()
  if ((a | b | c | d) === 0) a = 1
  const u32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0
    const t = (b << 9) >>> 0
    c ^= a
    d ^= b
    b ^= c
    a ^= d
    c ^= t
    d = rotl(d, 11)
    return result
  }
  const float = (): number => u32() / 4294967296
  const int = (n: number): number => {
    if (!(n > 0)) throw new RangeError(`rng.int: n must be positive, got ${n}`)
    return Math.floor(float() * n)
  }
  return {
    seed,
    u32,
    float,
    int,
    range: (lo, hi) => lo + int(hi - lo + 1),
    chance: (p) => float() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('rng.pick: empty list')
      return items[int(items.length)]
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1)
        const tmp = items[i]
        items[i] = items[j]
        items[j] = tmp
      }
      return items
    },
    fork: (label) => createRng(hashLabel(seed, label)),
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}
