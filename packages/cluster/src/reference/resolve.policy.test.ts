import { describe, expect, it } from 'vitest'
import { parsePacket } from '../packet/packet'
import type { NetworkPolicy } from '../scenario/types'
import { resolveReference } from './resolve'
import { check, nodePortSvc, OUTSIDE, type Row, svc, WEB1, WEB2 } from './resolveTable'

const np = (over: Partial<NetworkPolicy>): NetworkPolicy => ({
  namespace: 'prod',
  name: 'p',
  podSelector: {},
  policyTypes: ['Ingress'],
  ingress: [],
  egress: [],
  ...over,
})
const withPolicies = (...policies: NetworkPolicy[]) => svc({}, { policies })
const dbPort = { ports: [{ name: '', protocol: 'TCP' as const, port: 5432, targetPort: 5432 }] }

describe('resolveReference: NetworkPolicy (the examples of the Kubernetes docs)', () => {
  const rows: Row[] = [
    {
      name: 'no policy: everything is allowed',
      cluster: withPolicies(),
      packet: 'tcp 10.244.2.30:1 -> 10.244.1.10:8080',
      node: 'n2',
      verdict: 'forward',
      to: [WEB1],
    },
    {
      name: 'default deny ingress isolates every pod of the namespace',
      cluster: withPolicies(np({ name: 'default-deny-ingress' })),
      packet: 'tcp 10.244.1.30:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'drop',
      to: [],
    },
    {
      name: 'default deny ingress leaves other namespaces open',
      cluster: withPolicies(np({ namespace: 'dev' })),
      packet: 'tcp 10.244.1.31:1 -> 10.244.1.10:8080',
      node: 'n1',
      verdict: 'forward',
    },
    {
      name: 'allow all ingress wins over default deny (policies are a union)',
      cluster: withPolicies(np({ name: 'deny' }), np({ name: 'allow-all', ingress: [{}] })),
      packet: 'tcp 10.244.1.30:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'default deny egress stops the source pod',
      cluster: withPolicies(np({ policyTypes: ['Egress'] })),
      packet: 'tcp 10.244.1.30:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'drop',
    },
    {
      name: 'default deny egress also stops traffic to nodes',
      cluster: withPolicies(np({ policyTypes: ['Egress'] })),
      packet: 'tcp 10.244.1.30:1 -> 192.168.0.12:22',
      node: 'n1',
      verdict: 'drop',
    },
    {
      name: 'allow all egress',
      cluster: withPolicies(np({ policyTypes: ['Egress'], egress: [{}] })),
      packet: 'tcp 10.244.1.30:1 -> 8.8.8.8:53',
      node: 'n1',
      verdict: 'forward',
    },
    {
      name: 'an Egress-only policy does not isolate ingress',
      cluster: withPolicies(np({ policyTypes: ['Egress'] })),
      packet: 'tcp 10.244.2.30:1 -> 10.244.1.10:8080',
      node: 'n2',
      verdict: 'forward',
    },
    {
      name: 'podSelector peers select pods of the policy’s namespace only',
      cluster: withPolicies(
        np({
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
        }),
      ),
      packet: 'tcp 10.244.2.30:1 -> 10.96.0.10:80',
      node: 'n2',
      verdict: 'drop',
    },
    {
      name: 'podSelector peer admits a matching pod of the same namespace',
      cluster: withPolicies(
        np({
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
        }),
      ),
      packet: 'tcp 10.244.1.30:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'namespaceSelector alone admits every pod of the selected namespaces',
      cluster: withPolicies(
        np({ ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'search' } } }] }] }),
      ),
      packet: 'tcp 10.244.1.31:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'namespaceSelector AND podSelector in one peer: both must match (match)',
      cluster: withPolicies(
        np({
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { team: 'search' } },
                  podSelector: { matchLabels: { app: 'client' } },
                },
              ],
            },
          ],
        }),
      ),
      packet: 'tcp 10.244.2.30:1 -> 10.96.0.10:80',
      node: 'n2',
      verdict: 'forward',
    },
    {
      name: 'namespaceSelector AND podSelector in one peer: both must match (pod differs)',
      cluster: withPolicies(
        np({
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { team: 'search' } },
                  podSelector: { matchLabels: { app: 'client' } },
                },
              ],
            },
          ],
        }),
      ),
      packet: 'tcp 10.244.1.31:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'drop',
    },
    {
      name: 'namespaceSelector OR podSelector as two peers: either matches',
      cluster: withPolicies(
        np({
          ingress: [
            {
              from: [
                { namespaceSelector: { matchLabels: { team: 'search' } } },
                { podSelector: { matchLabels: { app: 'client' } } },
              ],
            },
          ],
        }),
      ),
      packet: 'tcp 10.244.1.31:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
    },
    {
      name: 'matchExpressions select peers (NotIn matches a pod without the key)',
      cluster: withPolicies(
        np({
          ingress: [
            {
              from: [
                { podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] } },
              ],
            },
          ],
        }),
      ),
      packet: 'tcp 10.244.1.30:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
    },
    {
      name: 'ipBlock admits an address inside its CIDR',
      cluster: withPolicies(
        np({ ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }] }] }),
      ),
      packet: 'tcp 172.17.2.5:1 -> 10.244.1.10:8080',
      node: 'n1',
      verdict: 'forward',
    },
    {
      name: 'ipBlock except carves addresses out',
      cluster: withPolicies(
        np({ ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }] }] }),
      ),
      packet: 'tcp 172.17.1.5:1 -> 10.244.1.10:8080',
      node: 'n1',
      verdict: 'drop',
    },
    {
      name: 'ipBlock applies to pod addresses too (implementation choice of Calico and Cilium)',
      cluster: withPolicies(np({ ingress: [{ from: [{ ipBlock: { cidr: '10.244.2.0/24' } }] }] })),
      packet: 'tcp 10.244.2.30:1 -> 10.244.1.10:8080',
      node: 'n2',
      verdict: 'forward',
    },
    {
      name: 'egress ipBlock with except',
      cluster: withPolicies(
        np({
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['8.8.8.0/24'] } }] }],
        }),
      ),
      packet: 'tcp 10.244.1.30:1 -> 8.8.8.8:53',
      node: 'n1',
      verdict: 'drop',
    },
    {
      name: 'egress is judged against the backend, not the ClusterIP',
      cluster: svc(dbPort, {
        policies: [
          np({
            policyTypes: ['Egress'],
            egress: [{ to: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
          }),
        ],
      }),
      packet: 'tcp 10.244.1.30:1 -> 10.96.0.10:5432',
      node: 'n1',
      verdict: 'forward',
      to: ['10.244.1.10:5432', '10.244.2.10:5432'],
    },
    {
      name: 'a port without protocol means TCP: UDP is not admitted',
      cluster: svc(
        { ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 8080 }] },
        { policies: [np({ ingress: [{ ports: [{ port: 8080 }] }] })] },
      ),
      packet: 'udp 10.244.1.30:1 -> 10.96.0.10:53',
      node: 'n1',
      verdict: 'drop',
    },
    {
      name: 'a numeric port admits that port',
      cluster: withPolicies(np({ ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }] })),
      packet: 'tcp 10.244.1.30:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1],
    },
    {
      name: 'endPort admits a range (docs: 32000-32768)',
      cluster: withPolicies(np({ ingress: [{ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] })),
      packet: 'tcp 10.244.1.30:1 -> 10.244.1.10:32768',
      node: 'n1',
      verdict: 'forward',
    },
    {
      name: 'endPort excludes ports past its end',
      cluster: withPolicies(np({ ingress: [{ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] })),
      packet: 'tcp 10.244.1.30:1 -> 10.244.1.10:32769',
      node: 'n1',
      verdict: 'drop',
    },
    {
      name: 'a named port resolves against each destination pod (http is 8080 and 8081)',
      cluster: withPolicies(np({ ingress: [{ ports: [{ port: 'http' }] }] })),
      packet: 'tcp 10.244.1.30:1 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'a named port does not admit another number',
      cluster: withPolicies(np({ ingress: [{ ports: [{ port: 'http' }] }] })),
      packet: 'tcp 10.244.1.30:1 -> 10.244.2.10:8080',
      node: 'n1',
      verdict: 'drop',
    },
    {
      name: 'rules with ports never admit ICMP; rules without ports do',
      cluster: withPolicies(
        np({
          ingress: [
            { ports: [{ port: 8080 }] },
            { from: [{ podSelector: { matchLabels: { app: 'client' } } }] },
          ],
        }),
      ),
      packet: 'icmp 10.244.1.30 -> 10.244.1.10',
      node: 'n1',
      verdict: 'forward',
    },
    {
      name: 'ingress sees the masqueraded source: ipBlock for the client no longer matches',
      cluster: nodePortSvc(
        {},
        { policies: [np({ ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] })] },
      ),
      packet: `tcp ${OUTSIDE}:1 -> 192.168.0.12:30080`,
      node: 'n2',
      verdict: 'forward',
      to: [WEB2],
      masquerade: true,
    },
    {
      name: 'ingress sees the client under eTP Local: ipBlock matches it',
      cluster: nodePortSvc(
        { externalTrafficPolicy: 'Local' },
        { policies: [np({ ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] })] },
      ),
      packet: `tcp ${OUTSIDE}:1 -> 192.168.0.12:30080`,
      node: 'n2',
      verdict: 'forward',
      to: [WEB2],
      masquerade: false,
    },
    {
      name: 'traffic from the pod’s own node is always allowed',
      cluster: withPolicies(np({})),
      packet: 'tcp 192.168.0.11:1 -> 10.244.1.10:8080',
      node: 'n1',
      verdict: 'forward',
    },
    {
      name: 'traffic from another node is subject to ingress policy',
      cluster: withPolicies(np({})),
      packet: 'tcp 192.168.0.12:1 -> 10.244.1.10:8080',
      node: 'n2',
      verdict: 'drop',
    },
    {
      name: 'a host-network pod is never isolated (egress)',
      cluster: withPolicies(np({ policyTypes: ['Egress'] })),
      packet: 'tcp 192.168.0.11:1 -> 8.8.8.8:53',
      node: 'n1',
      verdict: 'forward',
    },
  ]
  it.each(rows)('$name', check)

  it('judges a local backend by the client address when asked (policy before MASQUERADE)', () => {
    const c = nodePortSvc(
      {},
      { policies: [np({ ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] })] },
    )
    const p = parsePacket(`tcp ${OUTSIDE}:1 -> 192.168.0.12:30080`)
    const ref = resolveReference(c, p, { node: 'n2', localBackendSource: 'client' })
    // web-2 (on n2) is judged by the client, which the ipBlock admits; web-1 (on n1) sees n2's address
    expect(ref.candidates.map((x) => x.ip)).toEqual(['10.244.2.10'])
    expect(ref.eligible.map((x) => x.source)).toEqual(['192.168.0.12', '192.168.0.12'])
    const other = parsePacket('tcp 198.51.100.1:1 -> 192.168.0.12:30080')
    expect(resolveReference(c, other, { node: 'n2', localBackendSource: 'client' }).candidates).toEqual([])
    // by default web-2 is judged by the masqueraded address, its own node's, which is always allowed
    expect(resolveReference(c, other, { node: 'n2' }).candidates.map((x) => x.ip)).toEqual(['10.244.2.10'])
  })
})
