import { describe, expect, it } from 'vitest'
import { isBpfMapError } from './errors'
import { BpfLruHashMap } from './lruHashMap'
import { BPF_NOEXIST } from './types'

const spec = { name: 'test_lru', keySize: 4, valueSize: 8, maxEntries: 3 }

function fill(): BpfLruHashMap<number, string> {
  const m = new BpfLruHashMap<number, string>(spec)
  m.update(1, 'a')
  m.update(2, 'b')
  m.update(3, 'c')
  return m
}

describe('BpfLruHashMap', () => {
  it('evicts the oldest entry when full and nothing was looked up, never E2BIG', () => {
    const m = fill()
    expect(m.update(4, 'd')).toBe(1)
    expect([...m.keys()]).toEqual([2, 3, 4])
    expect(m.counters.evictions).toBe(1)
  })

  it('gives looked-up entries a second chance and evicts the oldest unreferenced one', () => {
    const m = fill()
    m.lookup(1)
    m.lookup(2)
    expect(m.update(4, 'd')).toBe(3)
    expect(new Set(m.keys())).toEqual(new Set([1, 2, 4]))
    // the second chance is spent: with no lookup since, 1 then 2 go next, in that order
    expect(m.update(5, 'e')).toBe(1)
    expect(m.update(6, 'f')).toBe(2)
  })

  it('evicts in least-recently-used order when every entry was referenced once', () => {
    const m = fill()
    m.lookup(3)
    m.lookup(1)
    m.lookup(2)
    // all referenced: one rotation clears the bits in list order, then the oldest goes
    expect(m.update(4, 'd')).toBe(1)
  })

  it('does not mark entries referenced on a syscall-style peek', () => {
    const m = fill()
    m.peek(1)
    expect(m.update(4, 'd')).toBe(1)
  })

  it('evicts even when an update on a full map replaces an existing key, as htab_lru_map_update_elem does', () => {
    const m = fill()
    m.lookup(1)
    expect(m.update(3, 'C')).toBe(2)
    expect(m.size).toBe(2)
    expect(m.peek(3)).toBe('C')
  })

  it('keeps the eviction when a full-map update then fails its flag check', () => {
    const m = fill()
    m.lookup(1)
    m.lookup(3)
    try {
      m.update(3, 'x', BPF_NOEXIST)
      expect.unreachable()
    } catch (e) {
      expect(isBpfMapError(e, 'EEXIST')).toBe(true)
    }
    expect(m.has(2)).toBe(false)
    expect(m.size).toBe(2)
  })

  it('returns the stored object so in-place writes refresh an entry without an update', () => {
    const m = new BpfLruHashMap<number, { lifetime: number }>(spec)
    m.update(1, { lifetime: 10 })
    m.lookup(1)!.lifetime = 99
    expect(m.peek(1)!.lifetime).toBe(99)
    expect(m.counters.updates).toBe(1)
  })

  it('counts under lru_hash cost keys', () => {
    const m = new BpfLruHashMap<number, string>({ ...spec, name: 'cilium_ct4_glob' })
    const counts: Record<string, number> = {}
    m.lookup(1, counts)
    expect(counts).toEqual({ 'bpf.lookup.lru_hash:cilium_ct4_glob': 1 })
  })

  it('reports the map as preallocated whatever the NO_PREALLOC request', () => {
    const m = new BpfLruHashMap<number, string>({ ...spec, noPrealloc: true })
    expect(m.info().flags).toBe(0)
    expect(m.memlock()).toBe(fill().memlock())
  })
})
