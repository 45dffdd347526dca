import { ipToU32, type Pod } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PodIndex } from './podIndex'

/** Pods over few addresses and namespaces, so probe runs form and pods share an address. */
const PODS: Pod[] = Array.from({ length: 12 }, (_, i) => ({
  namespace: `ns-${i % 3}`,
  name: `p-${i}`,
  labels: {},
  ip: `10.0.${i % 2}.${i % 5}`,
  nodeName: 'n',
  ports: [],
}))

describe('PodIndex', () => {
  it('agrees with a Map of pod objects under adds, replacements and removals, across growth', () => {
    const op = fc.record({
      remove: fc.boolean(),
      pod: fc.integer({ min: 0, max: PODS.length - 1 }),
      identity: fc.integer({ min: 0, max: 3 }),
      /** ask for the lazily built indexes part way, so they are kept current from then on */
      index: fc.boolean(),
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const idx = new PodIndex(2)
        const ref = new Map<Pod, number>()
        for (const o of ops) {
          const pod = PODS[o.pod]
          if (o.remove) expect(idx.remove(pod)).toBe(ref.get(pod))
          else idx.add(pod, ipToU32(pod.ip), o.identity)
          if (o.remove) ref.delete(pod)
          else ref.set(pod, o.identity)
          if (o.index) {
            idx.inNamespace('ns-0')
            idx.withIdentity(1)
          }
          for (const p of PODS) expect(idx.identityOf(p)).toBe(ref.get(p))
          expect(idx.waiting).toBe([...ref.values()].filter((id) => id === 0).length)
        }
        const holding = [...ref].filter(([, id]) => id !== 0)
        for (const ns of ['ns-0', 'ns-1', 'ns-2'])
          expect(idx.inNamespace(ns)).toEqual(holding.filter(([p]) => p.namespace === ns).map(([p]) => p))
        for (const id of [1, 2, 3])
          expect(new Set(idx.withIdentity(id))).toEqual(
            new Set(holding.filter(([, i]) => i === id).map(([p]) => p)),
          )
        expect(new Set(idx.all())).toEqual(new Set(holding.map(([p]) => p)))
      }),
      { numRuns: 300 },
    )
  })
})
