import { parsePacket } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { batchResults, tupleBatchOf, VERDICT_CODE } from '../src/datapath/batch'
import { policyKeyWords } from '../src/datapath/maps'
import { packetTuple } from '../src/datapath/packetTuple'
import { OpCounts } from '../src/maps/opCounts'
import { buildEbpfNode } from '../src/node/buildEbpfNode'
import { policy, service, slice, smallCluster, withApiService } from './fixtures'

const P = parsePacket

describe('datapath', () => {
  it('drops a ClusterIP reached from outside the cluster (bpf-lb-external-clusterip=false)', () => {
    const t = buildEbpfNode(withApiService(smallCluster()), 'a').classify(
      P('tcp 203.0.113.9:5555 -> 10.96.0.10:80'),
    )
    expect(t).toMatchObject({ verdict: 'drop', reason: 'Is a ClusterIP' })
  })

  it('rejects a service without backends (service-no-backend-response=reject)', () => {
    const c = smallCluster()
    c.services.push(service({ name: 'empty' }))
    const t = buildEbpfNode(c, 'a').classify(P('tcp 10.244.0.10:40000 -> 10.96.0.10:80'))
    expect(t).toMatchObject({ verdict: 'reject', reason: 'Service backend not found' })
  })

  it('drops external traffic to an externalTrafficPolicy=Local service on a node without a local backend', () => {
    const c = withApiService(smallCluster(), {
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
    })
    expect(buildEbpfNode(c, 'c').classify(P('tcp 203.0.113.9:5555 -> 172.18.0.4:30080'))).toMatchObject({
      verdict: 'drop',
      reason: 'Service backend not found',
    })
    // node a has api-a: only it is a candidate, and the client address is kept (no SNAT)
    const t = buildEbpfNode(c, 'a').classify(P('tcp 203.0.113.9:5555 -> 172.18.0.2:30080'), {
      enumerate: true,
    })
    expect(t.candidates.map((x) => x.ip)).toEqual(['10.244.0.20'])
    expect(t.masquerade).toBe(false)
    // from a pod, the internal scope holds every backend (two scopes)
    const fromPod = buildEbpfNode(c, 'c').classify(P('tcp 10.244.0.10:40000 -> 172.18.0.4:30080'), {
      enumerate: true,
    })
    expect(fromPod.candidates).toHaveLength(0)
  })

  it('SNATs external traffic to a remote backend under externalTrafficPolicy=Cluster', () => {
    const c = withApiService(smallCluster(), {
      type: 'NodePort',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
    })
    const node = buildEbpfNode(c, 'c')
    const t = node.classify(P('tcp 203.0.113.9:5555 -> 172.18.0.4:30080'))
    expect(t).toMatchObject({ verdict: 'forward', masquerade: true, snat: '172.18.0.4' })
    expect(node.maps.snat.size).toBe(2)
  })

  it('checks loadBalancerSourceRanges in cilium_lb4_source_range', () => {
    const c = withApiService(smallCluster(), {
      type: 'LoadBalancer',
      loadBalancerIPs: ['198.18.0.1'],
      loadBalancerSourceRanges: ['203.0.113.0/24'],
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
    })
    const node = buildEbpfNode(c, 'a')
    expect(node.classify(P('tcp 198.51.100.1:5555 -> 198.18.0.1:80'))).toMatchObject({
      verdict: 'drop',
      reason: 'Denied by LB src range check',
    })
    expect(node.classify(P('tcp 203.0.113.9:5555 -> 198.18.0.1:80')).verdict).toBe('forward')
  })

  it('lists every selectable backend with its probability in enumerate mode, terminating ones only when no backend is active', () => {
    const c = smallCluster()
    c.services.push(service({ name: 'api' }))
    c.endpointSlices.push(
      slice('api', [
        { ip: '10.244.0.20', node: 'a', pod: 'api-a' },
        { ip: '10.244.1.20', node: 'b', pod: 'api-b', ready: false, serving: true, terminating: true },
      ]),
    )
    const node = buildEbpfNode(c, 'a')
    const t = node.classify(P('tcp 10.244.0.10:40000 -> 10.96.0.10:80'), { enumerate: true })
    expect(t.candidates.map((x) => [x.ip, x.probability])).toEqual([['10.244.0.20', 1]])
    expect(node.maps.backends.size).toBe(2)
    c.endpointSlices[0] = slice('api', [
      { ip: '10.244.1.20', node: 'b', pod: 'api-b', ready: false, serving: true, terminating: true },
    ])
    const t2 = buildEbpfNode(c, 'a').classify(P('tcp 10.244.0.10:40000 -> 10.96.0.10:80'), {
      enumerate: true,
    })
    expect(t2.candidates.map((x) => x.ip)).toEqual(['10.244.1.20'])
  })

  it('keeps a client on one backend with ClientIP session affinity', () => {
    const c = withApiService(smallCluster(), {
      sessionAffinity: 'ClientIP',
      sessionAffinityTimeoutSeconds: 100,
    })
    const node = buildEbpfNode(c, 'a', { seed: 11 })
    const chosen = new Set<string>()
    for (let sport = 40000; sport < 40020; sport++)
      chosen.add(node.classify(P(`tcp 10.244.0.10:${sport} -> 10.96.0.10:80`)).dnat?.ip ?? '')
    expect(chosen.size).toBe(1)
    expect(node.maps.affinity.size).toBe(1)
  })

  it('writes the affinity entry only once the chosen backend was found (the backend lookup first)', () => {
    // bpf_sock.c __sock4_xlate_fwd: a slot, __lb4_lookup_backend, and only then lb4_update_affinity_by_netns
    // (lb.h lb4_local likewise): a backend missing from cilium_lb4_backends_v3 drops with no entry written
    const c = withApiService(smallCluster(), {
      sessionAffinity: 'ClientIP',
      sessionAffinityTimeoutSeconds: 100,
    })
    for (const lean of [false, true]) {
      const node = buildEbpfNode(c, 'a', { seed: 11 })
      for (const id of [...node.maps.backends.keys()]) node.maps.backends.delete(id)
      const p = P('tcp 10.244.0.10:40000 -> 10.96.0.10:80')
      if (lean) {
        // (a node's first lookup makes the services map's master index: the second packet runs the lean path)
        const t = { ...packetTuple(p), flags: -1 }
        const out = batchResults(2)
        node.datapath.classifyTuples(tupleBatchOf([t, { ...t, sport: 40001 }]), out)
        expect(Array.from(out.verdict)).toEqual([VERDICT_CODE.drop, VERDICT_CODE.drop])
      } else expect(node.classify(p)).toMatchObject({ verdict: 'drop', reason: 'Service backend not found' })
      expect(node.maps.affinity.size).toBe(0)
    }
  })

  it('rewrites the affinity entry on every packet lb4_local translates (tc path), only on a new choice at connect (socket-LB)', () => {
    // lb.h lb4_local ends with lb4_update_affinity_by_addr for an affinity service, whatever the flow's CT
    // state; bpf_sock.c __sock4_xlate_fwd writes the entry only for a backend chosen anew
    const c = withApiService(smallCluster(), {
      sessionAffinity: 'ClientIP',
      sessionAffinityTimeoutSeconds: 100,
    })
    const write = 'bpf.prog_update.lru_hash:cilium_lb4_affinity'
    const first = P('tcp 10.244.0.10:40000 -> 10.96.0.10:80')
    const other = P('tcp 10.244.0.10:40001 -> 10.96.0.10:80')
    const writes = (bpfLbSock: boolean) => {
      const node = buildEbpfNode(c, 'a', { seed: 11, bpfLbSock })
      // a new connection (new choice), the same flow again (established), another connection (entry kept)
      return [first, first, other].map((p) => node.classify(p).cost.counts[write] ?? 0)
    }
    expect(writes(false)).toEqual([1, 1, 1])
    expect(writes(true)).toEqual([1, 0, 0])
    // nodeport_lb4 (bpf_host, from outside the node) is lb4_local too
    const np = withApiService(smallCluster(), {
      type: 'NodePort',
      sessionAffinity: 'ClientIP',
      sessionAffinityTimeoutSeconds: 100,
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
    })
    const node = buildEbpfNode(np, 'c', { seed: 11 })
    const ext = [P('tcp 203.0.113.9:5555 -> 172.18.0.4:30080'), P('tcp 203.0.113.9:5556 -> 172.18.0.4:30080')]
    expect([ext[0], ext[0], ext[1]].map((p) => node.classify(p).cost.counts[write] ?? 0)).toEqual([1, 1, 1])
  })

  it('deletes an affinity entry found expired (last_used + timeout <= now) or whose backend left the service, then chooses anew', () => {
    // lb.h __lb4_affinity_backend_id: map_delete_elem of the client's entry, return 0 (a new choice, written
    // again); the same through classify, the tc path and the lean batch path
    const c = withApiService(smallCluster(), {
      sessionAffinity: 'ClientIP',
      sessionAffinityTimeoutSeconds: 100,
    })
    const write = 'bpf.prog_update.lru_hash:cilium_lb4_affinity'
    const packet = (sport: number) => P(`tcp 10.244.0.10:${sport} -> 10.96.0.10:80`)
    for (const mode of ['classify', 'tc', 'lean'] as const) {
      const node = buildEbpfNode(c, 'a', { seed: 11, bpfLbSock: mode !== 'tc' })
      const dp = node.datapath
      const table = node.maps.affinity
      /** the affinity map's program writes (update or delete) for one new connection from `sport` at `now` */
      const run = (sport: number, now: number) => {
        dp.now = now
        const before = table.counters.deletes
        if (mode !== 'lean')
          return [node.classify(packet(sport)).cost.counts[write] ?? 0, table.counters.deletes - before]
        const out = batchResults(1)
        dp.classifyTuples(tupleBatchOf([{ ...packetTuple(packet(sport)), flags: -1 }]), out)
        return [-1, table.counters.deletes - before]
      }
      // written at 0; kept at 99 (fresh: renewed); at 199, 100 s after that last use, expired: deleted, written anew
      run(40000, 0)
      expect(run(40001, 99)[1]).toBe(0)
      const expired = run(40002, 199)
      expect(expired[1]).toBe(1)
      if (mode !== 'lean') expect(expired[0]).toBe(2)
      expect(table.size).toBe(1)
      // the entry pointed at a backend the service does not have: deleted, a new choice written
      const [key] = [...table.slots()]
      table.write(table.keyWord(key, 0), table.keyWord(key, 1), 999_999, 199, new OpCounts())
      const gone = run(40003, 200)
      expect(gone[1]).toBe(1)
      expect(table.size).toBe(1)
      expect([...table.entries()][0][1].backendId).not.toBe(999_999)
    }
  })

  it('selects with Maglev when asked: the same flow always maps to the same backend, shares sum to 1', () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a', {
      bpfLbAlgorithm: 'maglev',
      maglevTableSize: 251,
      bpfLbSock: false,
    })
    const p = P('tcp 10.244.0.10:40000 -> 10.96.0.10:80')
    const t = node.classify(p, { enumerate: true })
    expect(t.candidates.reduce((a, x) => a + x.probability, 0)).toBeCloseTo(1, 12)
    expect(t.steps.some((s) => s.where === 'cilium_lb4_maglev')).toBe(true)
    const other = buildEbpfNode(withApiService(smallCluster()), 'a', {
      bpfLbAlgorithm: 'maglev',
      maglevTableSize: 251,
      bpfLbSock: false,
      seed: 99,
    })
    expect(other.classify(p).dnat).toEqual(t.dnat)
  })

  it('masquerades a pod reaching itself through its service to IPV4_LOOPBACK', () => {
    const c = smallCluster()
    c.services.push(service({ name: 'api' }))
    c.endpointSlices.push(slice('api', [{ ip: '10.244.0.20', node: 'a', pod: 'api-a' }]))
    const t = buildEbpfNode(c, 'a').classify(P('tcp 10.244.0.20:40000 -> 10.96.0.10:80'))
    expect(t).toMatchObject({ verdict: 'forward', masquerade: true, snat: '169.254.42.1' })
  })

  it('applies ingress policy with the source identity from the ipcache, port ranges as LPM prefixes', () => {
    const c = smallCluster()
    c.networkPolicies.push(
      policy({
        name: 'from-client',
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { app: 'client' } } }],
            ports: [{ port: 8000, endPort: 8100 }],
          },
        ],
      }),
    )
    const node = buildEbpfNode(c, 'a')
    expect(node.classify(P('tcp 10.244.1.10:40000 -> 10.244.0.20:8080')).verdict).toBe('forward')
    expect(node.classify(P('tcp 10.244.1.10:40001 -> 10.244.0.20:8101'))).toMatchObject({
      verdict: 'drop',
      reason: 'Policy denied',
    })
    expect(node.classify(P('tcp 10.244.2.30:40000 -> 10.244.0.20:8080'))).toMatchObject({
      verdict: 'drop',
      reason: 'Policy denied',
    })
    // the node itself may always reach its pods
    expect(node.classify(P('tcp 172.18.0.2:40000 -> 10.244.0.20:9999')).verdict).toBe('forward')
    const api = [...node.agent.endpoints.values()].find((e) => e.pod.name === 'api-a')
    // 8000-8100 as aligned prefixes: 8000-8063, 8064-8095, 8096-8099, 8100
    expect(
      api?.policy.entries
        .filter((e) => e.direction === 0 && e.identity !== 1)
        .map((e) => [e.port, e.prefixLen]),
    ).toEqual([
      [8000, 18],
      [8064, 19],
      [8096, 22],
      [8100, 24],
    ])
    expect(node.classify(P('tcp 10.244.1.10:40002 -> 10.244.0.20:8100')).verdict).toBe('forward')
  })

  it('lets a deny entry win over allows in either lookup (policy.h precedence): Policy denied by denylist', () => {
    const node = buildEbpfNode(smallCluster(), 'a')
    const api = [...node.agent.endpoints.values()].find((x) => x.pod.name === 'api-a')
    const trie = node.maps.policy.get(api?.id ?? -1)
    // an L4-only deny (identity ANY, TCP/8080, prefix 40 + 24) next to the allow-all entry
    trie?.update(64, policyKeyWords(0, 0, 6, 8080, [0, 0]), { deny: true, prefixLen: 24 })
    expect(node.classify(P('tcp 10.244.1.10:40000 -> 10.244.0.20:8080'))).toMatchObject({
      verdict: 'drop',
      reason: 'Policy denied by denylist',
    })
    expect(node.classify(P('tcp 10.244.1.10:40000 -> 10.244.0.20:8081')).verdict).toBe('forward')
  })

  it('records steps as map lookups in order with cilium names, and none when steps are off', () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a', { seed: 1 })
    const t = node.classify(P('tcp 10.244.0.10:40000 -> 10.96.0.10:80'))
    const maps = t.steps.filter((s) => s.outcome === 'hit' || s.outcome === 'miss').map((s) => s.where)
    expect(maps.slice(0, 3)).toEqual([
      'cilium_lb4_services_v2',
      'cilium_lb4_services_v2',
      'cilium_lb4_backends_v3',
    ])
    expect(maps).toContain('cilium_ipcache')
    expect(maps).toContain('cilium_ct4_global')
    const quiet = buildEbpfNode(withApiService(smallCluster()), 'a', { seed: 1 }).classify(
      P('tcp 10.244.0.10:40000 -> 10.96.0.10:80'),
      { steps: false },
    )
    expect(quiet.steps).toEqual([])
    expect(quiet.cost).toEqual(t.cost)
  })
})

