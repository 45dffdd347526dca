import type { Namespace, Pod } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { podIdentityLabels } from './identity'
import { podsByLabelSet } from './initialOrder'

const namespaces = new Map<string, Namespace>([
  ['a', { name: 'a', labels: { team: 'x' } }],
  ['b', { name: 'b', labels: { team: 'y' } }],
])

function pod(namespace: string, name: string, labels: Record<string, string>, hostNetwork = false): Pod {
  return { namespace, name, labels, ip: '10.0.0.1', nodeName: 'n', ports: [], hostNetwork }
}

describe('podsByLabelSet', () => {
  it('orders pods as sorting every pod by its label key then "namespace/name" would', () => {
    const web = { app: 'web' }
    const pods = [
      pod('b', 'web-10', web),
      pod('a', 'web-2', web),
      pod('a', 'web-10', web),
      pod('a', 'db-0', { app: 'db', tier: 'x' }),
      pod('a', 'web-1', { app: 'web' }),
      pod('a', 'agent', { app: 'agent' }, true),
    ]
    const entries = pods.map((p): [string, Pod] => [`${p.namespace}/${p.name}`, p])
    const got = podsByLabelSet(pods, (n) => namespaces.get(n)).flatMap((s) =>
      s.ordinals.map((o) => `${pods[o].namespace}/${pods[o].name}`),
    )
    const expected = entries
      .filter(([, p]) => !p.hostNetwork)
      .map(([k, p]) => ({
        k,
        sortKey: `${podIdentityLabels(p, namespaces.get(p.namespace)).join(',')}\u0000${k}`,
      }))
      .sort((x, y) => (x.sortKey < y.sortKey ? -1 : x.sortKey > y.sortKey ? 1 : 0))
      .map((x) => x.k)
    expect(got).toEqual(expected)
  })

  it('groups pods whose labels are equal but not the same object, and keeps namespaces apart', () => {
    const pods = [pod('a', 'y', { app: 'web' }), pod('a', 'x', { app: 'web' }), pod('b', 'z', { app: 'web' })]
    const sets = podsByLabelSet(pods, (n) => namespaces.get(n))
    expect(sets.map((s) => s.ordinals.map((o) => `${pods[o].namespace}/${pods[o].name}`))).toEqual([
      ['a/x', 'a/y'],
      ['b/z'],
    ])
    expect(sets[0].key).toBe(sets[0].labels.join(','))
  })

  it('merges the runs of a labels object met again after others, alternating or not', () => {
    const web = { app: 'web' }
    const canary = { app: 'web', track: 'canary' }
    const db = { app: 'db' }
    // web and canary alternate (a canary workload), then db, then web again
    const pods = [
      pod('a', 'web-0', web),
      pod('a', 'web-1', canary),
      pod('a', 'web-2', web),
      pod('a', 'web-3', canary),
      pod('a', 'db-0', db),
      pod('a', 'web-4', web),
      pod('a', 'web-10', web),
    ]
    const sets = podsByLabelSet(pods, (n) => namespaces.get(n))
    expect(sets.map((s) => s.ordinals.map((o) => pods[o].name))).toEqual([
      ['db-0'],
      ['web-0', 'web-10', 'web-2', 'web-4'],
      ['web-1', 'web-3'],
    ])
  })

  it('orders random pods as the reference sort does, with equal labels in distinct objects and namespaces', () => {
    // a few labels objects, two of them equal in content (distinct objects), shared by many pods
    const labelObjects: Array<Record<string, string>> = [
      { app: 'a' },
      { app: 'a' },
      { app: 'b', tier: 'x' },
      { app: 'a', tier: 'x' },
    ]
    const arbPod = fc.record({
      ns: fc.constantFrom('a', 'b'),
      name: fc.stringMatching(/^[a-c][0-9]{0,2}$/),
      labels: fc.nat(labelObjects.length - 1),
      hostNetwork: fc.nat(9).map((x) => x === 0),
    })
    fc.assert(
      fc.property(fc.array(arbPod, { maxLength: 40 }), (spec) => {
        const pods = spec.map((p) => pod(p.ns, p.name, labelObjects[p.labels], p.hostNetwork))
        const sets = podsByLabelSet(pods, (n) => namespaces.get(n))
        // one set per key (a labels object met again after others, or an equal one, merged into it), in
        // key order: each pod's set has its key
        for (let i = 1; i < sets.length; i++) expect(sets[i - 1].key < sets[i].key).toBe(true)
        const got = sets.flatMap((s) => {
          expect(s.key).toBe(s.labels.join(','))
          for (const o of s.ordinals)
            expect(s.key).toBe(podIdentityLabels(pods[o], namespaces.get(pods[o].namespace)).join(','))
          return s.ordinals
        })
        const expected = pods
          .map((p, i) => ({ i, p }))
          .filter(({ p }) => !p.hostNetwork)
          .map(({ i, p }) => ({
            i,
            k: `${podIdentityLabels(p, namespaces.get(p.namespace)).join(',')}\u0000${p.name}`,
          }))
          .sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0))
          .map((x) => x.i)
        expect(got).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })
})
