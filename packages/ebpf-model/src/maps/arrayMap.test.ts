import { describe, expect, it } from 'vitest'
import { errnoOf } from './_testing'
import { BpfArrayMap } from './arrayMap'
import { BpfHashOfMaps } from './hashOfMaps'
import { BPF_NOEXIST } from './types'

describe('BpfArrayMap', () => {
  it('holds max_entries zero-filled slots that always exist', () => {
    const a = new BpfArrayMap<number>({ name: 'arr', keySize: 4, valueSize: 4, maxEntries: 4 }, 0)
    expect(a.lookup(3)).toBe(0)
    expect(a.lookup(4)).toBeUndefined()
    expect(a.size).toBe(4)
    a.update(2, 7)
    expect(a.lookup(2)).toBe(7)
    expect(errnoOf(() => a.update(2, 8, BPF_NOEXIST))).toBe('EEXIST')
    expect(errnoOf(() => a.update(4, 8))).toBe('E2BIG')
    expect(errnoOf(() => a.delete(2))).toBe('EINVAL')
    expect([...a.entries()]).toEqual([[2, 7]])
    expect(a.counters).toMatchObject({ lookups: 3, hits: 2, misses: 1 })
  })

  it('charges memlock for every slot, value rounded to 8', () => {
    const a = new BpfArrayMap<number>({ name: 'arr', keySize: 4, valueSize: 4, maxEntries: 100 }, 0)
    expect(a.memlock()).toBe(320 + 100 * 8)
  })
})

describe('BpfHashOfMaps', () => {
  it('looks up inner maps and adds their memory separately', () => {
    const outer = new BpfHashOfMaps<number, BpfArrayMap<number>>({ name: 'outer', keySize: 2, maxEntries: 8 })
    const inner = new BpfArrayMap<number>({ name: 'inner', keySize: 4, valueSize: 4, maxEntries: 1 }, 0)
    outer.update(1, inner)
    const counts: Record<string, number> = {}
    expect(outer.lookup(1, counts)).toBe(inner)
    expect(counts).toEqual({ 'bpf.lookup.hash_of_maps:outer': 1 })
    expect(outer.info().type).toBe('hash_of_maps')
    expect(outer.memlockWithInner()).toBe(outer.memlock() + inner.memlock())
  })
})
