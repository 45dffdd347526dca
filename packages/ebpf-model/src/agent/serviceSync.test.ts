import { u32ToIp } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { service, slice } from '../../test/fixtures'
import { distinctObjectKeys } from './distinctKeys'
import { ServiceSync } from './serviceSync'
import type { AgentSink } from './sink'

const sink: AgentSink = {
  ipcache() {},
  lxc() {},
  backend() {},
  service() {},
  revNat() {},
  policy() {},
  policyMap() {},
}

describe('ServiceSync slice index', () => {
  it('keeps the slices of same-named services of different namespaces apart through slice changes', () => {
    const a = service({ name: 'api', namespace: 'a', clusterIP: '10.96.0.1' })
    const b = service({ name: 'api', namespace: 'b', clusterIP: '10.96.0.2' })
    const sa = slice('api', [{ ip: '10.0.0.1', node: 'n1' }], { namespace: 'a', name: 'api-a1' })
    const sa2 = slice('api', [{ ip: '10.0.0.3', node: 'n1' }], { namespace: 'a', name: 'api-a2' })
    const sb = slice('api', [{ ip: '10.0.0.2', node: 'n1' }], { namespace: 'b', name: 'api-b1' })
    const s = new ServiceSync(sink, 'n1', [sa, sb, sa2])
    const backends = (key: string) =>
      (s.frontends.get(key) ?? []).flatMap((f) => f.frontend.backends.map((x) => u32ToIp(x.addr)))
    const syncBoth = () => {
      s.sync(a, undefined)
      s.sync(b, undefined)
    }
    syncBoth()
    expect(backends('a/api')).toEqual(['10.0.0.1', '10.0.0.3'])
    expect(backends('b/api')).toEqual(['10.0.0.2'])
    // the bucket's first namespace loses its slices: the other namespace's stay
    s.reindexSlice(sa, undefined)
    s.reindexSlice(sa2, undefined)
    syncBoth()
    expect(backends('a/api')).toEqual([])
    expect(backends('b/api')).toEqual(['10.0.0.2'])
    s.reindexSlice(undefined, sa)
    s.reindexSlice(sb, { ...sb, endpoints: [...sb.endpoints, { ...sb.endpoints[0], address: '10.0.0.4' }] })
    syncBoth()
    expect(backends('a/api')).toEqual(['10.0.0.1'])
    expect(backends('b/api')).toEqual(['10.0.0.2', '10.0.0.4'])
    s.reindexSlice(sb, undefined)
    syncBoth()
    expect(backends('b/api')).toEqual([])
    expect(backends('a/api')).toEqual(['10.0.0.1'])
  })
})

