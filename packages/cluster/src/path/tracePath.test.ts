import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fakeDataplane } from '../../test/fakeDataplane'
import type { BuildNode } from '../contract/dataplane'
import { isInputError } from '../errors/errors'
import { parsePacket } from '../packet/packet'
import { resolveReference } from '../reference/resolve'
import { arbClusterAndPacket } from '../testing/arbitraries'
import { tinyCluster, tinyService } from '../testing/tiny'
import { compareWithReference } from './compare'
import { tracePath } from './tracePath'

const build: BuildNode = (c, n) => fakeDataplane(c, n)
const cluster = tinyCluster({ services: [tinyService({ type: 'NodePort' })] })

describe('tracePath', () => {
  it('enters on the source pod’s node and carries a translated packet to the backend’s node', () => {
    // sport 1 → the fake chooses eligible[1], web-2 on n2
    const path = tracePath(cluster, build, parsePacket('tcp 10.244.1.30:1 -> 10.96.0.10:80'))
    expect(path.entryNode).toBe('n1')
    expect(path.hops.map((h) => h.node)).toEqual(['n1', 'n2'])
    expect(path.hops[1].packet).toMatchObject({ src: '10.244.1.30', dst: '10.244.2.10', dport: 8081 })
    expect(path.verdict).toBe('forward')
    expect(path.candidates.map((c) => `${c.ip}:${c.port}@${c.node}`)).toEqual(['10.244.2.10:8081@n2'])
    expect(path.chosen).toEqual({ ip: '10.244.2.10', port: 8081 })
  })

  it('follows every candidate in enumerate mode, with probabilities', () => {
    const path = tracePath(cluster, build, parsePacket('tcp 10.244.1.30:1 -> 10.96.0.10:80'), {
      enumerate: true,
    })
    expect(path.candidates.map((c) => [c.ip, c.probability])).toEqual([
      ['10.244.1.10', 0.5],
      ['10.244.2.10', 0.5],
    ])
    expect(path.hops.map((h) => h.node)).toEqual(['n1', 'n2'])
  })

  it('rewrites the source to the translating node’s address when masqueraded', () => {
    const path = tracePath(cluster, build, parsePacket('tcp 203.0.113.7:1 -> 192.168.0.11:30080'), {
      node: 'n1',
    })
    expect(path.masquerade).toBe(true)
    expect(path.hops[1].packet.src).toBe('192.168.0.11')
  })

  it('routes a nodePort addressed to another node there and translates it on that node', () => {
    const path = tracePath(cluster, build, parsePacket('tcp 10.244.1.30:1 -> 192.168.0.12:30080'), {
      enumerate: true,
    })
    expect(path.hops.map((h) => h.node)).toEqual(['n1', 'n2', 'n1'])
    expect(path.candidates).toHaveLength(2)
  })

  it('builds each node’s dataplane once per call', () => {
    const built: string[] = []
    const counting: BuildNode = (c, n) => {
      built.push(n)
      return fakeDataplane(c, n)
    }
    tracePath(cluster, counting, parsePacket('tcp 10.244.1.30:1 -> 192.168.0.12:30080'), { enumerate: true })
    expect(built.sort()).toEqual(['n1', 'n2'])
  })

  it('reuses dataplanes across calls through a cache', () => {
    const built: string[] = []
    const counting: BuildNode = (c, n) => {
      built.push(n)
      return fakeDataplane(c, n)
    }
    const cache = new Map()
    tracePath(cluster, counting, parsePacket('tcp 10.244.1.30:1 -> 192.168.0.12:30080'), {
      cache,
      enumerate: true,
    })
    tracePath(cluster, counting, parsePacket('tcp 10.244.2.30:1 -> 10.96.0.10:80'), {
      cache,
      enumerate: true,
    })
    expect(built.sort()).toEqual(['n1', 'n2'])
    expect([...cache.keys()].sort()).toEqual(['n1', 'n2'])
  })

  it('asks for a node when the packet comes from outside the cluster', () => {
    let err: unknown
    try {
      tracePath(cluster, build, parsePacket('tcp 203.0.113.7:1 -> 10.96.0.10:80'))
    } catch (e) {
      err = e
    }
    expect(isInputError(err)).toBe(true)
    expect((err as Error).message).toMatch(/outside the cluster.*node/)
  })

  it('delivers to a pod on another node after that node’s ingress policy', () => {
    const c = tinyCluster({
      policies: [
        {
          namespace: 'prod',
          name: 'deny',
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [],
          egress: [],
        },
      ],
    })
    const path = tracePath(c, build, parsePacket('tcp 10.244.2.30:1 -> 10.244.1.10:8080'))
    expect(path.hops.map((h) => [h.node, h.trace.verdict])).toEqual([
      ['n2', 'forward'],
      ['n1', 'drop'],
    ])
    expect(path.verdict).toBe('drop')
  })
})

describe('compareWithReference', () => {
  it('reports a dataplane that ignores policy', () => {
    const c = tinyCluster({
      services: [tinyService()],
      policies: [
        {
          namespace: 'prod',
          name: 'deny',
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [],
          egress: [],
        },
      ],
    })
    const p = parsePacket('tcp 10.244.1.30:1 -> 10.96.0.10:80')
    const path = tracePath(c, (cl, n) => fakeDataplane(cl, n, { ignorePolicy: true }), p, { enumerate: true })
    const diff = compareWithReference(path, resolveReference(c, p, { node: 'n1' }))
    expect(diff.join('\n')).toMatch(/verdict: path forward.*reference drop/)
    expect(diff.join('\n')).toMatch(/candidates/)
  })

  it('reports a dataplane that does not translate a service', () => {
    const c = tinyCluster({ services: [tinyService()] })
    const p = parsePacket('tcp 10.244.1.30:1 -> 10.96.0.10:80')
    const noNat = (cl: typeof c, n: string) => ({
      ...fakeDataplane(cl, n),
      classify: () => fakeDataplane(cl, n).classify(parsePacket('tcp 10.244.1.30:1 -> 8.8.8.8:80')),
    })
    const ref = resolveReference(c, p, { node: 'n1' })
    expect(compareWithReference(tracePath(c, noNat, p), ref)).toEqual([
      'no backend chosen: the reference translates to one of [10.244.1.10:8080, 10.244.2.10:8081]',
    ])
    expect(compareWithReference(tracePath(c, noNat, p, { enumerate: true }), ref).join('\n')).toMatch(
      /candidates: path \[\]/,
    )
  })

  it('finds no disagreement between the fake and the reference over generated clusters and packets', () => {
    fc.assert(
      fc.property(arbClusterAndPacket(), fc.boolean(), ({ cluster: c, packet, node }, enumerate) => {
        const path = tracePath(c, build, packet, { node, enumerate })
        const ref = resolveReference(c, packet, { node, nodePortEgress: 'nodeAddress' })
        expect(compareWithReference(path, ref, { probabilityTolerance: 1e-9 })).toEqual([])
      }),
      { numRuns: 300 },
    )
  })
})
