import type { Cluster, EndpointSlice, NetworkPolicy, Pod, Service } from '@dataplane-sim/cluster'

/**
 * A small hand-built cluster: three nodes (a, b, c), namespace `web` with frontend pods on a and b and
 * backend pods on a and b, namespace `db`. Tests take it and add services / policies.
 */
export function smallCluster(): Cluster {
  const nodes = ['a', 'b', 'c'].map((name, i) => ({
    name,
    internalIP: `172.18.0.${i + 2}`,
    podCIDR: `10.244.${i}.0/24`,
    labels: { 'kubernetes.io/hostname': name },
    memoryBytes: 16 * 2 ** 30,
  }))
  const pod = (
    namespace: string,
    name: string,
    labels: Record<string, string>,
    ip: string,
    nodeName: string,
  ): Pod => ({
    namespace,
    name,
    labels,
    ip,
    nodeName,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
  })
  return {
    schemaVersion: 1,
    serviceCIDR: '10.96.0.0/12',
    podCIDR: '10.244.0.0/16',
    nodes,
    namespaces: [
      { name: 'web', labels: { 'kubernetes.io/metadata.name': 'web', team: 'shop' } },
      { name: 'db', labels: { 'kubernetes.io/metadata.name': 'db' } },
    ],
    pods: [
      pod('web', 'client-a', { app: 'client' }, '10.244.0.10', 'a'),
      pod('web', 'client-b', { app: 'client' }, '10.244.1.10', 'b'),
      pod('web', 'api-a', { app: 'api' }, '10.244.0.20', 'a'),
      pod('web', 'api-b', { app: 'api' }, '10.244.1.20', 'b'),
      pod('db', 'pg-c', { app: 'pg' }, '10.244.2.30', 'c'),
    ],
    services: [],
    endpointSlices: [],
    networkPolicies: [],
  }
}

export function service(over: Partial<Service> & { name: string }): Service {
  return {
    namespace: 'web',
    type: 'ClusterIP',
    clusterIP: '10.96.0.10',
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    selector: { app: 'api' },
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    sessionAffinity: 'None',
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    ...over,
  }
}

export function slice(
  svc: string,
  endpoints: Array<{
    ip: string
    node: string
    pod?: string
    ready?: boolean
    serving?: boolean
    terminating?: boolean
  }>,
  over: Partial<EndpointSlice> = {},
): EndpointSlice {
  return {
    namespace: 'web',
    name: `${svc}-abcde`,
    serviceName: svc,
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      address: e.ip,
      nodeName: e.node,
      ready: e.ready ?? true,
      serving: e.serving ?? e.ready ?? true,
      terminating: e.terminating ?? false,
      targetRef: e.pod ? `web/${e.pod}` : undefined,
    })),
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    ...over,
  }
}

/** The api service with both api pods as backends. */
export function withApiService(c: Cluster, over: Partial<Service> = {}): Cluster {
  return {
    ...c,
    services: [...c.services, service({ name: 'api', ...over })],
    endpointSlices: [
      ...c.endpointSlices,
      slice('api', [
        { ip: '10.244.0.20', node: 'a', pod: 'api-a' },
        { ip: '10.244.1.20', node: 'b', pod: 'api-b' },
      ]),
    ],
  }
}

export function policy(over: Partial<NetworkPolicy> & { name: string }): NetworkPolicy {
  return {
    namespace: 'web',
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [],
    egress: [],
    ...over,
  }
}