describe('ServiceSync initial sync', () => {
  // the initial sync finds a service's slices by the order the slices came in (`initialOrder`); a sync
  // after `endInitialSync` looks every service up: both must program the same frontends and backends
  it('programs what a sync looking every service up programs, in any order of services and slices', () => {
    const names = ['a', 'b', 'c', 'd']
    const namespaces = ['x', 'y']
    const arbService = fc.record({
      name: fc.constantFrom(...names),
      namespace: fc.constantFrom(...namespaces),
      type: fc.constantFrom('ClusterIP', 'NodePort'),
      etp: fc.constantFrom('Cluster', 'Local'),
      itp: fc.constantFrom('Cluster', 'Local'),
    })
    const arbSlice = fc.record({
      name: fc.constantFrom(...names),
      namespace: fc.constantFrom(...namespaces),
      ips: fc.array(
        fc.record({
          n: fc.integer({ min: 1, max: 12 }),
          node: fc.constantFrom('n1', 'n2'),
          ready: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
    })
    fc.assert(
      fc.property(
        fc.array(arbService, { maxLength: 8 }),
        fc.array(arbSlice, { maxLength: 8 }),
        fc.constantFrom('service', 'name', 'drawn'),
        fc.boolean(),
        (svcs, sls, sliceOrder, servicesByName) => {
          // services as drawn, or in (name, namespace) order (distinct keys: synced fresh)
          const drawn = servicesByName
            ? [...svcs].sort((p, q) => cmp(p.name, q.name) || cmp(p.namespace, q.namespace))
            : svcs
          const services = drawn.map((x, i) =>
            service({
              name: x.name,
              namespace: x.namespace,
              type: x.type,
              clusterIP: `10.96.0.${i + 1}`,
              ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30000 + i }],
              externalTrafficPolicy: x.etp,
              internalTrafficPolicy: x.itp,
            }),
          )
          // slices in list order of their services (as the EndpointSlice controller writes them), by name
          // (each name's slices together, names in order: the constructor needs no by-name map), or as drawn
          const ordered =
            sliceOrder === 'service'
              ? [...sls].sort(
                  (p, q) =>
                    rank(services, p.name, p.namespace) - rank(services, q.name, q.namespace) ||
                    sls.indexOf(p) - sls.indexOf(q),
                )
              : sliceOrder === 'name'
                ? [...sls].sort((p, q) => cmp(p.name, q.name) || sls.indexOf(p) - sls.indexOf(q))
                : sls
          const slices = ordered.map((x, i) =>
            slice(
              x.name,
              // a few addresses on two nodes, some not ready (terminating): backends repeat across
              // services and across the frontends' lists (Local traffic policies filter them apart)
              x.ips.map((e) => ({
                ip: `10.0.0.${e.n}`,
                node: e.node,
                ready: e.ready,
                serving: true,
                terminating: !e.ready,
              })),
              { namespace: x.namespace, name: `${x.name}-${i}` },
            ),
          )
          // `fresh` as the agent passes it: the keys known distinct
          const fresh = distinctObjectKeys(services)
          const run = (lookUpEach: boolean) => {
            const calls: string[] = []
            const rec: AgentSink = {
              ...sink,
              backend: (op, b) =>
                calls.push(
                  `backend ${op} ${b.id} ${u32ToIp(b.addr)} ${b.state} ${(b as { refs?: number }).refs}`,
                ),
              service: (op, pf) =>
                calls.push(`service ${op} ${pf.frontend.service} ${pf.revNat} ${pf.backendIds.join(',')}`),
            }
            const s = new ServiceSync(rec, 'n1', slices)
            if (lookUpEach) {
              s.endInitialSync()
              for (const svc of services) s.sync(svc, 0x0a0000fe)
            } else for (const svc of services) s.sync(svc, 0x0a0000fe, undefined, fresh)
            s.endInitialSync()
            const list = () =>
              [...s.frontends].map(
                ([k, list]) =>
                  `${k}: ${list.map((f) => f.frontend.backends.map((b) => u32ToIp(b.addr)).join(' '))}`,
              )
            const fes = list()
            // after it: the staged frontends are what a resync diffs against and a removal drops
            if (services.length > 0) {
              const first = services[0]
              s.reindexSlice(
                undefined,
                slice(first.name, [{ ip: '10.0.1.1', node: 'n1' }], {
                  namespace: first.namespace,
                  name: `${first.name}-extra`,
                }),
              )
              for (const svc of services) s.sync(svc, 0x0a0000fe)
              s.remove(`${first.namespace}/${first.name}`)
            }
            return { calls, fes, after: list() }
          }
          expect(run(false)).toEqual(run(true))
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('ServiceSync backend references', () => {
  // frontends of a port share its backend list, and then its IDs (no index probe for the second and later
  // frontends): every backend must still hold one reference per slot naming it, and go when the last goes
  it('keeps one reference per slot naming a backend through syncs, slice changes and removals', () => {
    const svcArb = fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'),
      etp: fc.constantFrom('Cluster', 'Local'),
      itp: fc.constantFrom('Cluster', 'Local'),
    })
    const step = fc.oneof(
      svcArb.map((x) => ({ kind: 'sync' as const, ...x })),
      fc.record({
        kind: fc.constant('slice' as const),
        name: fc.constantFrom('a', 'b', 'c'),
        ips: fc.array(fc.record({ n: fc.integer({ min: 1, max: 6 }), node: fc.constantFrom('n1', 'n2') }), {
          maxLength: 4,
        }),
        ready: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('remove' as const), name: fc.constantFrom('a', 'b', 'c') }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const live = new Map<number, string>()
        const rec: AgentSink = {
          ...sink,
          backend: (op, b) => {
            if (op === 'update') live.set(b.id, `${b.addr}:${b.port}`)
            else live.delete(b.id)
          },
        }
        const slices = new Map<string, ReturnType<typeof slice>>()
        const s = new ServiceSync(rec, 'n1', [])
        for (const st of steps) {
          if (st.kind === 'sync') {
            const svc = service({
              name: st.name,
              type: st.type,
              clusterIP: `10.96.0.${st.name.charCodeAt(0)}`,
              // the same target port for every service: services of one pod share its backends
              ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30000 }],
              loadBalancerIPs: st.type === 'LoadBalancer' ? ['192.0.2.1'] : [],
              externalIPs: st.name === 'c' ? ['198.51.100.1'] : [],
              externalTrafficPolicy: st.etp,
              internalTrafficPolicy: st.itp,
            })
            s.sync(svc, 0x0a0000fe)
          } else if (st.kind === 'slice') {
            const next = slice(
              st.name,
              st.ips.map((e) => ({ ip: `10.0.0.${e.n}`, node: e.node, ready: st.ready || e.n % 2 === 0 })),
              { name: `${st.name}-1` },
            )
            s.reindexSlice(slices.get(st.name), next)
            slices.set(st.name, next)
          } else s.remove(`web/${st.name}`)
        }
        const slots = new Map<number, number>()
        for (const list of s.frontends.values())
          for (const pf of list) for (const id of pf.backendIds) slots.set(id, (slots.get(id) ?? 0) + 1)
        const tracked = s.backends()
        expect(new Map([...tracked].map(([id, b]) => [id, b.refs]))).toEqual(slots)
        expect([...live.keys()].sort((x, y) => x - y)).toEqual([...tracked.keys()].sort((x, y) => x - y))
        for (const list of s.frontends.values())
          for (const pf of list)
            pf.backendIds.forEach((id, i) => {
              expect(pf.frontend.backends[i]).toBe(tracked.get(id))
            })
      }),
      { numRuns: 200 },
    )
  })
})

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function rank(services: Array<{ name: string; namespace: string }>, name: string, namespace: string): number {
  const i = services.findIndex((s) => s.name === name && s.namespace === namespace)
  return i < 0 ? services.length : i
}
