import type { CostConstant } from '@dataplane-sim/cluster'

/**
 * Modeled kernel nanoseconds per BPF map operation, keyed as maps count them (`bpf.lookup.hash`, …; a count
 * `bpf.lookup.hash:cilium_lxc` falls back to `bpf.lookup.hash` in `modelCost`). Derived from
 * shared/anchors.md; each `source` says how.
 */
export const EBPF_MAP_CONSTANTS: Record<string, CostConstant> = {
  'bpf.lookup.hash': {
    value: 25.7,
    unit: 'ns',
    source:
      'bpf-next hashmap lookup benchmark (2023): 19.7 ns at 6% full, 31.7 ns at 100% full of 65,536 entries; ' +
      'midpoint of the two, since Cilium maps run between those fills (anchors.md, "Published")',
  },
  'bpf.lookup.lru_hash': {
    value: 28.7,
    unit: 'ns',
    source:
      'hash lookup midpoint 25.7 ns (anchors.md) + ~3 ns for bpf_lru_node_set_ref, a conditional store to the ' +
      'element (kernel/bpf/hashtab.c htab_lru_map_lookup_elem); estimate, not measured',
  },
  'bpf.lookup.lpm_trie': {
    value: 60,
    unit: 'ns',
    source:
      'estimate: trie_lookup_elem walks one node per branching prefix (≈4–8 for ipcache-shaped tries), each a ' +
      'pointer chase + longest_prefix_match, ≈2–3× a hash lookup (anchors.md hash 19.7–31.7 ns); not measured',
  },
  'bpf.lookup.array': {
    value: 5,
    unit: 'ns',
    source:
      'estimate: array_map_lookup_elem is inlined by the verifier into a bounds check + index, no hashing; ' +
      'a fraction of the 19.7 ns hash lookup (anchors.md)',
  },
  'bpf.lookup.hash_of_maps': {
    value: 25.7,
    unit: 'ns',
    source:
      'outer lookup is a hash lookup (anchors.md hash midpoint); the inner lookup is counted separately',
  },
  'bpf.update.hash': {
    value: 5500,
    unit: 'ns',
    source:
      'anchors.md: 200k updates through `bpftool batch` in 1.1 s → 5.5 µs per update from user space (one ' +
      'bpf() syscall each, process start amortised away); a single `bpftool map update` is ≈2 ms, which is ' +
      'process start, not the map',
  },
  'bpf.update.lru_hash': {
    value: 5500,
    unit: 'ns',
    source: 'as bpf.update.hash (anchors.md batch figure); LRU free-list pop is small next to the syscall',
  },
  'bpf.update.lpm_trie': {
    value: 5500,
    unit: 'ns',
    source:
      'as bpf.update.hash (anchors.md batch figure, syscall-dominated); trie insert allocates one or two nodes',
  },
  'bpf.update.array': {
    value: 5500,
    unit: 'ns',
    source: 'as bpf.update.hash (anchors.md batch figure, syscall-dominated)',
  },
  'bpf.update.hash_of_maps': {
    value: 5500,
    unit: 'ns',
    source: 'as bpf.update.hash (anchors.md batch figure); creating the inner map is a separate syscall',
  },
  'bpf.delete.hash': {
    value: 5500,
    unit: 'ns',
    source: 'as bpf.update.hash: one syscall per element from user space (anchors.md batch figure)',
  },
  'bpf.delete.lru_hash': {
    value: 5500,
    unit: 'ns',
    source: 'as bpf.update.hash: one syscall per element from user space (anchors.md batch figure)',
  },
  'bpf.delete.lpm_trie': {
    value: 5500,
    unit: 'ns',
    source: 'as bpf.update.hash: one syscall per element from user space (anchors.md batch figure)',
  },
  'bpf.delete.hash_of_maps': {
    value: 5500,
    unit: 'ns',
    source: 'as bpf.update.hash: one syscall per element from user space (anchors.md batch figure)',
  },
  'bpf.prog_update.hash': {
    value: 120,
    unit: 'ns',
    source:
      'estimate: a program-side bpf_map_update_elem is a hash lookup (anchors.md 19.7–31.7 ns) + element ' +
      'allocation (bpf_mem_alloc / freelist pop) + bucket lock; no syscall. Counted for writes and deletes',
  },
  'bpf.prog_update.lru_hash': {
    value: 150,
    unit: 'ns',
    source:
      'estimate: as bpf.prog_update.hash plus the LRU free-list pop (prealloc_lru_pop, which may shrink); ' +
      'conntrack / NAT entry creation in the datapath',
  },
  'bpf.prog_update.lpm_trie': {
    value: 200,
    unit: 'ns',
    source: 'estimate: trie walk (bpf.lookup.lpm_trie) + one or two node allocations under the trie lock',
  },
}
