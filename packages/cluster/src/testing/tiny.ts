import { type EndpointConditions, endpointSlicesFor } from '../scenario/endpointSlices'
import type { Cluster, NetworkPolicy, Pod, Service } from '../scenario/types'
import { CLUSTER_SCHEMA_VERSION } from '../scenario/types'
import { matchesSelector } from '../selector/selector'

/**
 * A hand-written two-node cluster for table tests: nodes n1 (192.168.0.11, pods 10.244.1.0/24) and n2
 * (192.168.0.12, pods 10.244.2.0/24); namespaces prod (team payments) and dev (team search); pods
 * web-1 (n1, http=8080), web-2 (n2, http=8081), db-1 (n2), client-1 (prod, n1), client-2 (dev, n2),
 * other-1 (dev, n1), agent (host network on n1). `services` get EndpointSlices from their selector, with
 * `conditions` per pod name (default ready).
 */
export function tinyCluster(
  opts: {
    services?: Service[]
    policies?: NetworkPolicy[]
    conditions?: Record<string, EndpointConditions>
  } = {},
): Cluster {
  const pods: Pod[] = [
    pod('prod', 'web-1', { app: 'web', tier: 'frontend' }, '10.244.1.10', 'n1', 8080),
    pod('prod', 'web-2', { app: 'web', tier: 'frontend' }, '10.244.2.10', 'n2', 8081),
    pod('prod', 'db-1', { app: 'db', tier: 'db' }, '10.244.2.20', 'n2', 5432, 'pg'),
    pod('prod', 'client-1', { app: 'client', tier: 'frontend' }, '10.244.1.30', 'n1'),
    pod('dev', 'client-2', { app: 'client', tier: 'frontend' }, '10.244.2.30', 'n2'),
    pod('dev', 'other-1', { app: 'other' }, '10.244.1.31', 'n1'),
    { ...pod('prod', 'agent', { app: 'agent' }, '192.168.0.11', 'n1', 9100, 'metrics'), hostNetwork: true },
  ]
  const services = opts.services ?? []
  const endpointSlices = services.flatMap((svc) =>
    endpointSlicesFor(
      svc,
      pods.filter(
        (p) =>
          !p.hostNetwork &&
          p.namespace === svc.namespace &&
          svc.selector &&
          matchesSelector({ matchLabels: svc.selector }, p.labels),
      ),
      (p) => opts.conditions?.[p.name] ?? { ready: true, serving: true, terminating: false },
    ),
  )
  return {
    schemaVersion: CLUSTER_SCHEMA_VERSION,
    serviceCIDR: '10.96.0.0/12',
    podCIDR: '10.244.0.0/16',
    nodes: [
      {
        name: 'n1',
        internalIP: '192.168.0.11',
        podCIDR: '10.244.1.0/24',
        labels: {},
        memoryBytes: 16 * 1024 ** 3,
      },
      {
        name: 'n2',
        internalIP: '192.168.0.12',
        podCIDR: '10.244.2.0/24',
        labels: {},
        memoryBytes: 16 * 1024 ** 3,
      },
    ],
    namespaces: [
      { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod', team: 'payments' } },
      { name: 'dev', labels: { 'kubernetes.io/metadata.name': 'dev', team: 'search' } },
    ],
    pods,
    services,
    endpointSlices,
    networkPolicies: opts.policies ?? [],
  }
}

/** A service in `prod` selecting app=web on port 80 → named port http, overridable field by field. */
export function tinyService(over: Partial<Service> = {}): Service {
  const svc: Service = {
    namespace: 'prod',
    name: 'web',
    type: 'ClusterIP',
    clusterIP: '10.96.0.10',
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }],
    selector: { app: 'web' },
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    sessionAffinity: 'None',
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    ...over,
  }
  // NodePort and LoadBalancer services get nodePorts 30080, 30081, ... unless given; ClusterIP ones none.
  svc.ports = svc.ports.map((p, i) => {
    if (svc.type === 'ClusterIP') {
      const { nodePort: _drop, ...rest } = p
      return rest
    }
    return { ...p, nodePort: p.nodePort ?? 30080 + i }
  })
  return svc
}

function pod(
  ns: string,
  name: string,
  labels: Record<string, string>,
  ip: string,
  node: string,
  port?: number,
  portName = 'http',
): Pod {
  return {
    namespace: ns,
    name,
    labels,
    ip,
    nodeName: node,
    ports: port ? [{ name: portName, containerPort: port, protocol: 'TCP' }] : [],
  }
}
