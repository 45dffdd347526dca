import {
  applyChange,
  type Cluster,
  type ClusterChange,
  generateCluster,
  isInputError,
} from '@dataplane-sim/cluster'
import { arbChange, arbCluster } from '@dataplane-sim/cluster/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { serializeRuleset } from '../src/codec/serialize'
import { buildIptablesNode } from '../src/node/iptablesNode'
import { blockLines } from '../src/render/kubeProxy/servicePortRules'
import { normalize } from './fixtures/normalize'
import { policyCluster } from './fixtures/policyCluster'

const installed = (n: ReturnType<typeof buildIptablesNode>) => normalize(serializeRuleset(n.ruleset()))

function bumpPort(c: Cluster, i: number): ClusterChange {
  const s = c.services[i]
  return {
    op: 'upsert',
    kind: 'Service',
    object: { ...s, ports: s.ports.map((p) => ({ ...p, port: p.port + 1 })) },
  }
}

const natBlock = (input: string) => input.slice(input.indexOf('*nat'))
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length

describe('iptables node updates (kube-proxy partial sync, Felix chain updates)', () => {
  const cluster = generateCluster({ seed: 3, services: 30, nodes: 2, policies: 0, endpoints: 2 })
  const node = cluster.nodes[0].name

  it('sends what a partial sync sends for a one-service change: every KUBE-SERVICES rule, only that service’s chains', () => {
    const n = buildIptablesNode(cluster, node)
    const i = cluster.services.findIndex((s) => s.clusterIP !== 'None' && s.type === 'ClusterIP')
    const svc = cluster.services[i]
    const r = n.apply(bumpPort(cluster, i))
    const nat = natBlock(r.input!)
    const full = buildIptablesNode(applyChange(cluster, bumpPort(cluster, i)), node).render().kubeProxy
    const fullServicesRules = [...full.services.values()]
      .flat()
      .reduce(
        (k, ch) => k + blockLines(ch.natTopRules).filter((l) => l.startsWith('-A KUBE-SERVICES')).length,
        0,
      )
    expect(count(nat, /^-A KUBE-SERVICES /gm)).toBe(fullServicesRules + 1)
    const declaredSvc = nat.match(/^:KUBE-SVC-\S+/gm) ?? []
    expect(declaredSvc).toHaveLength(svc.ports.length)
    expect(nat).toContain(`"${svc.namespace}/${svc.name}`)
    expect(r.input!.startsWith('*filter\n:KUBE-SERVICES - [0:0]')).toBe(true)
    expect(r.counts['sync.full']).toBe(0)
    expect(r.counts['sync.servicesRendered']).toBe(1)
    expect(r.variants!.legacy).toBeGreaterThan(0)
  })

  it('still writes O(N) lines for one changed service at N services', () => {
    const lines = (services: number) => {
      const c = generateCluster({ seed: 5, services, nodes: 2, policies: 0, endpoints: 2 })
      const n = buildIptablesNode(c, c.nodes[0].name)
      const i = c.services.findIndex((s) => s.clusterIP !== 'None')
      return n.apply(bumpPort(c, i)).counts['restore.lines']
    }
    const small = lines(20)
    const big = lines(80)
    expect(big).toBeGreaterThan(small * 2.5)
  })

  it('writes every service chain when partial syncs are off', () => {
    const n = buildIptablesNode(cluster, node, { partialSync: false })
    const r = n.apply(bumpPort(cluster, 0))
    expect(r.counts['sync.full']).toBe(1)
    const svcChains = count(natBlock(r.input!), /^:KUBE-SVC-/gm)
    expect(svcChains).toBeGreaterThan(5)
  })

  it('flushes and deletes the chains of a deleted service', () => {
    const n = buildIptablesNode(cluster, node)
    const svc = cluster.services.find(
      (s) =>
        s.clusterIP !== 'None' &&
        cluster.endpointSlices.some((e) => e.serviceName === s.name && e.endpoints.length),
    )!
    const r = n.apply({ op: 'delete', kind: 'Service', namespace: svc.namespace, name: svc.name })
    expect(r.counts['sync.chainsDeleted']).toBeGreaterThan(0)
    expect(r.input).toMatch(/^-X KUBE-SVC-/m)
    expect(serializeRuleset(n.ruleset())).not.toContain(`${svc.namespace}/${svc.name}`)
  })

  it('sends only the changed Calico chains when a policy changes', () => {
    const c = policyCluster()
    const n = buildIptablesNode(c, 'node-a')
    const r = n.apply({ op: 'delete', kind: 'NetworkPolicy', namespace: 'default', name: 'client-egress' })
    expect(r.input).toContain('-X cali-po-')
    expect(r.input).not.toContain('KUBE-SERVICES')
    expect(r.counts['restore.chainsReplaced']).toBeLessThan(5)
  })

  it('ends with the ruleset a fresh render of the changed cluster installs (property over arbChange)', () => {
    fc.assert(
      fc.property(
        arbCluster({ maxServices: 5, maxNodes: 2, maxPolicies: 3 }).chain((c) =>
          arbChange(c).map((change) => ({ c, change })),
        ),
        ({ c, change }) => {
          const name = c.nodes[0].name
          const n = buildIptablesNode(c, name)
          n.apply(change)
          const next = applyChange(c, change)
          if (!next.nodes.some((x) => x.name === name)) return
          const fresh = buildIptablesNode(next, name)
          expect(installed(n)).toBe(installed(fresh))
          expect(n.ipsetText()).toBe(fresh.ipsetText())
        },
      ),
      { numRuns: 80 },
    )
  })

  it('changes nothing when the restore fails, and keeps working afterwards', () => {
    const c = policyCluster()
    const n = buildIptablesNode(c, 'node-a')
    // a name Kubernetes would refuse: kube-proxy writes it unquoted into the KUBE-SEP comments, and
    // iptables-restore refuses those lines (the service alone only appears in quoted comments)
    const bad: ClusterChange = { op: 'upsert', kind: 'Service', object: { ...c.services[0], name: 'web x' } }
    const slice: ClusterChange = {
      op: 'upsert',
      kind: 'EndpointSlice',
      object: { ...c.endpointSlices[0], name: 'web-x', serviceName: 'web x' },
    }
    n.apply(bad)
    const before = installed(n)
    const footprint = n.footprint()
    let err: unknown
    try {
      n.apply(slice)
    } catch (e) {
      err = e
    }
    expect(isInputError(err)).toBe(true)
    expect((err as { line?: number }).line).toBeGreaterThan(0)
    expect(installed(n)).toBe(before)
    expect(n.footprint()).toEqual(footprint)
    const del: ClusterChange = { op: 'delete', kind: 'Service', namespace: 'default', name: 'web x' }
    n.apply(del)
    expect(installed(n)).toBe(installed(buildIptablesNode(applyChange(applyChange(c, bad), del), 'node-a')))
  })
})
