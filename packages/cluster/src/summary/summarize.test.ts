import { describe, expect, it } from 'vitest'
import { generateCluster } from '../generate/generate'
import { tinyCluster, tinyService } from '../testing/tiny'
import { policyShapes } from './policyShapes'
import { formatSummary, summarizeCluster } from './summarize'

describe('summarizeCluster', () => {
  it('counts kinds, service types, endpoints per service and endpoint states', () => {
    const c = tinyCluster({
      services: [
        tinyService(),
        tinyService({
          name: 'db',
          clusterIP: '10.96.0.11',
          type: 'NodePort',
          selector: { app: 'db' },
          ports: [{ name: '', protocol: 'TCP', port: 5432, targetPort: 5432 }],
        }),
        tinyService({ name: 'none', clusterIP: '10.96.0.12', selector: { app: 'x' } }),
      ],
      conditions: { 'web-2': { ready: false, serving: true, terminating: true } },
    })
    const s = summarizeCluster(c)
    expect(s.counts).toMatchObject({
      nodes: 2,
      namespaces: 2,
      pods: 7,
      hostNetworkPods: 1,
      services: 3,
      endpoints: 3,
    })
    expect(s.serviceTypes).toEqual({ ClusterIP: 2, NodePort: 1, LoadBalancer: 0, headless: 0 })
    expect(s.endpointsPerService).toEqual({ min: 0, median: 1, max: 2, mean: 1 })
    expect(s.endpointConditions).toEqual({ ready: 2, servingTerminating: 1, notServing: 0 })
    expect(s.serviceShapes).toMatchObject({
      withoutEndpoints: 1,
      withTerminatingEndpoints: 1,
      namedTargetPort: 2,
    })
  })

  it('classifies every generated policy shape from its content', () => {
    const s = summarizeCluster(generateCluster({ services: 300, policies: 300, seed: 5 }))
    for (const tag of [
      'default-deny-ingress',
      'default-deny-egress',
      'allow-all-ingress',
      'pod-selector',
      'namespace-selector',
      'namespace-and-pod',
      'ip-block-except',
      'named-port',
      'numeric-port',
      'port-range',
      'match-expressions',
      'selects-all-pods',
    ])
      expect(s.policyShapes[tag], tag).toBeGreaterThan(0)
  })

  it('formats one aligned line per section', () => {
    const text = formatSummary(summarizeCluster(tinyCluster({ services: [tinyService()] })), 'tiny')
    expect(text).toMatch(/^cluster +tiny {2}service CIDR 10\.96\.0\.0\/12/)
    expect(text).toMatch(/\nendpoints\/service +min 2 {2}median 2 {2}max 2/)
  })
})

describe('policyShapes', () => {
  it('tags AND-peers apart from OR-peers', () => {
    const base = { namespace: 'a', name: 'p', podSelector: {}, policyTypes: ['Ingress' as const], egress: [] }
    expect(
      policyShapes({ ...base, ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }] }),
    ).toContain('namespace-and-pod')
    expect(
      policyShapes({ ...base, ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: {} }] }] }),
    ).toEqual(expect.arrayContaining(['pod-selector', 'namespace-selector']))
  })
})
