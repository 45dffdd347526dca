import { ipToU32, parseCidr } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { errnoOf } from './_testing'
import { BpfLpmTrie } from './lpmTrie'
import { OpCounts } from './opCounts'
import { BPF_EXIST, BPF_NOEXIST } from './types'

function trie(maxEntries = 16): BpfLpmTrie<string> {
  return new BpfLpmTrie<string>({ name: 'test_lpm', keySize: 8, valueSize: 4, maxEntries })
}

/** A trie of `{ n }` values keeping `n` beside each entry (`numeric`). */
function numericTrie(name: string, keySize: number, maxEntries: number, maxPrefixLen: number) {
  return new BpfLpmTrie<{ n: number }>({
    name,
    keySize,
    valueSize: 4,
    maxEntries,
    maxPrefixLen,
    numeric: (v: { n: number }) => v.n,
  })
}

function put(t: BpfLpmTrie<string>, cidr: string, flags = 0): void {
  const c = parseCidr(cidr)
  t.update(c.prefix, c.base, cidr, flags)
}

describe('BpfLpmTrie', () => {
  it('returns the longest matching prefix', () => {
    const t = trie()
    put(t, '0.0.0.0/0')
    put(t, '10.0.0.0/8')
    put(t, '10.1.0.0/16')
    put(t, '10.1.2.3/32')
    expect(t.lookup(ipToU32('10.1.2.3'))).toBe('10.1.2.3/32')
    expect(t.lastPrefixLen).toBe(32)
    expect(t.lookup(ipToU32('10.1.9.9'))).toBe('10.1.0.0/16')
    expect(t.lookup(ipToU32('10.200.0.1'))).toBe('10.0.0.0/8')
    expect(t.lookup(ipToU32('192.168.0.1'))).toBe('0.0.0.0/0')
    expect(t.counters).toMatchObject({ lookups: 4, hits: 4, misses: 0 })
  })

  it('misses when no prefix covers the address', () => {
    const t = trie()
    put(t, '10.0.0.0/8')
    expect(t.lookup(ipToU32('11.0.0.1'))).toBeUndefined()
    expect(t.lastPrefixLen).toBe(-1)
    expect(t.counters.misses).toBe(1)
  })

  it('refuses a new prefix with ENOSPC when full but replaces an existing one', () => {
    const t = trie(2)
    put(t, '10.0.0.0/8')
    put(t, '10.1.0.0/16')
    expect(errnoOf(() => put(t, '10.2.0.0/16'))).toBe('ENOSPC')
    put(t, '10.0.0.0/8')
    expect(t.size).toBe(2)
  })

  it('applies BPF_NOEXIST / BPF_EXIST and rejects prefixes longer than the key', () => {
    const t = trie()
    expect(errnoOf(() => put(t, '10.0.0.0/8', BPF_EXIST))).toBe('ENOENT')
    put(t, '10.0.0.0/8', BPF_NOEXIST)
    expect(errnoOf(() => put(t, '10.0.0.0/8', BPF_NOEXIST))).toBe('EEXIST')
    expect(errnoOf(() => t.update(33, 0, 'x'))).toBe('EINVAL')
    expect(errnoOf(() => t.delete(16, ipToU32('10.0.0.0')))).toBe('ENOENT')
  })

  it('treats an intermediate node as absent for peek, delete and EXIST', () => {
    const t = trie()
    put(t, '10.0.0.0/16')
    put(t, '10.0.128.0/17')
    put(t, '10.1.0.0/16') // creates an intermediate /15 node
    expect(t.peek(15, ipToU32('10.0.0.0'))).toBeUndefined()
    expect(errnoOf(() => t.delete(15, ipToU32('10.0.0.0')))).toBe('ENOENT')
    expect(errnoOf(() => t.update(15, ipToU32('10.0.0.0'), 'x', BPF_EXIST))).toBe('ENOENT')
    t.update(15, ipToU32('10.0.0.0'), '10.0.0.0/15', BPF_NOEXIST)
    expect(t.size).toBe(4)
    expect(t.lookup(ipToU32('10.1.5.5'))).toBe('10.1.0.0/16')
  })

  it('works on multi-word keys, comparing the first word first', () => {
    const t = new BpfLpmTrie<string>({ name: 'pol', keySize: 12, valueSize: 24, maxEntries: 8 })
    t.update(40, [1234, 0x01000000], 'id 1234 egress any')
    t.update(56, [1234, 0x01060000 | 0x5000], 'id 1234 egress tcp 20480-20735')
    t.update(64, [1234, 0x01060050], 'id 1234 egress tcp/80')
    expect(t.lookup([1234, 0x01060050])).toBe('id 1234 egress tcp/80')
    expect(t.lookup([1234, 0x01060051])).toBe('id 1234 egress any')
    expect(t.lookup([1234, 0x010650ff])).toBe('id 1234 egress tcp 20480-20735')
    expect(t.lookup([1235, 0x01060050])).toBeUndefined()
  })

  it('charges memlock per entry: struct lpm_trie_node + data + value', () => {
    const t = trie()
    put(t, '10.0.0.0/8')
    put(t, '10.1.0.0/16')
    expect(t.memlock()).toBe(2 * (40 + 4 + 4))
    expect(t.info().flags).toBe(1)
  })
})