describe('map overflow', () => {
  it('reports a policy map that is too small and drops the traffic whose entries did not fit', () => {
    const c = smallCluster()
    c.networkPolicies.push(
      policy({ name: 'many-ports', ingress: [{ ports: [1, 2, 3, 4, 5, 6].map((port) => ({ port })) }] }),
    )
    // Cilium refuses bpf-policy-map-max below 256; the map limit itself is what overflows, so set it directly
    expect(() => buildEbpfNode(c, 'a', { bpfPolicyMapMax: 4 })).toThrow(/256/)
    const node = buildEbpfNode(c, 'a', { maxima: { policy: 4 } })
    const o = node.overflows()
    expect(o).toHaveLength(1)
    expect(o[0]).toMatchObject({ owner: 'web/api-a', max: 4, needed: 8 })
    expect(o[0].map).toMatch(/^cilium_policy_\d{5}$/)
    // entries are written in key order: egress allow-all, then ingress host, ANY/TCP 1..2 fit; 3.. do not
    expect(node.classify(P('tcp 10.244.1.10:40000 -> 10.244.0.20:2')).verdict).toBe('forward')
    expect(node.classify(P('tcp 10.244.1.10:40000 -> 10.244.0.20:6'))).toMatchObject({
      verdict: 'drop',
      reason: 'Policy denied',
    })
  })

  it('leaves a service unprogrammed when cilium_lb4_services_v2 is full, and says so', () => {
    const c = withApiService(smallCluster())
    c.services.push(service({ name: 'second', clusterIP: '10.96.0.11' }))
    c.endpointSlices.push({
      ...slice('second', [{ ip: '10.244.0.20', node: 'a', pod: 'api-a' }]),
      name: 'second-x',
    })
    const node = buildEbpfNode(c, 'a', { bpfLbMapMax: 4 })
    expect(node.overflows()).toEqual([
      expect.objectContaining({ map: 'cilium_lb4_services_v2', owner: 'web/second', max: 4 }),
    ])
    const t = node.classify(P('tcp 10.244.0.10:40000 -> 10.96.0.11:80'))
    expect(t.dnat).toBeNull()
    expect(t.steps.some((s) => s.detail?.includes('not programmed'))).toBe(true)
  })

  it('reports map sizes from the node memory with the sizing table', () => {
    const node = buildEbpfNode(smallCluster(), 'a', { nodeMemoryBytes: 64 * 2 ** 30 })
    const rows = new Map(node.sizing().map((r) => [r.map, r]))
    expect(rows.get('cilium_ct4_global')?.max).toBe(node.mapSizes?.ctTcp)
    expect(rows.get('cilium_lb4_services_v2')?.max).toBe(65536)
    expect(node.footprint().totalBytes).toBe(node.sizing().reduce((a, r) => a + r.bytes, 0))
  })
})
