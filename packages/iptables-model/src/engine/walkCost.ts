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
 * The constant that says how many bytes of rule entries a cold walk can read before it outgrows the part of
 * the last-level cache its CPU can count on (the L3 size sysfs reports ÷ the CPUs sharing it; the kernel lab
 * writes it from sysfs, not fitted). A profile constant (unit `bytes`), never multiplied, like CACHE_BYTES_KEY.
 * Without it no walk has an LLC term.
 */
export const LLC_SHARE_BYTES_KEY = 'ipt.llcShareBytes'

/**
 * The ways of each L3 set that share holds (sysfs index3 ways_of_associativity ÷ the CPUs sharing the L3: 8 of
 * 16 on this machine kind). A profile constant (unit `ways`), never multiplied: with it the engine prices a cold
 * walk's bytes that conflict in the L3 under random page placement (llcMissedBytes); without it, only the bytes
 * beyond the share (the many-ways limit of the same formula).
 */
export const LLC_SHARE_WAYS_KEY = 'ipt.llcShareWays'

/**
 * The whole L3 (sysfs index3 size), which a warm walk has mostly to itself: back-to-back packets on one CPU while
 * the CPUs sharing its L3 are mostly idle (the FORWARD sweeps behind `ping`; walkCounts says what was measured). A profile constant (unit `bytes`), never
 * multiplied: with it (and LLC_WAYS_KEY) the engine prices a warm walk's bytes whose pages overfill their L3
 * sets (llcMissedBytes) at `ipt.llcMissBytes`. Without it warm walks have no LLC term.
 */
export const LLC_BYTES_KEY = 'ipt.llcBytes'

/** The ways of each set of the whole L3 (sysfs index3 ways_of_associativity: 16 here). Never multiplied. */
export const LLC_WAYS_KEY = 'ipt.llcWays'

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
    llcMissBytes: `ipt.llcMissBytes${s}`,
    /** cold legacy walks: the L2 share their entries evicted (l2Evicted) */
    l2Refill: `ipt.l2Refill${s}`,
  } as const
}

/**
 * A machine constant (bytes, ways: never multiplied) of `profile` for `backend` (its `:nft` variant first),
 * Infinity when none.
 */
function machineConstantOf(profile: CostProfile, key: string, backend: PacketBackend): number {
  const c = (backend === 'nft' ? profile.constants[`${key}:nft`] : undefined) ?? profile.constants[key]
  return c && Number.isFinite(c.value) ? c.value : Number.POSITIVE_INFINITY
}

/** The cache-resident size a profile gives `backend` (its `:nft` variant first), Infinity when none. */
export function cacheBytesOf(profile: CostProfile, backend: PacketBackend): number {
  return machineConstantOf(profile, CACHE_BYTES_KEY, backend)
}

/** The last-level-cache share a profile gives `backend` (its `:nft` variant first), Infinity when none. */
export function llcShareBytesOf(profile: CostProfile, backend: PacketBackend): number {
  return machineConstantOf(profile, LLC_SHARE_BYTES_KEY, backend)
}

/** The ways of the L3 share a profile gives `backend` (its `:nft` variant first), Infinity when none. */
export function llcShareWaysOf(profile: CostProfile, backend: PacketBackend): number {
  return machineConstantOf(profile, LLC_SHARE_WAYS_KEY, backend)
}

/** The cache sizes a profile prices `backend`'s walks with (walkCountsAs). */
export interface WalkCaches {
  cacheBytes: number
  /** one CPU's share of the L3 a cold walk can count on (Infinity or absent: no LLC term) */
  llcShareBytes?: number
  /** ways of each L3 set the share holds (Infinity: unknown, the bytes beyond the share are what misses) */
  llcShareWays?: number
  /** the whole L3, which a warm walk has mostly to itself (Infinity or absent: warm walks have no LLC term) */
  llcBytes?: number
  /** ways of each set of the whole L3 (Infinity: unknown, the bytes beyond it are what misses) */
  llcWays?: number
}

