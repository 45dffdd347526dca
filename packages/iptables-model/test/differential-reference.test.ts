import { type Cluster, compareWithReference, resolveReference, tracePath } from '@dataplane-sim/cluster'
import { arbClusterAndPacket } from '@dataplane-sim/cluster/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildIptablesNode } from '../src/node/iptablesNode'
import { knownDivergence, observable } from './fixtures/divergences'

const build = (c: Cluster, n: string) => buildIptablesNode(c, n)

describe('kube-proxy + Calico rules against the reference semantics, end to end through tracePath', () => {
  it('give the same verdict and candidate set as resolveReference in enumerate mode', () => {
    fc.assert(
      fc.property(arbClusterAndPacket({ maxServices: 6, maxNodes: 3 }), ({ cluster, packet, node }) => {
        const ref = resolveReference(cluster, packet, { node })
        fc.pre(knownDivergence(cluster, packet, node, ref) === null)
        const path = tracePath(cluster, build, packet, { node, enumerate: true, steps: false })
        expect(
          observable(cluster, packet, node, compareWithReference(path, ref, { probabilityTolerance: 1e-6 })),
        ).toEqual([])
      }),
      { numRuns: 150 },
    )
  })

  it('pick a backend the reference allows when drawing at random', () => {
    fc.assert(
      fc.property(arbClusterAndPacket({ maxServices: 6, maxNodes: 3 }), ({ cluster, packet, node }) => {
        const ref = resolveReference(cluster, packet, { node })
        fc.pre(knownDivergence(cluster, packet, node, ref) === null)
        const path = tracePath(cluster, build, packet, { node, steps: false })
        expect(observable(cluster, packet, node, compareWithReference(path, ref))).toEqual([])
      }),
      { numRuns: 100 },
    )
  })
})
