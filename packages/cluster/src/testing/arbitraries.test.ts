import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyChange } from '../contract/change'
import { clusterIndex } from '../index/clusterIndex'
import { resolveReference } from '../reference/resolve'
import { validateCluster } from '../scenario/validate'
import { arbChange, arbChanges, arbCluster, arbClusterAndPacket } from './arbitraries'

describe('arbitraries', () => {
  it('arbCluster gives valid clusters of 1-3 nodes and 0-8 services', () => {
    fc.assert(
      fc.property(arbCluster(), (c) => {
        validateCluster(c)
        expect(c.nodes.length).toBeGreaterThanOrEqual(1)
        expect(c.nodes.length).toBeLessThanOrEqual(3)
        expect(c.services.length).toBeLessThanOrEqual(8)
        expect(c.networkPolicies.length).toBeLessThanOrEqual(4)
      }),
      { numRuns: 50 },
    )
  })

  it('arbChanges keep the cluster valid, change after change (slices of a deleted service wait for their own delete)', () => {
    fc.assert(
      fc.property(
        arbCluster().chain((c) => arbChanges(c, 4).map((changes) => ({ c, changes }))),
        ({ c, changes }) => {
          let cur = c
          for (const ch of changes) cur = applyChange(cur, ch)
          const services = new Set(cur.services.map((s) => `${s.namespace}/${s.name}`))
          validateCluster({
            ...cur,
            endpointSlices: cur.endpointSlices.filter((s) => services.has(`${s.namespace}/${s.serviceName}`)),
          })
        },
      ),
      { numRuns: 60 },
    )
  })

  it('arbChange covers every kind of change', () => {
    const seen = new Set<string>()
    for (const c of fc.sample(arbCluster(), { numRuns: 30, seed: 3 }))
      for (const ch of fc.sample(arbChange(c), { numRuns: 20, seed: 4 })) seen.add(`${ch.op} ${ch.kind}`)
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        'delete EndpointSlice',
        'delete NetworkPolicy',
        'delete Pod',
        'delete Service',
        'upsert EndpointSlice',
        'upsert Namespace',
        'upsert NetworkPolicy',
        'upsert Pod',
        'upsert Service',
      ]),
    )
  })

  it('arbClusterAndPacket aims at every frontend kind, pods, nodes and nothing, from pods, nodes and outside', () => {
    const seen = new Set<string>()
    for (const pc of fc.sample(arbClusterAndPacket(), { numRuns: 600, seed: 11 })) {
      seen.add(`aim ${pc.aim}`)
      seen.add(`from ${pc.from}`)
      const r = resolveReference(pc.cluster, pc.packet, { node: pc.node })
      if (r.frontend) seen.add(`frontend ${r.frontend.kind} ${r.verdict}`)
      expect(clusterIndex(pc.cluster).nodeByName.has(pc.node)).toBe(true)
    }
    for (const k of [
      'aim frontend',
      'aim pod',
      'aim node',
      'aim nothing',
      'from pod',
      'from node',
      'from outside',
    ])
      expect(seen.has(k), k).toBe(true)
    for (const kind of ['clusterIP', 'nodePort', 'externalIP', 'loadBalancer'])
      expect(seen.has(`frontend ${kind} forward`), kind).toBe(true)
    expect([...seen].some((k) => k.endsWith('reject'))).toBe(true)
    expect([...seen].some((k) => k.startsWith('frontend') && k.endsWith('drop'))).toBe(true)
  })
})
