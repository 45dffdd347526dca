import { type ClusterChange, ipToU32 } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { policy, smallCluster, withApiService } from '../../test/fixtures'
import { CiliumAgent } from './agent'
import {
  HOST_ID,
  LOCAL_IDENTITY_BASE,
  MAX_GLOBAL_IDENTITY,
  MIN_GLOBAL_IDENTITY,
  REMOTE_NODE_ID,
  WORLD_ID,
} from './identity'
import type { PolicyEntry } from './policy'
import type { AgentSink } from './sink'

function recorder() {
  const ops: string[] = []
  const ipcache = new Map<string, number>()
  const policy = new Map<number, Map<string, PolicyEntry>>()
  const sink: AgentSink = {
    ipcache: (op, p, v) => {
      ops.push(`ipcache ${op} ${p.base}/${p.prefix}`)
      if (op === 'update') ipcache.set(`${p.base}/${p.prefix}`, v?.identity as number)
      else ipcache.delete(`${p.base}/${p.prefix}`)
    },
    lxc: (op, ip) => ops.push(`lxc ${op} ${ip}`),
    backend: (op, b) => ops.push(`backend ${op} ${b.id}`),
    service: (op, fe) =>
      ops.push(`service ${op} ${fe.frontend.type} ${fe.frontend.addr}:${fe.frontend.port}`),
    revNat: (op, id) => ops.push(`revnat ${op} ${id}`),
    policy: (op, ep, e) => {
      ops.push(`policy ${op} ${ep}`)
      const m = policy.get(ep) ?? new Map()
      policy.set(ep, m)
      const k = `${e.identity}/${e.direction}/${e.proto}/${e.port}/${e.prefixLen}`
      if (op === 'update') m.set(k, e)
      else m.delete(k)
    },
    policyMap: (op, ep) => {
      ops.push(`policymap ${op} ${ep}`)
      if (op === 'delete') policy.delete(ep)
    },
  }
  return { sink, ops, ipcache, policy }
}

