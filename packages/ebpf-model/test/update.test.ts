import type { Cluster } from '@dataplane-sim/cluster'
import { applyChange, generateCluster, u32ToIp } from '@dataplane-sim/cluster'
import { arbChanges, arbCluster } from '@dataplane-sim/cluster/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ServiceMaster, ServiceSlot } from '../src/datapath/maps'
import { buildEbpfNode, type EbpfNode } from '../src/node/buildEbpfNode'
import { service, slice, smallCluster } from './fixtures'

/**
 * Everything the maps hold, with identity numbers replaced by their labels and backend ids by addresses:
 * allocation order differs between an incrementally updated agent and a fresh one, the meaning must not.
 */
function snapshot(n: EbpfNode): Record<string, string[]> {
  const label = (id: number) => (id === 0 ? 'ANY' : (n.identities.get(id)?.labels.join(',') ?? `?${id}`))
  const m = n.maps
  const backend = (id: number) => {
    const b = m.backends.peek(id)
    return b ? `${u32ToIp(b.addr)}:${b.port}/${b.proto}/${b.state}` : `missing ${id}`
  }
  const services: string[] = []
  for (const [k, v] of m.services.entries()) {
    if (typeof k !== 'number' || k < 0) continue
    const mv = v as ServiceMaster
    const f = mv.frontend
    const rn = m.revNat.peek(mv.revNat)
    const slots = mv.slotKeys.map((s) => backend((m.services.peek(s) as ServiceSlot).backendId))
    services.push(
      `${u32ToIp(f.addr)}:${f.port}/${f.proto}/${f.scope} count=${mv.count} flags=${mv.flags} out=${mv.filteredOut} aff=${mv.affinityTimeout} revnat=${rn ? `${u32ToIp(rn.addr)}:${rn.port}` : 'missing'} [${slots.join(' ')}]`,
    )
  }
  const policy: string[] = []
  for (const [id, trie] of m.policy) {
    const pod = [...n.agent.endpoints.values()].find((e) => e.id === id)?.pod
    for (const e of trie.entries())
      policy.push(
        `${pod?.namespace}/${pod?.name} ${label(e.data[0] ?? 0)} ${e.data[1]} /${e.prefixLen} ${e.value.deny}`,
      )
  }
  return {
    services: services.sort(),
    backends: [...m.backends.entries()].map(([id]) => backend(id)).sort(),
    revNat: [...m.revNat.entries()].map(([, v]) => `${u32ToIp(v.addr)}:${v.port}`).sort(),
    sourceRange: [...m.sourceRange.entries()]
      .map((e) => `${m.revNat.peek(e.data[0] ?? 0)?.port} ${u32ToIp(e.data[1] ?? 0)}/${e.prefixLen}`)
      .sort(),
    ipcache: [...m.ipcache.entries()]
      .map((e) => `${u32ToIp(e.data[0] ?? 0)}/${e.prefixLen} ${label(e.value.identity)}`)
      .sort(),
    lxc: [...m.lxc.entries()].map(([ip, v]) => `${u32ToIp(ip)} ${v.pod} ${label(v.identity)}`).sort(),
    policy: policy.sort(),
  }
}

describe('incremental updates', () => {
  it('apply(change) leaves the maps as building from the changed cluster does', () => {
    fc.assert(
      fc.property(
        arbCluster({ maxNodes: 2, maxServices: 5, maxPolicies: 3 }).chain((c) =>
          arbChanges(c, 4).map((changes) => ({ c, changes })),
        ),
        ({ c, changes }) => {
          const node = c.nodes[0].name
          const live = buildEbpfNode(c, node)
          let after: Cluster = c
          for (const ch of changes) {
            live.apply(ch)
            after = applyChange(after, ch)
          }
          expect(snapshot(live)).toEqual(snapshot(buildEbpfNode(after, node)))
        },
      ),
      { numRuns: 60 },
    )
  })

  it('costs operations proportional to the change: one more service in a 400-service cluster', () => {
    const big = generateCluster({
      seed: 7,
      nodes: 3,
      services: 400,
      policies: 4,
      endpoints: { distribution: 'uniform', min: 2, max: 2 },
    })
    const node = buildEbpfNode(big, big.nodes[0].name)
    const report = node.apply({
      op: 'upsert',
      kind: 'Service',
      object: {
        ...service({ name: 'extra', clusterIP: '10.96.250.1' }),
        namespace: big.services[0].namespace,
      },
    })
    // a ClusterIP with no endpoints yet: master entry + rev NAT
    expect(report.operations?.map((o) => `${o.map} ${o.op}`)).toEqual([
      'cilium_lb4_reverse_nat update',
      'cilium_lb4_services_v2 update',
    ])
    expect(report.seconds).toBeGreaterThan(0)
  })

  it('writes slots then the master entry when endpoints arrive, and policy diffs only for affected endpoints', () => {
    const c = smallCluster()
    c.services.push(service({ name: 'api' }))
    const node = buildEbpfNode(c, 'a')
    const r = node.apply({
      op: 'upsert',
      kind: 'EndpointSlice',
      object: slice('api', [
        { ip: '10.244.0.20', node: 'a', pod: 'api-a' },
        { ip: '10.244.1.20', node: 'b', pod: 'api-b' },
      ]),
    })
    expect(r.operations?.map((o) => `${o.map} ${o.op} ${o.key}`)).toEqual([
      'cilium_lb4_backends_v3 update 1',
      'cilium_lb4_backends_v3 update 2',
      'cilium_lb4_services_v2 update 10.96.0.10:80/TCP slot 1',
      'cilium_lb4_services_v2 update 10.96.0.10:80/TCP slot 2',
      'cilium_lb4_services_v2 update 10.96.0.10:80/TCP slot 0',
    ])
    expect(r.counts['bpf.update.hash:cilium_lb4_services_v2']).toBe(3)
  })

  it('leaves everything unchanged when a change is invalid (deleting a missing object)', () => {
    const node = buildEbpfNode(smallCluster(), 'a')
    const before = snapshot(node)
    expect(() => node.apply({ op: 'delete', kind: 'Service', namespace: 'web', name: 'nope' })).toThrow()
    expect(snapshot(node)).toEqual(before)
  })
})