describe('BpfLpmTrie lookups through the prefix index', () => {
  const mask = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0)

  it('agree with a linear longest-prefix scan on two-word keys under inserts and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            del: fc.boolean(),
            len: fc.integer({ min: 0, max: 64 }),
            a: fc.integer({ min: 0, max: 3 }),
            b: fc.integer({ min: 0, max: 0xffffffff }),
          }),
          { maxLength: 50 },
        ),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffffffff })), {
          maxLength: 20,
        }),
        (ops, probes) => {
          const t = new BpfLpmTrie<number>({ name: 'p', keySize: 12, valueSize: 4, maxEntries: 1000 })
          const ref = new Map<string, { len: number; a: number; b: number; v: number }>()
          const norm = (b: number) => (b & 0xff0000ff) >>> 0
          ops.forEach((o, i) => {
            const a = (o.a & mask(Math.min(32, o.len))) >>> 0
            const b = (norm(o.b) & mask(Math.max(0, o.len - 32))) >>> 0
            const k = `${o.len}/${a}/${b}`
            if (o.del && ref.has(k)) {
              t.delete(o.len, [a, b])
              ref.delete(k)
            } else if (!o.del) {
              t.update(o.len, [a, b], i)
              ref.set(k, { len: o.len, a, b, v: i })
            }
          })
          for (const [a, b0] of probes) {
            const b = norm(b0)
            let best: { len: number; v: number } | undefined
            for (const e of ref.values()) {
              const ok =
                (a & mask(Math.min(32, e.len))) >>> 0 === e.a &&
                (b & mask(Math.max(0, e.len - 32))) >>> 0 === e.b
              if (ok && (!best || e.len > best.len)) best = e
            }
            expect(t.lookup([a, b])).toBe(best?.v)
            expect(t.lastPrefixLen).toBe(best ? best.len : -1)
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it("still reports the kernel walk's depth for the last lookup", () => {
    const t = trie()
    put(t, '10.0.0.0/8')
    put(t, '10.1.0.0/16')
    put(t, '10.1.2.3/32')
    t.lookup(ipToU32('10.1.2.3'))
    expect(t.lastDepth).toBe(3)
    t.lookup(ipToU32('10.200.0.1'))
    expect(t.lastDepth).toBe(1)
  })

  it('builds the same trie (entries in trie order, walk depths) from writes in address order with deletes between as from the survivors written in reverse', () => {
    const prefix = fc.tuple(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 4, max: 32 }))
    fc.assert(
      fc.property(
        fc.array(prefix, { maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 0xfff }), { maxLength: 12 }),
        (ps, dels, probes) => {
          // addresses spread over the top and bottom bits so neighbours share long and short prefixes
          const base = (x: number, len: number) =>
            ((((x & 0xfc0) << 20) | (x & 0x3f)) & (len === 32 ? 0xffffffff : ~(0xffffffff >>> len))) >>> 0
          const all = ps.map(([x, len]) => [base(x, len), len] as const)
          const sorted = [...all].sort((a, b) => a[0] - b[0] || a[1] - b[1])
          const bulk = trie(1000)
          const live = new Map<string, readonly [number, number]>()
          sorted.forEach(([b, len], i) => {
            bulk.update(len, b, `${b}/${len}`)
            live.set(`${b}/${len}`, [b, len])
            // now and then a delete of an earlier write, then the address-order writes go on
            const d = dels[i % Math.max(1, dels.length)]
            if (dels.length > 0 && d % 3 === 0) {
              const [db, dl] = sorted[d % (i + 1)]
              if (live.delete(`${db}/${dl}`)) bulk.delete(dl, db)
            }
          })
          const fresh = trie(1000)
          for (const [b, len] of [...live.values()].reverse()) fresh.update(len, b, `${b}/${len}`)
          const expected = [...live.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1])
          expect([...bulk.entries()].map((e) => [e.data[0], e.prefixLen])).toEqual(
            expected.map(([b, l]) => [b, l]),
          )
          expect([...bulk.entries()]).toEqual([...fresh.entries()])
          for (const x of probes) {
            const a = base(x, 32) | 0x00012300
            expect(bulk.lookup(a)).toBe(fresh.lookup(a))
            expect(bulk.lastDepth).toBe(fresh.lastDepth)
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('answers the same after reserve() as a trie grown by doubling', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 8, max: 32 })), {
          maxLength: 120,
        }),
        (ps) => {
          const grown = trie(1000)
          const reserved = trie(1000)
          reserved.reserve(ps.length)
          for (const [hi, len] of ps) {
            grown.update(len, (hi << 16) >>> 0, `${hi}/${len}`)
            reserved.update(len, (hi << 16) >>> 0, `${hi}/${len}`)
          }
          expect([...reserved.entries()]).toEqual([...grown.entries()])
          for (const [hi] of ps) {
            const a = ((hi << 16) | 0x1234) >>> 0
            expect(reserved.lookup(a)).toBe(grown.lookup(a))
            expect(reserved.lastDepth).toBe(grown.lastDepth)
          }
        },
      ),
      { numRuns: 100 },
    )
  })
})

