import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BpfLpmTrie } from '../src/maps/lpmTrie'
import { BpfLruHashMap } from '../src/maps/lruHashMap'

describe('BpfLpmTrie against a linear longest-prefix scan', () => {
  it('agrees with a linear longest-prefix scan under random inserts and deletes', () => {
    const op = fc.record({
      del: fc.boolean(),
      prefix: fc.integer({ min: 0, max: 32 }),
      addr: fc.integer({ min: 0, max: 0xffffffff }),
    })
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 20 }),
        (ops, probes) => {
          const t = new BpfLpmTrie<number>({ name: 't', keySize: 8, valueSize: 4, maxEntries: 1000 })
          const ref = new Map<string, { prefix: number; base: number; v: number }>()
          // bias addresses into a small space so prefixes overlap
          const norm = (a: number) => (a & 0xff0000ff) >>> 0
          ops.forEach((o, i) => {
            const mask = o.prefix === 0 ? 0 : (0xffffffff << (32 - o.prefix)) >>> 0
            const base = (norm(o.addr) & mask) >>> 0
            const k = `${base}/${o.prefix}`
            if (o.del) {
              if (ref.has(k)) {
                t.delete(o.prefix, base)
                ref.delete(k)
              } else expect(() => t.delete(o.prefix, base)).toThrow()
            } else {
              t.update(o.prefix, base, i)
              ref.set(k, { prefix: o.prefix, base, v: i })
            }
          })
          expect(t.size).toBe(ref.size)
          for (const p0 of probes) {
            const p = norm(p0)
            let best: { prefix: number; v: number } | undefined
            for (const e of ref.values()) {
              const mask = e.prefix === 0 ? 0 : (0xffffffff << (32 - e.prefix)) >>> 0
              if ((p & mask) >>> 0 === e.base && (!best || e.prefix > best.prefix)) best = e
            }
            expect(t.lookup(p)).toBe(best?.v)
          }
          expect([...t.entries()].length).toBe(ref.size)
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe('BpfLruHashMap against a reference second-chance list', () => {
  it('agrees on contents, eviction victims and sizes under random lookups, updates and deletes', () => {
    const op = fc.record({
      kind: fc.constantFrom('lookup', 'update', 'delete', 'peek'),
      key: fc.integer({ min: 0, max: 12 }),
    })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 80 }), (max, ops) => {
        const m = new BpfLruHashMap<number, number>({
          name: 'ref_lru',
          keySize: 4,
          valueSize: 4,
          maxEntries: max,
        })
        // reference: oldest first, each with its ref bit
        const list: Array<{ k: number; v: number; ref: boolean }> = []
        const evict = (): number | undefined => {
          for (let n = list.length, i = 0; i <= n; i++) {
            const e = list.shift()
            if (!e) return undefined
            if (e.ref) {
              e.ref = false
              list.push(e)
              continue
            }
            return e.k
          }
          return undefined
        }
        ops.forEach((o, i) => {
          const at = list.findIndex((e) => e.k === o.key)
          if (o.kind === 'lookup') {
            if (at >= 0) list[at].ref = true
            expect(m.lookup(o.key)).toBe(at >= 0 ? list[at].v : undefined)
          } else if (o.kind === 'peek') {
            expect(m.peek(o.key)).toBe(at >= 0 ? list[at].v : undefined)
          } else if (o.kind === 'delete') {
            if (at >= 0) {
              list.splice(at, 1)
              m.delete(o.key)
            } else expect(() => m.delete(o.key)).toThrow()
          } else {
            const victim = list.length >= max ? evict() : undefined
            const j = list.findIndex((e) => e.k === o.key)
            if (j >= 0) list.splice(j, 1)
            list.push({ k: o.key, v: i, ref: j >= 0 })
            expect(m.update(o.key, i)).toBe(victim)
          }
          expect(m.size).toBe(list.length)
        })
        expect([...m.keys()]).toEqual(list.map((e) => e.k))
      }),
      { numRuns: 200 },
    )
  })
})
