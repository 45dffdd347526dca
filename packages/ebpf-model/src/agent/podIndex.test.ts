import type { Pod } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PodIndex } from './podIndex'

const pod = (namespace: string, name: string): Pod => ({
  namespace,
  name,
  labels: {},
  ip: '10.0.0.1',
  nodeName: 'n',
  ports: [],
})

/** What the index replaced: a Map of pod objects to identities (insertion order = the order added). */
class MapModel {
  readonly ids = new Map<Pod, number>()
  add(p: Pod, id: number) {
    this.ids.set(p, id)
  }
  remove(p: Pod) {
    const id = this.ids.get(p)
    this.ids.delete(p)
    return id
  }
  inNamespace(ns: string) {
    return [...this.ids.keys()].filter((p) => p.namespace === ns)
  }
  withIdentity(id: number) {
    return [...this.ids].filter(([, i]) => i === id).map(([p]) => p)
  }
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('toggle' as const), at: fc.nat(40), id: fc.integer({ min: 256, max: 259 }) }),
  fc.record({ kind: fc.constant('append' as const), ns: fc.constantFrom('a', 'b') }),
  fc.record({ kind: fc.constant('lookups' as const) }),
)

describe('PodIndex', () => {
  it('answers as a Map of pod objects: identities, pods of a namespace and of an identity in the order added', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.array(op, { maxLength: 80 }), (n, ops) => {
        const initial = Array.from({ length: n }, (_, i) => pod(i % 2 ? 'a' : 'b', `p${i}`))
        const index = new PodIndex(initial)
        const model = new MapModel()
        const all = [...initial]
        const check = () => {
          for (let o = 0; o < all.length; o++) expect(index.identityOf(o)).toBe(model.ids.get(all[o]))
          for (const ns of ['a', 'b'])
            expect(index.inNamespace(ns).map((o) => index.pod(o))).toEqual(model.inNamespace(ns))
          for (let id = 256; id < 260; id++)
            expect([...index.withIdentity(id)]).toEqual(model.withIdentity(id))
          expect([...index.all()]).toEqual([...model.ids.keys()])
          expect(index.size).toBe(model.ids.size)
        }
        for (const o of ops) {
          if (o.kind === 'append') {
            const p = pod(o.ns, `x${all.length}`)
            expect(index.append(p)).toBe(all.length)
            all.push(p)
          } else if (o.kind === 'lookups') check()
          else if (all.length > 0) {
            const at = o.at % all.length
            if (index.identityOf(at) === undefined) {
              index.add(at, o.id)
              model.add(all[at], o.id)
            } else expect(index.remove(at)).toBe(model.remove(all[at]))
          }
        }
        check()
      }),
      { numRuns: 300 },
    )
  })

  it('keeps the order added through many removals and re-adds (the log compacts, then grows)', () => {
    const initial = Array.from({ length: 3 }, (_, i) => pod('a', `p${i}`))
    const index = new PodIndex(initial)
    for (let round = 0; round < 50; round++)
      for (const o of [2, 0, 1]) {
        if (index.identityOf(o) !== undefined) index.remove(o)
        index.add(o, 256 + o)
      }
    expect(index.inNamespace('a')).toEqual([2, 0, 1])
    expect([...index.withIdentity(257)]).toEqual([initial[1]])
  })
})