/** Key data of key number k (0..7) for a trie of `maxPrefixLen` bits: high bits set, words differing. */
const keyData = (k: number, maxPrefixLen: number) =>
  [((k * 0x24924925) | 0x80000000) >>> 0, (k * 0x11111111) >>> 0].slice(0, maxPrefixLen / 32)

/** `actual` counted what `expected` did. */
function expectSameCounts(actual: OpCounts, expected: OpCounts): void {
  const x: Record<string, number> = {}
  const y: Record<string, number> = {}
  actual.addTo(x)
  expected.addTo(y)
  expect(x).toEqual(y)
}

describe('BpfLpmTrie.lookupNumInto', () => {
  it('answers the numeric of the entry lookupInto finds, under inserts, rewrites and deletes (1 and 2 words)', () => {
    for (const maxPrefixLen of [32, 64, 96]) {
      const keySize = 4 + maxPrefixLen / 8
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              fc.boolean(),
              fc.integer({ min: 0, max: maxPrefixLen }),
              fc.integer({ min: 0, max: 7 }),
              fc.nat(1000),
            ),
            { maxLength: 120 },
          ),
          fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 20 }),
          (ops, probes) => {
            const t = numericTrie('num', keySize, 1000, maxPrefixLen)
            const data = (k: number) => keyData(k, maxPrefixLen)
            for (const [del, len, k, n] of ops) {
              if (del) {
                if (t.has(len, data(k))) t.delete(len, data(k))
              } else t.update(len, data(k), { n })
            }
            const a = new OpCounts()
            const b = new OpCounts()
            const c = new OpCounts()
            for (const k of probes) {
              const v = t.lookupInto(data(k), a)
              expect(t.lookupNumInto(data(k), b)).toBe(v ? v.n : -1)
              const len = t.lastPrefixLen
              const depth = t.lastDepth
              // the same lookup from the key's words as numbers (a 96-bit trie: its first two words)
              const [w0, w1 = 0] = data(k)
              expect(t.lookupNumWordsInto(w0, w1, c)).toBe(v ? v.n : -1)
              expect([t.lastPrefixLen, t.lastDepth]).toEqual([len, depth])
            }
            expectSameCounts(c, b)
          },
        ),
        { numRuns: 60 },
      )
    }
  })
})

