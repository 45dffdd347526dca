import { type CostProfile, modelCost } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { EBPF_MAP_CONSTANTS } from './costConstants'
import { BpfHashMap } from './hashMap'
import { BpfLpmTrie } from './lpmTrie'

const profile: CostProfile = {
  schemaVersion: 1,
  name: 'test',
  description: '',
  provenance: { method: 'anchors' },
  constants: EBPF_MAP_CONSTANTS,
}

describe('EBPF_MAP_CONSTANTS', () => {
  it('has a constant for every operation the maps count, each with a source', () => {
    for (const type of ['hash', 'lru_hash', 'lpm_trie', 'array', 'hash_of_maps'])
      expect(EBPF_MAP_CONSTANTS[`bpf.lookup.${type}`]?.value).toBeGreaterThan(0)
    for (const op of ['update', 'delete'])
      for (const type of ['hash', 'lru_hash', 'lpm_trie'])
        expect(EBPF_MAP_CONSTANTS[`bpf.${op}.${type}`]?.value).toBeGreaterThan(0)
    for (const c of Object.values(EBPF_MAP_CONSTANTS)) {
      expect(c.unit).toBe('ns')
      expect(c.source.length).toBeGreaterThan(20)
    }
  })

  it('puts the hash lookup between the anchors (19.7 ns at 6 % full, 31.7 ns full) and a batched update at 5.5 µs', () => {
    expect(EBPF_MAP_CONSTANTS['bpf.lookup.hash'].value).toBeGreaterThanOrEqual(19.7)
    expect(EBPF_MAP_CONSTANTS['bpf.lookup.hash'].value).toBeLessThanOrEqual(31.7)
    expect(EBPF_MAP_CONSTANTS['bpf.update.hash'].value).toBeCloseTo(1.1e9 / 200_000)
  })

  it('prices what a map counted through modelCost, per map name falling back to the type', () => {
    const counts: Record<string, number> = {}
    const h = new BpfHashMap<number, number>({
      name: 'cilium_lxc',
      keySize: 20,
      valueSize: 48,
      maxEntries: 8,
    })
    const t = new BpfLpmTrie<number>({
      name: 'cilium_ipcache',
      keySize: 24,
      valueSize: 12,
      maxEntries: 8,
      maxPrefixLen: 32,
    })
    h.update(1, 1, 0, counts)
    h.lookup(1, counts)
    t.lookup(5, counts)
    const expected =
      EBPF_MAP_CONSTANTS['bpf.update.hash'].value +
      EBPF_MAP_CONSTANTS['bpf.lookup.hash'].value +
      EBPF_MAP_CONSTANTS['bpf.lookup.lpm_trie'].value
    expect(modelCost(counts, profile)).toBeCloseTo(expected)
  })
})