export function walkCachesOf(profile: CostProfile, backend: PacketBackend): WalkCaches {
  return {
    cacheBytes: cacheBytesOf(profile, backend),
    llcShareBytes: llcShareBytesOf(profile, backend),
    llcShareWays: llcShareWaysOf(profile, backend),
    llcBytes: machineConstantOf(profile, LLC_BYTES_KEY, backend),
    llcWays: machineConstantOf(profile, LLC_WAYS_KEY, backend),
  }
}

/**
 * The bytes of a cold walk's `memory` that its CPU's share of the L3 cannot hold: `shareBytes` of a physically
 * indexed, set-associative L3, `shareWays` ways of each set. A large x_tables blob is vmalloc'ed page by page
 * (xt_alloc_table_info, net/netfilter/x_tables.c: kvmalloc), so where its pages fall among the L3's page
 * colours (sets a page maps to: L3 ÷ (ways × 4 KiB), 512 here) is the allocator's choice, not the blob's order.
 * With pages placed at random, a colour receives N ~ Poisson(λ) of them, λ = shareWays × memory ÷ shareBytes
 * (the share's colours × ways pages hold shareBytes), and a colour given more pages than its ways keeps
 * `shareWays` of them and re-reads the rest on every walk: the expected missing bytes are memory × E[(N − A)⁺] ÷ λ.
 * Conflict misses start well before the walk outgrows the share (Kessler & Hill, "Page placement algorithms for
 * large real-indexed caches", ACM TOCS 1992): with 8 ways of 16 MiB, 0.04 % of 4.9 MB (10k kube-proxy
 * services), 9 % of 14.6 MB (30k), 21 % of 19.5 MB (40k), 33 % of 24.4 MB (50k). The page size cancels out of λ.
 * As the ways grow it tends to memory − shareBytes (every byte beyond the share), the formula used when the ways
 * are not known. Which colours a restore's pages got is random: reports/kernel/restore-probe measured legacy
 * first packets at 30k and 40k services over 8 fresh restores of the same table, 3 batches each, and 71–81 % of
 * the variance lay between restores. Less than one cache line expected counts as none.
 */
export function llcMissedBytes(
  memory: number,
  shareBytes: number,
  shareWays = Number.POSITIVE_INFINITY,
): number {
  if (!(memory > 0) || !Number.isFinite(shareBytes)) return 0
  if (!Number.isFinite(shareWays)) return memory > shareBytes ? memory - shareBytes : 0
  const a = Math.max(1, Math.round(shareWays))
  const lambda = (a * memory) / shareBytes
  // E[(N − a)⁺] = λ − a + Σ_{k<a} (a − k) P(N = k)
  let p = Math.exp(-lambda)
  let below = 0
  for (let k = 0; k < a; k++) {
    below += (a - k) * p
    p *= lambda / (k + 1)
  }
  const excess = Math.max(0, lambda - a + below)
  const missed = Math.min(memory, (memory * excess) / lambda)
  // less than one cache line expected: the walk misses nothing (a 1k-rule table's ~1e-9 bytes would otherwise
  // make the term look measured by sweeps that never come near the share)
  return missed < LINE_BYTES ? 0 : missed
}

/** Bytes of a cache line: the unit a walk misses in. */
const LINE_BYTES = 64

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
 *
 * Cold walks also count the bytes of their memory their CPU's share of the L3 cannot hold (`ipt.llcMissBytes`, on
 * top of `ipt.uncachedBytes`; llcMissedBytes: `llcShareBytes` with `llcShareWays` ways per set, pages placed at
 * random): measured on this machine kind (reports/kernel/l3-probe, machine idle), legacy first packets cost 7.8 /
 * 8.9 / 9.0 ns per rule at 10k / 20k / 30k services (4.9 / 9.8 / 14.6 MB of entries) and 19.0 / 28.9 at 40k /
 * 50k (19.5 / 24.4 MB), against one CPU's half of the 32 MiB L3 (16.8 MB); over 8 fresh restores each
 * (reports/kernel/restore-probe) 30k cost 229–769 µs and 40k 578–1483, the restore deciding which: the walk
 * goes to DRAM for the bytes whose L3 sets its pages overfill. The first packet's sender does user-space socket
 * work on the walking CPU between walks, which competes for the L3 too; warm FORWARD walks behind `ping` over
 * the same 24.4 MB grew far less: their CPU runs packet after packet with its L3 neighbour mostly idle, so
 * walkCountsAs prices them with the whole L3 (`llcBytes`, `llcWays`: 0.4 MB of 24.4 MB overfill their sets
 * with 16 ways of 32 MiB, ~100–150 µs a round trip), not with one CPU's share (8 MB). Measured: the six quiet
 * calibrations' 50k FORWARD points were 0.70–1.34 ms a round trip, bimodal between passes, against 0.66–0.73
 * modeled without the term (and 0.69–0.82 with it); on a machine idle but for the probe (reports/kernel/l3-probe,
 * vs-model.md) 674 µs, under the term (+22 % at 50k where 10k–40k are +8–12 %). So the term is what the lab's
 * conditions (the orchestrating processes on the other CPU part of the time) cost, not an idle machine's.
 */
