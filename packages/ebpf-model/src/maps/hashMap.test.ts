import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { errnoOf } from './_testing'
import { isBpfMapError } from './errors'
import { BpfHashMap, BpfU32HashMap } from './hashMap'
import { hashMemlock, htabElemSize } from './memory'
import { BPF_EXIST, BPF_NOEXIST } from './types'

const spec = { name: 'test_hash', keySize: 4, valueSize: 4, maxEntries: 3 }

describe('BpfHashMap', () => {
  it('refuses a new key with E2BIG when full but still replaces existing keys', () => {
    const m = new BpfHashMap<number, string>(spec)
    m.update(1, 'a')
    m.update(2, 'b')
    m.update(3, 'c')
    expect(errnoOf(() => m.update(4, 'd'))).toBe('E2BIG')
    m.update(2, 'B')
    expect(m.peek(2)).toBe('B')
    expect(m.size).toBe(3)
    expect(m.has(4)).toBe(false)
  })

  it('applies BPF_NOEXIST and BPF_EXIST like the kernel', () => {
    const m = new BpfHashMap<number, string>(spec)
    expect(errnoOf(() => m.update(1, 'a', BPF_EXIST))).toBe('ENOENT')
    m.update(1, 'a', BPF_NOEXIST)
    expect(errnoOf(() => m.update(1, 'b', BPF_NOEXIST))).toBe('EEXIST')
    m.update(1, 'c', BPF_EXIST)
    expect(m.peek(1)).toBe('c')
    expect(errnoOf(() => m.update(1, 'd', 7))).toBe('EINVAL')
  })

  it('fails a delete of an absent key with ENOENT and names the map', () => {
    const m = new BpfHashMap<number, string>(spec)
    try {
      m.delete(9)
      expect.unreachable()
    } catch (e) {
      expect(isBpfMapError(e, 'ENOENT')).toBe(true)
      expect((e as Error).message).toContain('test_hash')
    }
    expect(m.counters.errors).toBe(1)
  })

  it('counts lookups, hits, misses, updates and deletes, and into a cost record under typed keys', () => {
    const m = new BpfHashMap<string, number>({ ...spec, name: 'cilium_lxc' })
    const counts: Record<string, number> = {}
    m.update('k', 1, 0, counts)
    m.lookup('k', counts)
    m.lookup('x', counts)
    m.delete('k', counts)
    expect(m.counters).toMatchObject({ lookups: 2, hits: 1, misses: 1, updates: 1, deletes: 1 })
    expect(counts).toEqual({
      'bpf.update.hash:cilium_lxc': 1,
      'bpf.lookup.hash:cilium_lxc': 2,
      'bpf.delete.hash:cilium_lxc': 1,
    })
  })

  it('counts program-side writes apart from syscall updates', () => {
    const m = new BpfHashMap<number, number>(spec)
    const counts: Record<string, number> = {}
    m.update(1, 1, 0, counts, 'prog')
    expect(counts).toEqual({ 'bpf.prog_update.hash:test_hash': 1 })
  })

  it('does not count peeks', () => {
    const m = new BpfHashMap<number, number>(spec)
    m.update(1, 1)
    m.peek(1)
    expect(m.counters.lookups).toBe(0)
  })

  it('keeps the pinned name but reports the 15-character kernel name bpftool shows', () => {
    const m = new BpfHashMap({ ...spec, name: 'cilium_lb4_services_v2' })
    expect(m.info().kernelName).toBe('cilium_lb4_serv')
    expect(m.info().name).toBe('cilium_lb4_services_v2')
    expect(errnoOf(() => new BpfHashMap({ ...spec, name: '' }))).toBe('EINVAL')
  })
})

describe('BpfU32HashMap', () => {
  it('answers, counts and fails as a BpfHashMap under random updates, deletes, clears and lookups', () => {
    // keys from a few addresses whose recent-answer records collide (equal low 16 bits), two in one group of
    // the count of keys present (0x0a000001, 0x0a001000), and others
    const keys = [0xc6120001, 0xc6130001, 0xc6120101, 0x0a000001, 0x0a001000, 0xffffffff, 0, 7]
    const op = fc.record({
      kind: fc.constantFrom('update', 'delete', 'clear', 'lookup', 'lookup', 'lookup'),
      k: fc.constantFrom(...keys),
      v: fc.nat(9),
      flags: fc.constantFrom(0, BPF_NOEXIST, BPF_EXIST),
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const spec4 = { ...spec, maxEntries: 4 }
        const plain = new BpfHashMap<number, number>(spec4)
        const fast = new BpfU32HashMap<number>(spec4)
        const cp: Record<string, number> = {}
        const cf: Record<string, number> = {}
        for (const { kind, k, v, flags } of ops) {
          if (kind === 'lookup') {
            expect(fast.lookup(k, cf)).toBe(plain.lookup(k, cp))
            expect(fast.peek(k)).toBe(plain.peek(k))
          } else if (kind === 'clear') {
            plain.clear()
            fast.clear()
          } else {
            const write = (m: BpfHashMap<number, number>) => () =>
              kind === 'update' ? m.update(k, v, flags) : m.delete(k)
            expect(errnoOf(write(fast))).toBe(errnoOf(write(plain)))
          }
          expect(fast.size).toBe(plain.size)
        }
        expect(cf).toEqual(cp)
        expect([...fast.entries()]).toEqual([...plain.entries()])
      }),
      { numRuns: 300 },
    )
  })
})

describe('hash map memlock', () => {
  it('sizes an element as struct htab_elem + key and value rounded to 8', () => {
    expect(htabElemSize(4, 4)).toBe(64)
    expect(htabElemSize(12, 12)).toBe(48 + 16 + 16)
    expect(htabElemSize(14, 56)).toBe(48 + 16 + 56)
  })

  it('charges a preallocated map for max_entries whatever it holds, a NO_PREALLOC one per entry', () => {
    const pre = { name: 'm', type: 'hash' as const, keySize: 4, valueSize: 4, maxEntries: 1024 }
    const empty = hashMemlock(pre, 0)
    expect(hashMemlock(pre, 1000)).toBe(empty)
    // 1024 buckets × 16 + (1024 + 2 spare) elements × 64 + 2 cpus × (8 locks × 4 + 8 extra-elem ptr)
    expect(empty - 832).toBe(1024 * 16 + 1026 * 64 + 2 * 32 + 2 * 8)
    const lazy = { ...pre, noPrealloc: true }
    expect(hashMemlock(lazy, 10) - hashMemlock(lazy, 0)).toBe(10 * (64 + 8))
  })

  it('reproduces the 1M-entry hash figure of the htab_map_mem_usage patch within 4 KiB', () => {
    // "hash key 4B value 4B max_entries 1048576 memlock 83889408B" (bpf: hashtab memory usage, 2023)
    const m = hashMemlock(
      { name: 'count_map', type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1048576 },
      0,
    )
    expect(Math.abs(m - 83889408)).toBeLessThan(4096)
  })

  it('always preallocates LRU maps, without the per-CPU spare elements', () => {
    const lru = {
      name: 'l',
      type: 'lru_hash' as const,
      keySize: 4,
      valueSize: 4,
      maxEntries: 1024,
      noPrealloc: true,
    }
    expect(hashMemlock(lru, 0)).toBe(832 + 1024 * 16 + 2 * 32 + 1024 * 64)
  })
})
