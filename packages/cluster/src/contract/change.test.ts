import { describe, expect, it } from 'vitest'
import { generateCluster } from '../generate/generate'
import { applyChange } from './change'

const cluster = generateCluster({ services: 6, endpoints: 2, nodes: 2, policies: 2, seed: 3 })

describe('applyChange', () => {
  it('replaces an object in place by namespace and name, leaving the input and other collections untouched', () => {
    const svc = cluster.services[2]
    const next = applyChange(cluster, {
      op: 'upsert',
      kind: 'Service',
      object: { ...svc, sessionAffinity: 'ClientIP' },
    })
    expect(next.services).toHaveLength(cluster.services.length)
    expect(next.services[2].sessionAffinity).toBe('ClientIP')
    expect(cluster.services[2]).toBe(svc)
    expect(next.pods).toBe(cluster.pods)
  })

  it('appends an object whose name exists only in another namespace', () => {
    const svc = cluster.services[0]
    const next = applyChange(cluster, {
      op: 'upsert',
      kind: 'Service',
      object: { ...svc, namespace: 'elsewhere' },
    })
    expect(next.services).toHaveLength(cluster.services.length + 1)
    expect(next.services.at(-1)?.namespace).toBe('elsewhere')
  })

  it('deletes by key, and refuses to delete what is not there', () => {
    const node = cluster.nodes[1]
    expect(applyChange(cluster, { op: 'delete', kind: 'Node', name: node.name }).nodes).toHaveLength(1)
    const svc = cluster.services[0]
    expect(() =>
      applyChange(cluster, { op: 'delete', kind: 'Service', namespace: 'elsewhere', name: svc.name }),
    ).toThrow(/no Service elsewhere\//)
  })
})