describe('BpfLpmTrie.lookupNumWordsInto answers', () => {
  it('answer as the trie does now when writes come between repeated lookups of the same keys (1 and 2 words)', () => {
    for (const maxPrefixLen of [32, 64]) {
      const keySize = 4 + maxPrefixLen / 8
      fc.assert(
        fc.property(
          fc.array(
            fc.oneof(
              // a write: update (or delete, when present) of one of 8 keys at a prefix length
              fc.tuple(
                fc.constant('write' as const),
                fc.boolean(),
                fc.integer({ min: 0, max: maxPrefixLen }),
                fc.integer({ min: 0, max: 7 }),
                fc.nat(1000),
              ),
              // a lookup of one of 8 keys, often the same ones again
              fc.tuple(
                fc.constant('lookup' as const),
                fc.boolean(),
                fc.constant(0),
                fc.integer({ min: 0, max: 7 }),
                fc.constant(0),
              ),
            ),
            { maxLength: 150 },
          ),
          (ops) => {
            const t = numericTrie('num', keySize, 1000, maxPrefixLen)
            const data = (k: number) => keyData(k, maxPrefixLen)
            const a = new OpCounts()
            const b = new OpCounts()
            for (const [op, del, len, k, n] of ops) {
              if (op === 'write') {
                if (del) {
                  if (t.has(len, data(k))) t.delete(len, data(k))
                } else t.update(len, data(k), { n })
                continue
              }
              // the trie's own lookup (no answer kept), then the numeric one: same entry, prefix length, count
              const v = t.lookupInto(data(k), a)
              const len0 = t.lastPrefixLen
              const [w0, w1 = 0] = data(k)
              expect(t.lookupNumWordsInto(w0, w1, b)).toBe(v ? v.n : -1)
              expect(t.lastPrefixLen).toBe(len0)
            }
            expectSameCounts(b, a)
          },
        ),
        { numRuns: 150 },
      )
    }
  })
})

