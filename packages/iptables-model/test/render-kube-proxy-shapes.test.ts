import type { Cluster, Service } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { renderKubeProxy } from '../src/render/kubeProxy/kubeProxy'
import type { KubeProxyOptions } from '../src/render/kubeProxy/options'
import { kubeProxyRestoreText } from '../src/render/kubeProxy/restoreText'
import { blockLines } from '../src/render/kubeProxy/servicePortRules'

const NODE = 'n1'

/** One service `ns/web` port 80 → 8080 with `endpoints` backends, the first `local` of them on this node. */
function oneService(patch: Partial<Service>, endpoints: number, local = 0, ready = true): Cluster {
  return {
    schemaVersion: 1,
    serviceCIDR: '10.96.0.0/12',
    podCIDR: '10.244.0.0/16',
    nodes: [
      { name: NODE, internalIP: '192.168.1.10', podCIDR: '10.244.1.0/24', labels: {} },
      { name: 'n2', internalIP: '192.168.1.11', podCIDR: '10.244.2.0/24', labels: {} },
    ],
    namespaces: [{ name: 'ns', labels: {} }],
    pods: [],
    services: [
      {
        namespace: 'ns',
        name: 'web',
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
        externalIPs: [],
        loadBalancerIPs: [],
        loadBalancerSourceRanges: [],
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        ...patch,
      },
    ],
    endpointSlices: [
      {
        namespace: 'ns',
        name: 'web-1',
        serviceName: 'web',
        addressType: 'IPv4',
        ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
        endpoints: Array.from({ length: endpoints }, (_, i) => ({
          address: `10.244.${i < local ? 1 : 2}.${10 + i}`,
          nodeName: i < local ? NODE : 'n2',
          ready,
          serving: true,
          terminating: !ready,
        })),
      },
    ],
    networkPolicies: [],
  }
}

function shape(c: Cluster, opts: KubeProxyOptions = {}) {
  const r = renderKubeProxy(c, NODE, opts)
  const [ch] = r.services.get('ns/web')!
  const nat = [...blockLines(ch.natTopRules), ...blockLines(ch.natRules)]
  const filter = blockLines(ch.filterRules)
  const inChain = (lines: string[], prefix: string) =>
    lines.filter((l) => l.startsWith(`-A ${prefix}`)).length
  return { r, ch, nat, filter, inChain }
}

const E = 3
const NODEPORT = {
  type: 'NodePort' as const,
  ports: [{ name: 'http', protocol: 'TCP' as const, port: 80, targetPort: 8080, nodePort: 30080 }],
}
const LB = {
  type: 'LoadBalancer' as const,
  ports: [{ name: 'http', protocol: 'TCP' as const, port: 80, targetPort: 8080, nodePort: 30080 }],
  loadBalancerIPs: ['203.0.113.10'],
}

