import {
  type Cluster,
  type ClusterChange,
  type CostProfile,
  ipToU32,
  type NodeDataplane,
  type Packet,
  type Trace,
  type UpdateReport,
  u32ToIp,
} from '@dataplane-sim/cluster'
import type { ClusterSize, SuiteBuilders } from '../src/suites/builders'

/** A small, valid-looking cluster of `size` built by hand (suites are tested without the real generator). */
export function fakeCluster(size: ClusterSize): Cluster {
  const nodes = Array.from({ length: size.nodes || 2 }, (_, i) => ({
    name: `node-${i}`,
    internalIP: `192.168.0.${i + 10}`,
    podCIDR: `10.244.${i}.0/24`,
    labels: {},
    memoryBytes: 16 * 2 ** 30,
  }))
  const pods: Cluster['pods'] = []
  const services: Cluster['services'] = []
  const endpointSlices: Cluster['endpointSlices'] = []
  let podN = 0
  for (let s = 0; s < size.services; s++) {
    services.push({
      namespace: 'default',
      name: `svc-${s}`,
      type: 'ClusterIP',
      clusterIP: u32ToIp(ipToU32('10.96.0.0') + 10 + s),
      ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080 }],
      selector: { app: `a${s}` },
      externalIPs: [],
      loadBalancerIPs: [],
      loadBalancerSourceRanges: [],
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
    })
    const eps = []
    for (let e = 0; e < size.endpoints; e++) {
      const node = nodes[podN % nodes.length]
      const ip = u32ToIp(ipToU32(node.podCIDR.split('/')[0]) + 2 + Math.floor(podN / nodes.length))
      pods.push({
        namespace: 'default',
        name: `p-${podN}`,
        labels: { app: `a${s}` },
        ip,
        nodeName: node.name,
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
      })
      eps.push({ address: ip, nodeName: node.name, ready: true, serving: true, terminating: false })
      podN++
    }
    endpointSlices.push({
      namespace: 'default',
      name: `svc-${s}-x`,
      serviceName: `svc-${s}`,
      addressType: 'IPv4',
      endpoints: eps,
      ports: [{ name: '', protocol: 'TCP', port: 8080 }],
    })
  }
  const networkPolicies: Cluster['networkPolicies'] = Array.from({ length: size.policies }, (_, i) => ({
    namespace: 'default',
    name: `np-${i}`,
    podSelector: { matchLabels: { app: `a${i}` } },
    policyTypes: ['Ingress'],
    ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }],
    egress: [],
  }))
  return {
    schemaVersion: 1,
    serviceCIDR: '10.96.0.0/12',
    podCIDR: '10.244.0.0/16',
    nodes,
    namespaces: [{ name: 'default', labels: {} }],
    pods,
    services,
    endpointSlices,
    networkPolicies,
  }
}

/**
 * A dataplane that costs what the two real ones cost in shape: `sequential` walks one rule per service in
 * cluster order (first-packet cost ∝ position) and rewrites the table on update; otherwise one lookup and one
 * map operation whatever the size.
 */
export function fakeDataplane(cluster: Cluster, node: string, sequential: boolean): NodeDataplane {
  const byName = new Map(cluster.services.map((s) => [s.name, s.clusterIP]))
  let services = [...byName.values()]
  const flows = new Set<string>()
  const trace = (ns: number, counts: Record<string, number>): Trace => ({
    verdict: 'forward',
    dnat: null,
    candidates: [],
    masquerade: false,
    steps: [],
    cost: { counts, ns },
  })
  return {
    kind: sequential ? 'iptables' : 'ebpf',
    node,
    classify(p: Packet): Trace {
      const key = `${p.src}:${p.sport}>${p.dst}:${p.dport}`
      if (flows.has(key)) return trace(50, { 'ct.lookup': 1 })
      flows.add(key)
      if (!sequential) return trace(100, { 'bpf.lookup': 3 })
      const at = services.indexOf(p.dst)
      const rules = at < 0 ? services.length : at + 1
      return trace(rules * 10, { 'ipt.rule': rules })
    },
    apply(change: ClusterChange): UpdateReport {
      if (change.kind === 'Service') {
        if (change.op === 'delete') byName.delete(change.name)
        else byName.set(change.object.name, change.object.clusterIP)
        services = [...byName.values()]
      }
      if (!sequential) return { counts: { 'bpf.update': 2 }, seconds: 2e-6 }
      const full = services.length * 1e-5
      return {
        counts: { 'restore.line': services.length },
        seconds: full / 2,
        variants: {
          'legacy-full': full,
          'legacy-partial': full / 2,
          'nft-full': full * 2,
          'nft-partial': 1e-4,
        },
      }
    },
    footprint() {
      return {
        kind: sequential ? 'iptables' : 'ebpf',
        items: [
          {
            name: sequential ? 'nat' : 'cilium_lb4_services_v2',
            entries: services.length,
            bytes: services.length * 100,
            max: sequential ? undefined : 65536,
          },
        ],
        totalEntries: services.length,
        totalBytes: services.length * 100,
      }
    },
  }
}

export const fakeBuilders: SuiteBuilders = {
  generate: fakeCluster,
  fullSync: (dp) =>
    dp.kind === 'iptables'
      ? { legacy: dp.footprint().totalEntries * 1e-5, nft: dp.footprint().totalEntries * 2e-5 }
      : null,
  iptables: (c, n) => fakeDataplane(c, n, true),
  ebpf: (c, n) => fakeDataplane(c, n, false),
}

export const fakeProfile: CostProfile = {
  schemaVersion: 1,
  name: 'fake',
  description: 'test profile',
  provenance: { method: 'test' },
  constants: { 'ipt.rule': { value: 10, unit: 'ns', source: 'test' } },
}