describe('BpfLpmTrie.updateMany', () => {
  it('makes the trie sequential updates make: entries, lookups with their numerics and depths, later writes', () => {
    const mk = () => numericTrie('many', 8, 1000, 32)
    // addresses over few high bits and a handful of low ones, so prefixes share paths and repeat
    const addr = fc.tuple(fc.nat(7), fc.nat(15)).map(([h, l]) => (((h << 29) | l) >>> 0) as number)
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 32 }), addr, fc.nat(1000)), { maxLength: 30 }),
        fc.integer({ min: 0, max: 32 }),
        fc.array(fc.tuple(addr, fc.nat(1000)), { maxLength: 60 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 32 }), addr, fc.nat(1000)), { maxLength: 10 }),
        fc.array(addr, { maxLength: 30 }),
        (before, len, bulk, after, probes) => {
          const a = mk()
          const b = mk()
          for (const [l, k, n] of before) {
            a.update(l, k, { n })
            b.update(l, k, { n })
          }
          // a bulk write may name one prefix twice (its second write rewrites an entry the bulk made)
          for (const [k, n] of bulk) a.update(len, k, { n }, 0, undefined, 'syscall', n)
          b.updateMany(
            len,
            bulk.map(([k]) => k),
            bulk.map(([, n]) => ({ n })),
            bulk.map(([, n]) => n),
            bulk.map((_, i) => i),
          )
          for (const [l, k, n] of after) {
            a.update(l, k, { n })
            b.update(l, k, { n })
          }
          expect([...b.entries()]).toEqual([...a.entries()])
          expect(b.size).toBe(a.size)
          const oa = new OpCounts()
          const ob = new OpCounts()
          for (const k of probes) {
            expect(b.lookupNumInto(k, ob)).toBe(a.lookupNumInto(k, oa))
            expect(b.lookupInto(k, ob)).toEqual(a.lookupInto(k, oa))
            expect(b.lastPrefixLen).toBe(a.lastPrefixLen)
            expect(b.lastDepth).toBe(a.lastDepth)
          }
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe('BpfLpmTrie one- and two-word keys', () => {
  it('builds the trie a two-word trie builds from the same prefixes (entries, walk depths) under writes and deletes', () => {
    const mk = (maxPrefixLen: number) =>
      new BpfLpmTrie<number>({
        name: 'w',
        keySize: 4 + maxPrefixLen / 8,
        valueSize: 4,
        maxEntries: 500,
        maxPrefixLen,
      })
    const addr = fc.tuple(fc.nat(7), fc.nat(31)).map(([h, l]) => (((h << 29) | (l << 3)) >>> 0) as number)
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 32 }), addr, fc.nat(99)), {
          maxLength: 80,
        }),
        fc.array(addr, { maxLength: 20 }),
        (ops, probes) => {
          const one = mk(32)
          const two = mk(64)
          for (const [del, len, k, v] of ops) {
            if (del) {
              if (one.has(len, k)) one.delete(len, k)
              if (two.has(len, [k, 0])) two.delete(len, [k, 0])
            } else {
              one.update(len, k, v)
              two.update(len, [k, 0], v)
            }
          }
          expect([...one.entries()].map((e) => [e.prefixLen, e.data[0], e.value])).toEqual(
            [...two.entries()].map((e) => [e.prefixLen, e.data[0], e.value]),
          )
          for (const k of probes) {
            expect(one.lookup(k)).toBe(two.lookup([k, 0]))
            expect(one.lastDepth).toBe(two.lastDepth)
          }
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe('BpfLpmTrie.peekNumWords and answeredNumWordsInto', () => {
  it("peek answers lookupNumWordsInto's number and prefix length uncounted, leaving the last lookup's; an answer given back leaves what the lookup would", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 7 }), fc.nat(9)), {
          maxLength: 60,
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })), { maxLength: 20 }),
        (writes, probes) => {
          const mk = () => numericTrie('peek', 8, 100, 32)
          const t = mk()
          const twin = mk()
          const addr = (k: number) => ((k * 0x24924925) | 0x80000000) >>> 0
          for (const [len, k, n] of writes) for (const m of [t, twin]) m.update(len, addr(k), { n })
          for (const [before, k] of probes) {
            const ops = new OpCounts()
            t.lookupNumWordsInto(addr(before), 0, ops)
            const last = [t.lastPrefixLen, t.lastDepth]
            const counted = { ...t.counters }
            const num = t.peekNumWords(addr(k), 0)
            const peeked = t.peekedPrefixLen
            expect([t.lastPrefixLen, t.lastDepth]).toEqual(last)
            expect(t.counters).toEqual(counted)
            const viaLookup = twin.lookupNumWordsInto(addr(k), 0, ops)
            expect([num, peeked]).toEqual([viaLookup, twin.lastPrefixLen])
            // the answer given back: the lookup's count and its lastPrefixLen / lastDepth
            const a = new OpCounts()
            const b = new OpCounts()
            expect(t.answeredNumWordsInto(addr(k), 0, num, peeked, a)).toBe(num)
            twin.lookupNumWordsInto(addr(k), 0, b)
            expect([t.lastPrefixLen, t.lastDepth]).toEqual([twin.lastPrefixLen, twin.lastDepth])
            expect(a.get(t.costIds.lookup)).toBe(b.get(twin.costIds.lookup))
          }
          const v = t.version
          t.update(32, addr(1), { n: 1 })
          expect(t.version).toBeGreaterThan(v)
        },
      ),
      { numRuns: 200 },
    )
  })
})