describe('kube-proxy rule counts per service shape (pkg/proxy/iptables/proxier.go)', () => {
  it('writes 2 + 3E nat rules for a ClusterIP port with E endpoints', () => {
    const s = shape(oneService({}, E))
    expect(s.nat).toHaveLength(2 + 3 * E)
    expect(s.filter).toHaveLength(0)
    expect(s.inChain(s.nat, 'KUBE-SVC-')).toBe(1 + E)
    expect(s.inChain(s.nat, 'KUBE-SEP-')).toBe(2 * E)
    expect(s.nat.filter((l) => l.includes('--probability'))).toEqual([
      expect.stringContaining('--probability 0.3333333333'),
      expect.stringContaining('--probability 0.5000000000'),
    ])
    const svcChain = s.ch.natChains.find((c) => c.startsWith('KUBE-SVC-'))
    expect(s.nat).toContain(
      `-A ${svcChain} -m comment --comment "ns/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
    )
  })

  it('adds 4 nat rules for a NodePort: two KUBE-NODEPORTS captures (localhost and any) and a KUBE-EXT chain', () => {
    const s = shape(oneService(NODEPORT, E))
    expect(s.nat).toHaveLength(6 + 3 * E)
    expect(s.inChain(s.nat, 'KUBE-NODEPORTS')).toBe(2)
    expect(s.inChain(s.nat, 'KUBE-EXT-')).toBe(2)
    expect(shape(oneService(NODEPORT, E), { localhostNodePorts: false }).nat).toHaveLength(5 + 3 * E)
  })

  it('sends LoadBalancer traffic with source ranges through KUBE-FW and drops the rest in KUBE-PROXY-FIREWALL', () => {
    const s = shape(oneService({ ...LB, loadBalancerSourceRanges: ['198.51.100.0/24'] }, E))
    expect(s.nat).toHaveLength(6 + 3 * E + 1 + 2)
    expect(s.inChain(s.nat, 'KUBE-FW-')).toBe(2)
    expect(s.nat).toContainEqual(
      expect.stringMatching(/loadbalancer IP" -m tcp -p tcp -d 203\.0\.113\.10 --dport 80 -j KUBE-FW-/),
    )
    expect(s.filter).toEqual([
      expect.stringMatching(/^-A KUBE-PROXY-FIREWALL .* -d 203\.0\.113\.10 --dport 80 -j DROP$/),
    ])
    // a source range holding the node's own address lets the node reach the LB IP (VIP looping back)
    const own = shape(oneService({ ...LB, loadBalancerSourceRanges: ['192.168.1.0/24'] }, E))
    expect(own.inChain(own.nat, 'KUBE-FW-')).toBe(3)
  })

  it('captures externalIPs into KUBE-EXT with masquerade for Cluster policy', () => {
    const s = shape(oneService({ externalIPs: ['198.51.100.7'] }, E))
    expect(s.nat).toHaveLength(5 + 3 * E)
    expect(s.nat).toContainEqual(
      expect.stringMatching(/"ns\/web:http external IP" .* -d 198\.51\.100\.7 --dport 80 -j KUBE-EXT-/),
    )
  })

  it('pins ClientIP affinity with recent: an --rcheck rule per endpoint in KUBE-SVC, --set in KUBE-SEP', () => {
    const s = shape(oneService({ sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 600 }, E))
    expect(s.nat).toHaveLength(2 + 4 * E)
    expect(s.nat.filter((l) => l.includes('--rcheck --seconds 600 --reap'))).toHaveLength(E)
    expect(
      s.nat.filter((l) => /-m recent --name KUBE-SEP-\S+ --set -m tcp -p tcp -j DNAT/.test(l)),
    ).toHaveLength(E)
  })

  it('routes eTP Local external traffic to KUBE-SVL with the local-traffic shortcuts in KUBE-EXT', () => {
    const s = shape(oneService({ ...NODEPORT, externalTrafficPolicy: 'Local' }, E, 1))
    expect(s.inChain(s.nat, 'KUBE-EXT-')).toBe(4)
    expect(s.inChain(s.nat, 'KUBE-SVL-')).toBe(1)
    expect(s.nat).toContainEqual(
      expect.stringMatching(
        /"pod traffic for ns\/web:http external destinations" -s 10\.244\.0\.0\/16 -j KUBE-SVC-/,
      ),
    )
    expect(s.nat).toHaveLength(8 + 3 * E + 1)
    // no local endpoint: external traffic is dropped in filter, the shortcuts stay
    const none = shape(oneService({ ...NODEPORT, externalTrafficPolicy: 'Local' }, E, 0))
    expect(none.inChain(none.nat, 'KUBE-EXT-')).toBe(3)
    expect(none.filter).toEqual([
      expect.stringMatching(
        /"ns\/web:http has no local endpoints" -m addrtype --dst-type LOCAL .* --dport 30080 -j DROP$/,
      ),
    ])
  })

  it('opens the health check node port of an eTP Local LoadBalancer in filter KUBE-NODEPORTS', () => {
    const s = shape(oneService({ ...LB, externalTrafficPolicy: 'Local', healthCheckNodePort: 31000 }, E, 1))
    expect(s.filter).toContainEqual(
      expect.stringMatching(/health check node port" -m tcp -p tcp --dport 31000 -j ACCEPT$/),
    )
  })

  it('uses only local endpoints for iTP Local and drops ClusterIP traffic when there are none', () => {
    const s = shape(oneService({ internalTrafficPolicy: 'Local' }, E, 2))
    expect(s.nat).toHaveLength(2 + 3 * 2)
    expect(s.inChain(s.nat, 'KUBE-SVL-')).toBe(3)
    const none = shape(oneService({ internalTrafficPolicy: 'Local' }, E, 0))
    expect(none.nat).toHaveLength(0)
    expect(none.filter).toEqual([
      expect.stringMatching(
        /^-A KUBE-SERVICES -m comment --comment "ns\/web:http has no local endpoints" .* -j DROP$/,
      ),
    ])
  })

  it('rejects traffic to a service without endpoints in filter, and writes no nat rules for it', () => {
    const s = shape(oneService({ ...NODEPORT, externalIPs: ['198.51.100.7'] }, 0))
    expect(s.nat).toHaveLength(0)
    expect(s.filter.map((l) => l.split(' ')[1])).toEqual([
      'KUBE-SERVICES',
      'KUBE-EXTERNAL-SERVICES',
      'KUBE-EXTERNAL-SERVICES',
    ])
    expect(
      s.filter.every((l) => l.includes('"ns/web:http has no endpoints"') && l.endsWith('-j REJECT')),
    ).toBe(true)
  })

  it('falls back to serving terminating endpoints when none is ready', () => {
    const s = shape(oneService({}, 2, 0, false))
    expect(s.nat).toHaveLength(2 + 3 * 2)
  })

  it('drops per-endpoint comments above the large-cluster threshold', () => {
    const s = shape(oneService({}, E), { largeClusterThreshold: 2 })
    expect(s.r.largeClusterMode).toBe(true)
    expect(s.nat.filter((l) => l.startsWith('-A KUBE-SEP-')).every((l) => !l.includes('--comment'))).toBe(
      true,
    )
    expect(
      s.nat
        .filter((l) => l.startsWith('-A KUBE-SVC-') && l.includes('KUBE-SEP-'))
        .every((l) => !l.includes('--comment')),
    ).toBe(true)
    expect(s.nat[0]).toContain('--comment "ns/web:http cluster IP"')
  })

  it('masquerades every ClusterIP connection with --masquerade-all', () => {
    const s = shape(oneService({}, E), { masqueradeAll: true })
    expect(s.nat).toContainEqual(
      expect.stringMatching(/cluster IP" -m tcp -p tcp -d 10\.96\.0\.10 --dport 80 -j KUBE-MARK-MASQ$/),
    )
  })

  it('limits NodePorts to --nodeport-addresses and keeps localhost out unless listed', () => {
    const c = oneService(NODEPORT, E)
    const text = kubeProxyRestoreText(renderKubeProxy(c, NODE, { nodePortAddresses: ['192.168.1.0/24'] }))
    expect(text).toContain(
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192.168.1.10 -j KUBE-NODEPORTS',
    )
    expect(text).not.toContain('127.0.0.0/8 --dport 30080')
    const noLocal = kubeProxyRestoreText(renderKubeProxy(c, NODE, { localhostNodePorts: false }))
    expect(noLocal).toContain('-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS')
    expect(noLocal).not.toContain(':KUBE-FIREWALL')
  })
})
