import { describe, expect, it } from 'vitest'
import { isInputError } from '../errors/errors'
import { parsePacket } from '../packet/packet'
import { resolveReference } from './resolve'
import { check, lbSvc, nodePortSvc, OUTSIDE, type Row, svc, WEB1, WEB2 } from './resolveTable'

describe('resolveReference: Services (virtual IPs, traffic policies, terminating endpoints, source ranges)', () => {
  const rows: Row[] = [
    {
      name: 'a ClusterIP spreads a pod’s connection uniformly over ready endpoints',
      cluster: svc(),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
      masquerade: false,
      seen: '10.244.1.30',
    },
    {
      name: 'a named targetPort resolves per pod (8080 on web-1, 8081 on web-2)',
      cluster: svc(),
      packet: 'tcp 10.244.2.30:40000 -> 10.96.0.10:80',
      node: 'n2',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'a numeric targetPort is used as is',
      cluster: svc({ ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 9376 }] }),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: ['10.244.1.10:9376', '10.244.2.10:9376'],
    },
    {
      name: 'the protocol is part of the frontend: UDP to a TCP port is not the service',
      cluster: svc(),
      packet: 'udp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [],
    },
    {
      name: 'a UDP service port is a frontend for UDP',
      cluster: svc({ ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 }] }),
      packet: 'udp 10.244.1.30:40000 -> 10.96.0.10:53',
      node: 'n1',
      verdict: 'forward',
      to: ['10.244.1.10:5353', '10.244.2.10:5353'],
    },
    {
      name: 'another port of the ClusterIP is no frontend: routed out',
      cluster: svc(),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:81',
      node: 'n1',
      verdict: 'forward',
      to: [],
    },
    {
      name: 'a headless service (clusterIP None) has no virtual IP',
      cluster: svc({ clusterIP: 'None' }),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [],
    },
    {
      name: 'ClusterIP traffic from outside the cluster CIDR is masqueraded',
      cluster: svc(),
      packet: `tcp ${OUTSIDE}:40000 -> 10.96.0.10:80`,
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
      masquerade: true,
      seen: '192.168.0.11',
    },
    {
      name: 'ClusterIP traffic from a node (host network) is masqueraded',
      cluster: svc(),
      packet: 'tcp 192.168.0.12:40000 -> 10.96.0.10:80',
      node: 'n2',
      verdict: 'forward',
      masquerade: true,
      seen: '192.168.0.12',
    },
    {
      name: 'a NodePort answers on every node’s InternalIP, masqueraded under eTP Cluster',
      cluster: nodePortSvc(),
      packet: `tcp ${OUTSIDE}:40000 -> 192.168.0.12:30080`,
      node: 'n2',
      verdict: 'forward',
      to: [WEB1, WEB2],
      masquerade: true,
      seen: '192.168.0.12',
    },
    {
      name: 'a NodePort is judged on the node owning the addressed IP',
      cluster: nodePortSvc({ externalTrafficPolicy: 'Local' }),
      packet: `tcp ${OUTSIDE}:40000 -> 192.168.0.12:30080`,
      node: 'n1',
      verdict: 'forward',
      to: [WEB2],
      masquerade: false,
    },
    {
      name: 'a ClusterIP service has no nodePort',
      cluster: svc(),
      packet: `tcp ${OUTSIDE}:40000 -> 192.168.0.12:30080`,
      node: 'n2',
      verdict: 'local',
      to: [],
    },
    {
      name: 'a LoadBalancer service also has its nodePort',
      cluster: lbSvc(),
      packet: `tcp ${OUTSIDE}:40000 -> 192.168.0.11:30080`,
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
      masquerade: true,
    },
    {
      name: 'an externalIP is a frontend, masqueraded under eTP Cluster',
      cluster: svc({ externalIPs: ['172.24.0.9'] }),
      packet: `tcp ${OUTSIDE}:40000 -> 172.24.0.9:80`,
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
      masquerade: true,
    },
    {
      name: 'a LoadBalancer ingress IP is a frontend, masqueraded under eTP Cluster',
      cluster: lbSvc(),
      packet: `tcp ${OUTSIDE}:40000 -> 172.20.0.5:80`,
      node: 'n2',
      verdict: 'forward',
      to: [WEB1, WEB2],
      masquerade: true,
      seen: '192.168.0.12',
    },
    {
      name: 'eTP Cluster masquerades even a pod reaching an external address',
      cluster: lbSvc(),
      packet: 'tcp 10.244.1.30:40000 -> 172.20.0.5:80',
      node: 'n1',
      verdict: 'forward',
      masquerade: true,
    },
    {
      name: 'eTP Local keeps the client address and uses only the entry node’s endpoints',
      cluster: lbSvc({ externalTrafficPolicy: 'Local' }),
      packet: `tcp ${OUTSIDE}:40000 -> 172.20.0.5:80`,
      node: 'n1',
      verdict: 'forward',
      to: [WEB1],
      masquerade: false,
      seen: OUTSIDE,
    },
    {
      name: 'eTP Local with no endpoint on the entry node drops (KUBE-EXT has no local endpoints)',
      cluster: lbSvc({
        externalTrafficPolicy: 'Local',
        selector: { app: 'db' },
        ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 5432, nodePort: 30080 }],
      }),
      packet: `tcp ${OUTSIDE}:40000 -> 172.20.0.5:80`,
      node: 'n1',
      verdict: 'drop',
      to: [],
    },
    {
      name: 'eTP Local: pod traffic to an external address short-circuits to every endpoint',
      cluster: lbSvc({
        externalTrafficPolicy: 'Local',
        selector: { app: 'db' },
        ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 5432, nodePort: 30080 }],
      }),
      packet: 'tcp 10.244.1.30:40000 -> 172.20.0.5:80',
      node: 'n1',
      verdict: 'forward',
      to: ['10.244.2.20:5432'],
      masquerade: false,
    },
    {
      name: 'eTP Local: the node’s own traffic is masqueraded and reaches every endpoint',
      cluster: nodePortSvc({ externalTrafficPolicy: 'Local' }),
      packet: 'tcp 192.168.0.11:40000 -> 192.168.0.11:30080',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
      masquerade: true,
    },
    {
      name: 'eTP Local does not restrict ClusterIP traffic',
      cluster: nodePortSvc({ externalTrafficPolicy: 'Local' }),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'iTP Local keeps ClusterIP traffic on the entry node’s endpoints',
      cluster: svc({ internalTrafficPolicy: 'Local' }),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1],
    },
    {
      name: 'iTP Local with no local endpoint drops',
      cluster: svc({
        internalTrafficPolicy: 'Local',
        selector: { app: 'db' },
        ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 5432 }],
      }),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'drop',
      to: [],
    },
    {
      name: 'iTP Local does not restrict external traffic',
      cluster: nodePortSvc({ internalTrafficPolicy: 'Local' }),
      packet: `tcp ${OUTSIDE}:40000 -> 192.168.0.11:30080`,
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'a service with no endpoints rejects',
      cluster: svc({ selector: { app: 'nothing' } }),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'reject',
      to: [],
    },
    {
      name: 'no endpoints rejects even under eTP Local',
      cluster: lbSvc({ selector: { app: 'nothing' }, externalTrafficPolicy: 'Local' }),
      packet: `tcp ${OUTSIDE}:40000 -> 172.20.0.5:80`,
      node: 'n1',
      verdict: 'reject',
    },
    {
      name: 'no endpoints rejects before loadBalancerSourceRanges drop',
      cluster: lbSvc({ selector: { app: 'nothing' }, loadBalancerSourceRanges: ['198.51.100.0/24'] }),
      packet: `tcp ${OUTSIDE}:40000 -> 172.20.0.5:80`,
      node: 'n1',
      verdict: 'reject',
    },
    {
      name: 'terminating endpoints are not used while some endpoint is ready',
      cluster: svc({}, { conditions: { 'web-2': { ready: false, serving: true, terminating: true } } }),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1],
    },
    {
      name: 'serving terminating endpoints are used when none is ready',
      cluster: svc(
        {},
        {
          conditions: {
            'web-1': { ready: false, serving: true, terminating: true },
            'web-2': { ready: false, serving: false, terminating: true },
          },
        },
      ),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1],
    },
    {
      name: 'not-serving endpoints are never used: rejects',
      cluster: svc(
        {},
        {
          conditions: {
            'web-1': { ready: false, serving: false, terminating: false },
            'web-2': { ready: false, serving: false, terminating: true },
          },
        },
      ),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'reject',
    },
    {
      name: 'iTP Local falls back to the node’s serving terminating endpoints',
      cluster: svc(
        { internalTrafficPolicy: 'Local' },
        { conditions: { 'web-1': { ready: false, serving: true, terminating: true } } },
      ),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1],
    },
    {
      name: 'loadBalancerSourceRanges admit a source inside them',
      cluster: lbSvc({ loadBalancerSourceRanges: ['203.0.113.0/24'] }),
      packet: `tcp ${OUTSIDE}:40000 -> 172.20.0.5:80`,
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'loadBalancerSourceRanges drop a source outside them',
      cluster: lbSvc({ loadBalancerSourceRanges: ['198.51.100.0/24'] }),
      packet: `tcp ${OUTSIDE}:40000 -> 172.20.0.5:80`,
      node: 'n1',
      verdict: 'drop',
      to: [],
    },
    {
      name: 'loadBalancerSourceRanges apply to the LB IP only, not the nodePort',
      cluster: lbSvc({ loadBalancerSourceRanges: ['198.51.100.0/24'] }),
      packet: `tcp ${OUTSIDE}:40000 -> 192.168.0.11:30080`,
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'loadBalancerSourceRanges apply to the LB IP only, not the ClusterIP',
      cluster: lbSvc({ loadBalancerSourceRanges: ['198.51.100.0/24'] }),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'ClientIP affinity does not change the first packet’s distribution',
      cluster: svc({ sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 10800 }),
      packet: 'tcp 10.244.1.30:40000 -> 10.96.0.10:80',
      node: 'n1',
      verdict: 'forward',
      to: [WEB1, WEB2],
    },
    {
      name: 'a pod IP is its own single candidate',
      cluster: svc(),
      packet: 'tcp 10.244.1.30:40000 -> 10.244.2.20:5432',
      node: 'n1',
      verdict: 'forward',
      to: ['10.244.2.20:5432'],
    },
    {
      name: 'a node IP that is not a nodePort is delivered locally',
      cluster: svc(),
      packet: 'tcp 10.244.1.30:40000 -> 192.168.0.12:22',
      node: 'n1',
      verdict: 'local',
      to: [],
    },
    {
      name: 'any other address is routed out with no candidate',
      cluster: svc(),
      packet: 'tcp 10.244.1.30:40000 -> 8.8.8.8:53',
      node: 'n1',
      verdict: 'forward',
      to: [],
    },
    {
      name: 'ICMP to a ClusterIP is no service traffic',
      cluster: svc(),
      packet: 'icmp 10.244.1.30 -> 10.96.0.10',
      node: 'n1',
      verdict: 'forward',
      to: [],
    },
  ]
  it.each(rows)('$name', check)

  it('masquerades a pod reaching itself through its own service (hairpin), per endpoint', () => {
    const r = resolveReference(svc(), parsePacket('tcp 10.244.1.10:40000 -> 10.96.0.10:80'), { node: 'n1' })
    expect(r.masquerade).toBe(false)
    const self = r.eligible.find((c) => c.ip === '10.244.1.10')!
    const other = r.eligible.find((c) => c.ip === '10.244.2.10')!
    expect([self.masquerade, self.source]).toEqual([true, '192.168.0.11'])
    expect([other.masquerade, other.source]).toEqual([false, '10.244.1.10'])
  })

  it('names the node it does not know with an InputError', () => {
    let err: unknown
    try {
      resolveReference(svc(), parsePacket('tcp 10.244.1.30:1 -> 10.96.0.10:80'), { node: 'nope' })
    } catch (e) {
      err = e
    }
    expect(isInputError(err)).toBe(true)
    expect(String((err as Error).message)).toContain('nope')
  })
})
