import { u32ToIp } from '@dataplane-sim/cluster'
import { murmur3Hash128 } from './murmur3'
import { DEFAULT_MAGLEV_HASH_SEED, decodeMaglevSeed } from './seed'

/** Table sizes Cilium accepts for `--bpf-lb-maglev-table-size` (primes; pkg/maglev). */
export const MAGLEV_TABLE_SIZES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const

/** One backend as the Maglev table sees it. */
export interface MaglevBackend {
  id: number
  address: number
  port: number
  /** 'TCP' | 'UDP' | 'SCTP' as pkg/loadbalancer names them */
  protocol: string
  /** default 100 (loadbalancer.DefaultBackendWeight) */
  weight?: number
  /** internal-scope backend (internalTrafficPolicy=Local set): adds "/i" to its hash string */
  internal?: boolean
}

/**
 * The backend's name fed to murmur3 (pkg/maglev BackendInfo.setHashString): `[10.0.0.1:80/TCP,State:active]`.
 * Cilium keeps this format frozen so every node and every version builds the same table.
 */
export function maglevHashString(b: MaglevBackend): string {
  return `[${u32ToIp(b.address)}:${b.port}/${b.protocol}${b.internal ? '/i' : ''},State:active]`
}

/**
 * Builds a service's Maglev lookup table as cilium/cilium `pkg/maglev` does: backends sorted by hash string
 * (so insertion order never matters), per backend `offset = h1 % M` and `skip = h2 % (M − 1) + 1` from
 * murmur3_128(hash string, seed), then the classic Maglev fill where each backend in turn takes the next free
 * slot of its permutation; weights skip a backend's turn while `(n + 1) × weight < counter` (the Envoy
 * scheme; counters start at weight / N and grow by the weight sum), applied when weightSum / N > 1.
 * Returns backend ids, length M. Empty input → empty table.
 */
export function maglevTable(
  backends: readonly MaglevBackend[],
  m = 16381,
  seed: string = DEFAULT_MAGLEV_HASH_SEED,
): Uint32Array {
  if (!MAGLEV_TABLE_SIZES.includes(m as (typeof MAGLEV_TABLE_SIZES)[number]))
    throw new RangeError(`Maglev table size ${m} is not one of ${MAGLEV_TABLE_SIZES.join(', ')}`)
  const l = backends.length
  if (l === 0) return new Uint32Array(0)
  const { murmur } = decodeMaglevSeed(seed)
  const named = backends.map((b) => ({ b, name: maglevHashString(b) }))
  named.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))

  const mb = BigInt(m)
  const offset = new Float64Array(l)
  const skip = new Float64Array(l)
  const enc = new TextEncoder()
  for (let i = 0; i < l; i++) {
    const [h1, h2] = murmur3Hash128(enc.encode(named[i].name), murmur)
    offset[i] = Number(h1 % mb)
    skip[i] = Number((h2 % (mb - 1n)) + 1n)
  }

  const weights = named.map((x) => x.b.weight ?? 100)
  const weightSum = weights.reduce((a, w) => a + w, 0)
  const counter = weights.map((w) => w / l)
  // uint64 integer division in Go
  const weighted = Math.floor(weightSum / l) > 1

  const SENTINEL = 0xffffffff
  const entry = new Uint32Array(m).fill(SENTINEL)
  const filled = new Uint8Array(m)
  const next = new Float64Array(l)
  for (let n = 0; n < m; n++) {
    let i = n % l
    if (weighted) {
      // Go compares against uint64(weightCntr[i]): the counter truncated toward zero
      while ((n + 1) * weights[i] < Math.trunc(counter[i])) i = (i + 1) % l
      counter[i] += weightSum
    }
    // permutation[i][j] = (offset + j·skip) mod M, j = next[i]
    let c = (offset[i] + ((next[i] * skip[i]) % m)) % m
    while (filled[c]) {
      next[i]++
      c = (offset[i] + ((next[i] * skip[i]) % m)) % m
    }
    filled[c] = 1
    entry[c] = named[i].b.id
    next[i]++
  }
  return entry
}
