import type { BpfMapSpec } from './types'

/**
 * The kernel's `map_mem_usage` callbacks (Linux ≥ 6.4), which `bpftool map show` prints as `memlock`:
 * `htab_map_mem_usage` (kernel/bpf/hashtab.c), `trie_mem_usage` (kernel/bpf/lpm_trie.c),
 * `array_map_mem_usage` (kernel/bpf/arraymap.c). Struct sizes are x86-64 without debug options; the
 * map-header structs (`struct bpf_htab`, `struct bpf_array`) vary by kernel config and are approximated,
 * which moves the figure by well under 1 KiB.
 */
export const KERNEL_SIZES = {
  /** struct htab_elem without its key/value: hash_node/freelist union 16 + lru_node union 24 + hash 4 → 48 */
  htabElem: 48,
  /** struct bucket: hlist_nulls_head 8 + spinlock 4, padded */
  bucket: 16,
  /** HASHTAB_MAP_LOCK_COUNT: per-CPU `map_locked` ints */
  lockCount: 8,
  /** struct llist_node, added per element when not preallocated */
  llistNode: 8,
  /** struct bpf_htab (approximate: embeds struct bpf_map and struct bpf_lru) */
  htabHeader: 832,
  /** struct lpm_trie_node without data/value: rcu_head 16 + child[2] 16 + prefixlen 4 + flags 4 */
  lpmNode: 40,
  /** struct bpf_array (approximate: embeds struct bpf_map) */
  arrayHeader: 320,
} as const

export const DEFAULT_POSSIBLE_CPUS = 2

export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8
}

function roundUpPow2(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

/** htab_map_alloc: element = struct htab_elem + round_up(key, 8) + round_up(value, 8). */
export function htabElemSize(keySize: number, valueSize: number): number {
  return KERNEL_SIZES.htabElem + roundUp8(keySize) + roundUp8(valueSize)
}

/**
 * `htab_map_mem_usage`. Preallocated maps pay for max_entries elements (plus one spare per CPU for plain
 * hash maps, which `htab_map_update_elem` needs to replace an element in place) whatever they hold;
 * NO_PREALLOC maps pay per element present, plus an llist_node each.
 */
export function hashMemlock(spec: BpfMapSpec, entries: number): number {
  const cpus = spec.possibleCpus ?? DEFAULT_POSSIBLE_CPUS
  const lru = spec.type === 'lru_hash'
  const prealloc = lru || !spec.noPrealloc
  const valueSize = spec.type === 'hash_of_maps' ? 8 : spec.valueSize
  const elem = htabElemSize(spec.keySize, valueSize)
  let usage = KERNEL_SIZES.htabHeader
  usage += KERNEL_SIZES.bucket * roundUpPow2(spec.maxEntries)
  usage += 4 * cpus * KERNEL_SIZES.lockCount
  if (prealloc) {
    usage += elem * (spec.maxEntries + (lru ? 0 : cpus))
    if (!lru) usage += 8 * cpus
  } else {
    usage += (elem + KERNEL_SIZES.llistNode) * entries
  }
  return usage
}

/** `trie_mem_usage`: one node (struct + data + value) per entry; intermediate nodes are not counted. */
export function lpmMemlock(spec: BpfMapSpec, entries: number): number {
  const dataSize = spec.keySize - 4
  return (KERNEL_SIZES.lpmNode + dataSize + spec.valueSize) * entries
}

/** `array_map_mem_usage`: always max_entries × round_up(value, 8). */
export function arrayMemlock(spec: BpfMapSpec): number {
  return KERNEL_SIZES.arrayHeader + roundUp8(spec.valueSize) * spec.maxEntries
}

/** The memlock figure for any map type holding `entries` entries. */
export function memlockOf(spec: BpfMapSpec, entries: number): number {
  switch (spec.type) {
    case 'lpm_trie':
      return lpmMemlock(spec, entries)
    case 'array':
      return arrayMemlock(spec)
    default:
      return hashMemlock(spec, entries)
  }
}