describe('CiliumAgent', () => {
  it('allocates global identities in sorted label order from 256 and shares them between equal label sets', () => {
    const r = recorder()
    const agent = new CiliumAgent(smallCluster(), 'a', r.sink)
    agent.start()
    // labels sort: k8s:app=api < k8s:app=client < k8s:app=pg
    expect(agent.identityOfPod('web/api-a')).toBe(MIN_GLOBAL_IDENTITY)
    expect(agent.identityOfPod('web/api-b')).toBe(MIN_GLOBAL_IDENTITY)
    expect(agent.identityOfPod('web/client-a')).toBe(MIN_GLOBAL_IDENTITY + 1)
    expect(agent.identityOfPod('db/pg-c')).toBe(MIN_GLOBAL_IDENTITY + 2)
    const id = agent.identities.get(MIN_GLOBAL_IDENTITY)
    expect(id?.labels).toContain('k8s:io.kubernetes.pod.namespace=web')
    expect(id?.labels).toContain('k8s:io.cilium.k8s.namespace.labels.team=shop')
  })

  it('lists the pods past the global identity range as waiting, and watch events keep that list', () => {
    const c = smallCluster()
    const range = MAX_GLOBAL_IDENTITY - MIN_GLOBAL_IDENTITY + 1
    // smallCluster's 3 label sets sort before these (k8s:app=api|client|pg < k8s:app=w-…): 5 sets past the
    // range, one of them with two pods and one pod without an address (never waits: it has no endpoint)
    for (let i = 0; i < range + 2; i++) {
      const name = `w-${String(i).padStart(5, '0')}`
      c.pods.push({ ...c.pods[0], name, labels: { app: name }, ip: `10.9.${i >> 8}.${i & 255}` })
      if (i === range) c.pods.push({ ...c.pods[0], name: `${name}-b`, labels: { app: name }, ip: '' })
    }
    const late = c.pods.filter((p) => p.name === `w-${String(range + 1).padStart(5, '0')}`)[0]
    c.pods.push({ ...late, name: `${late.name}-2`, ip: '10.8.0.1' })
    const agent = new CiliumAgent(c, 'a', recorder().sink)
    agent.start()
    expect(agent.identities.count('global')).toBe(range)
    // counted before the list is asked for (the initial sync keeps the waiting sets' ordinals until then),
    // then listed in label-set order, pods by name: the order the agent met them
    expect(agent.podsWithoutIdentity).toBe(6)
    const waiting = [...agent.withoutIdentity].map((p) => p.name)
    expect(waiting).toEqual(['w-65277', 'w-65278', 'w-65279', 'w-65280', 'w-65281', 'w-65281-2'])
    expect(agent.podsWithoutIdentity).toBe(6)
    agent.apply({ kind: 'Pod', op: 'delete', namespace: 'web', name: 'w-65280' })
    agent.apply({ kind: 'Pod', op: 'upsert', object: { ...late, name: 'x-new', labels: { app: 'x' } } })
    expect(agent.podsWithoutIdentity).toBe(6)
    expect([...agent.withoutIdentity].map((p) => p.name)).toContain('x-new')
    expect([...agent.withoutIdentity].map((p) => p.name)).not.toContain('w-65280')
  })

  it('fills the ipcache with pods, the local node as host, remote nodes as remote-node and world', () => {
    const r = recorder()
    new CiliumAgent(smallCluster(), 'a', r.sink).start()
    expect(r.ipcache.get(`${0}/0`)).toBe(WORLD_ID)
    expect(r.ipcache.get(`${ipToU32('172.18.0.2')}/32`)).toBe(HOST_ID)
    expect(r.ipcache.get(`${ipToU32('172.18.0.3')}/32`)).toBe(REMOTE_NODE_ID)
    expect(r.ipcache.size).toBe(1 + 3 + 5)
  })

  it('gives ipBlock CIDRs local-scope identities and ipcache entries', () => {
    const c = smallCluster()
    c.networkPolicies.push(
      policy({
        name: 'ext',
        ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }] }],
      }),
    )
    const r = recorder()
    const agent = new CiliumAgent(c, 'a', r.sink)
    agent.start()
    expect(agent.cidrIdentities().map((x) => x.identity)).toEqual([
      LOCAL_IDENTITY_BASE,
      LOCAL_IDENTITY_BASE + 1,
    ])
    const ep = agent.endpoints.get('web/api-a')
    expect(ep?.policy.ingressIsolated).toBe(true)
    // the /24 identity is selected, the except /25 is not; the host may always reach its pods
    expect(ep?.policy.entries.map((e) => e.identity).sort()).toEqual([HOST_ID, 0, LOCAL_IDENTITY_BASE].sort())
  })

  it('regenerates only endpoints whose selectors gain an identity when a pod with new labels appears', () => {
    const c = smallCluster()
    c.networkPolicies.push(
      policy({
        name: 'from-client',
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
      }),
    )
    const r = recorder()
    const agent = new CiliumAgent(c, 'a', r.sink)
    agent.start()
    r.ops.length = 0
    const change: ClusterChange = {
      op: 'upsert',
      kind: 'Pod',
      object: {
        namespace: 'web',
        name: 'client-c',
        labels: { app: 'client', v: '2' },
        ip: '10.244.2.11',
        nodeName: 'c',
        ports: [],
      },
    }
    agent.apply(change)
    const newId = agent.identityOfPod('web/client-c') as number
    const apiEp = agent.endpoints.get('web/api-a')
    expect(apiEp?.policy.entries.some((e) => e.identity === newId && e.direction === 0)).toBe(true)
    // one ipcache entry and one policy entry (api-a's); client-a's endpoint is not touched
    expect(r.ops).toContain(`ipcache update ${ipToU32('10.244.2.11')}/32`)
    expect(r.ops.filter((o) => o.startsWith('policy'))).toEqual([`policy update ${apiEp?.id}`])
  })

  it('programs ClusterIP, NodePort wildcard and node-address frontends with shared backends', () => {
    const r = recorder()
    const c = withApiService(smallCluster(), {
      type: 'NodePort',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
    })
    const agent = new CiliumAgent(c, 'a', r.sink)
    agent.start()
    const fes = agent.frontends.get('web/api') ?? []
    expect(
      fes.map((f) => `${f.frontend.type} ${f.frontend.addr === 0 ? '0.0.0.0' : 'ip'}:${f.frontend.port}`),
    ).toEqual(['ClusterIP ip:80', 'NodePort 0.0.0.0:30080', 'NodePort ip:30080'])
    expect(agent.backends.size).toBe(2)
    expect(new Set(fes.map((f) => f.revNat)).size).toBe(3)
  })
})