export function walkCounts(
  w: WalkTotals,
  backend: PacketBackend,
  cacheBytes: number,
  llcShareBytes = Number.POSITIVE_INFINITY,
  llcShareWays = Number.POSITIVE_INFINITY,
): Record<string, number> {
  const k = walkKeys(backend)
  const memory = walkMemoryBytes(w, backend)
  const out: Record<string, number> = {
    [k.rule]: w.rules,
    [k.match]: w.matches,
    [k.chain]: w.chains,
    [k.bytes]: w.bytes,
    [k.uncachedBytes]: uncachedBytes(memory, backend, cacheBytes),
    [k.llcMissBytes]: llcMissedBytes(memory, llcShareBytes, llcShareWays),
  }
  if (backend === 'nft') {
    out[k.compat] = w.compatMatches ?? 0
    out[k.scatteredBytes] = memory
  }
  return out
}

/**
 * The cost counts of a warm or a cold walk: a warm walk keeps `caches.cacheBytes` resident between packets and
 * pays for the bytes whose pages overfill their sets of the whole L3 (`caches.llcBytes`, `caches.llcWays`: its
 * CPU runs packet after packet while the CPUs sharing the L3 are idle); a cold one (nothing cached when it starts) has nothing resident, pays for the bytes its L3
 * share (`caches.llcShareBytes`, `caches.llcShareWays` ways) cannot hold (walkCounts, llcMissedBytes) and, under
 * legacy, for the L2 its entries evicted (`ipt.l2Refill`, l2Evicted with the L2 `caches.cacheBytes`). The one
 * place that rule lives: the engine and the kernel lab's counts both go through it.
 */
export function walkCountsAs(
  w: WalkTotals,
  backend: PacketBackend,
  caches: WalkCaches,
  cold: boolean,
): Record<string, number> {
  if (!cold) return walkCounts(w, backend, caches.cacheBytes, caches.llcBytes, caches.llcWays)
  const out = walkCounts(w, backend, 0, caches.llcShareBytes, caches.llcShareWays)
  if (backend === 'legacy') out[walkKeys(backend).l2Refill] = l2Evicted(w.bytes, caches.cacheBytes)
  return out
}

/**
 * The share of the walking CPU's L2 that a cold legacy walk of `memory` bytes of x_tables entries streams
 * through: min(1, memory ÷ cacheBytes). A walk is cold because the CPU's other work between two walks evicted
 * it; in turn the walk evicts that work's L2-resident lines, which the work re-reads from L3 after the packet:
 * `ipt.l2Refill` ns for a whole L2. Measured on this machine kind (reports/kernel, six quiet full calibrations
 * re-fitted): without the term every run's legacy first packet at 1k services (488 KB of entries, about the
 * 512 KiB L2) was 2–3 µs over the model (−21 to −28 %) while 5k–10k fitted; with it they fit within 3 %,
 * `ipt.l2Refill` 1.9–3.8 µs. The lab's baseline flows walk none of the table (walks.ts natFirstWalkShape), so
 * this is the table's own cost, not the packet path's. Legacy only: an nft walk's streamed bytes are its chain
 * blob, which the model does not size (its walk memory is the compat objects), and its first packets show no
 * such deficit. 0 without a finite cache-resident size.
 */
export function l2Evicted(memory: number, cacheBytes: number): number {
  if (!(memory > 0) || !Number.isFinite(cacheBytes) || !(cacheBytes > 0)) return 0
  return Math.min(1, memory / cacheBytes)
}
