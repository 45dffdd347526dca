import type { CostProfile } from '@dataplane-sim/cluster'
import { NFT_COMPAT_OPS_BYTES } from '../cost/nftLayout'

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
  /** bytes of the rule entries evaluated (cost/blobBytes.ts sizes: the legacy x_tables blob) */
  bytes: number
  /** of `matches`, those iptables-nft calls through nft_compat (cost/nftLayout.ts); 0 when not counted */
  compatMatches?: number
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
    compat: `ipt.compat${s}`,
    scatteredBytes: `ipt.scatteredBytes${s}`,
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
 * The bytes of one packet's walks that can fall out of the caches, in the backend's own memory layout.
 * Legacy: ipt_do_table (net/ipv4/netfilter/ip_tables.c) steps through the table blob entry by entry
 * (`ipt_next_entry`), so a walk reads the x_tables entries it evaluates (`bytes`). nft: nf_tables keeps a
 * chain's rules and their expressions contiguous in the chain's rule blob (nft_rule_dp), read in order and
 * prefetched — measured here, 50k kube-proxy-shaped rules (~9 MB of blob) walk without a step — but each
 * nft_compat match it evaluates reads its own separately allocated `nft_expr_ops` (cost/nftLayout.ts), one
 * scattered object per rule: those are the bytes that fall out (measured: the per-rule cost of one compat
 * match steps up 2.5× between 10k and 20k such rules, 1.9 and 3.8 MB of them, and stays there at 50k).
 */
export function walkMemoryBytes(w: WalkTotals, backend: PacketBackend): number {
  return backend === 'nft' ? (w.compatMatches ?? 0) * NFT_COMPAT_OPS_BYTES : w.bytes
}

/**
 * The bytes of a walk with memory `memory` re-read from memory on every packet, for a cache-resident size
 * `cacheBytes`. Legacy's blob is read in order, and the hardware prefetcher hides part of a walk too large
 * for the caches: only the bytes beyond the resident size are paid for. nft's compat objects are scattered
 * (no prefetch) and a walk visits them in the same cyclic order every packet, which an LRU-like cache loses
 * entirely once they do not all fit (each is evicted before its next use): every byte is paid for — as
 * measured, the same extra per rule at 20k and 50k compat rules.
 */
export function uncachedBytes(memory: number, backend: PacketBackend, cacheBytes: number): number {
  if (memory <= cacheBytes) return 0
  return backend === 'nft' ? memory : memory - cacheBytes
}

/**
 * The cost counts of one packet's walks. While the walk's memory (walkMemoryBytes) stays in the caches
 * between packets each rule costs `ipt.rule` (and `ipt.match` per match called); beyond the cache-resident
 * size (`ipt.cacheBytes`) the bytes uncachedBytes gives are re-read from memory on every packet, at
 * `ipt.uncachedBytes` ns per byte. A cold walk (nothing cached when it starts) has a cache-resident size of
 * 0: every byte it reads is uncached. Measured on this machine kind (reports/kernel): warm legacy walks of kube-proxy-sized rules
 * (488 bytes each) cost ~4.8 ns per rule while they fit the 512 KiB L2 (1k rules) and ~6 ns streamed from L3
 * (5k–20k); the kernel lab sets legacy's `ipt.cacheBytes` to the L2 size sysfs reports rather than fitting it.
 * At 50k (24 MB, more than one CPU's share of the shared L3) the cost is bimodal between passes.
 */
export function walkCounts(
  w: WalkTotals,
  backend: PacketBackend,
  cacheBytes: number,
): Record<string, number> {
  const k = walkKeys(backend)
  const memory = walkMemoryBytes(w, backend)
  const out: Record<string, number> = {
    [k.rule]: w.rules,
    [k.match]: w.matches,
    [k.chain]: w.chains,
    [k.bytes]: w.bytes,
    [k.uncachedBytes]: uncachedBytes(memory, backend, cacheBytes),
  }
  if (backend === 'nft') {
    out[k.compat] = w.compatMatches ?? 0
    out[k.scatteredBytes] = memory
  }
  return out
}
