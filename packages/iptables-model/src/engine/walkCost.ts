import type { CostProfile } from '@dataplane-sim/cluster'

/** Which iptables binary installed the rules a packet walks: the x_tables blob, or nftables underneath. */
export type PacketBackend = 'legacy' | 'nft'

/** What one packet's walks through the tables did (summed over every hook it crossed). */
export interface WalkTotals {
  /** rules evaluated */
  rules: number
  /** extension matches called */
  matches: number
  /** chains entered (built-in chains of each hook, and each jump/goto) */
  chains: number
  /** bytes of the rule entries evaluated (cost/blobBytes.ts sizes) */
  bytes: number
}

/**
 * The constant that says how many bytes of rule entries a walk can touch and still find in the CPU caches on
 * the next packet. A profile constant (unit `bytes`), never multiplied: the engine reads it to split a walk's
 * bytes into cached and uncached ones. Without it every walk is treated as cache-resident.
 */
export const CACHE_BYTES_KEY = 'ipt.cacheBytes'

/**
 * Count keys of a walk under each backend. The nft keys carry a `:nft` suffix, so a profile that has an nft
 * constant (`ipt.rule:nft`, fitted by the kernel lab) prices an iptables-nft node with it, and one that has
 * not falls back to the legacy constant (`modelCost`'s `a:b` rule).
 */
export function walkKeys(backend: PacketBackend) {
  const s = backend === 'nft' ? ':nft' : ''
  return {
    rule: `ipt.rule${s}`,
    match: `ipt.match${s}`,
    chain: `ipt.chain${s}`,
    bytes: `ipt.bytes${s}`,
    uncachedBytes: `ipt.uncachedBytes${s}`,
  } as const
}

/** The cache-resident size a profile gives `backend` (its `:nft` variant first), Infinity when none. */
export function cacheBytesOf(profile: CostProfile, backend: PacketBackend): number {
  const c =
    (backend === 'nft' ? profile.constants[`${CACHE_BYTES_KEY}:nft`] : undefined) ??
    profile.constants[CACHE_BYTES_KEY]
  return c && Number.isFinite(c.value) ? c.value : Number.POSITIVE_INFINITY
}

/**
 * The cost counts of one packet's walks. ipt_do_table (net/ipv4/netfilter/ip_tables.c) steps through the
 * table blob entry by entry (`ipt_next_entry`), so a walk reads the entries it evaluates; while those bytes
 * stay in the caches between packets each rule costs `ipt.rule` (and `ipt.match` per match called), and the
 * bytes beyond the cache-resident size (`ipt.cacheBytes`) are re-read from memory on every packet, at
 * `ipt.uncachedBytes` ns per byte. A cold walk (nothing cached when it starts) has a cache-resident size of 0:
 * every byte it reads is uncached. Measured on this machine kind (reports/kernel): warm FORWARD walks of
 * kube-proxy-sized rules (488 bytes each) cost ~6 ns per rule up to 20k rules (9.8 MB) and a little more at
 * 50k (24 MB); cold first-packet walks of the same rules cost ~25 ns per rule.
 */
export function walkCounts(
  w: WalkTotals,
  backend: PacketBackend,
  cacheBytes: number,
): Record<string, number> {
  const k = walkKeys(backend)
  return {
    [k.rule]: w.rules,
    [k.match]: w.matches,
    [k.chain]: w.chains,
    [k.bytes]: w.bytes,
    [k.uncachedBytes]: w.bytes > cacheBytes ? w.bytes - cacheBytes : 0,
  }
}
