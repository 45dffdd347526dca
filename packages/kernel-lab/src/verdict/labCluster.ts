import {
  CLUSTER_SCHEMA_VERSION,
  type Cluster,
  type EndpointSlice,
  type Pod,
  type Protocol,
  type Service,
} from '@dataplane-sim/cluster'
import { LAB_ADDRESSES, LAB_NODE_IP } from '../topology/addressPlan'

/** The node the lab's node namespace plays. */
export const LAB_NODE = 'lab-node'
const REMOTE_NODE = 'remote-node'

/** One packet shape the differential sends many times (a new source port each), and what it exercises. */
export interface VerdictCase {
  name: string
  protocol: 'udp' | 'tcp'
  dst: string
  dport: number
}

interface Spec {
  name: string
  type: Service['type']
  clusterIP: string
  protocol: Protocol
  port: number
  nodePort?: number
  eTP?: 'Local'
  /** backends: [ip, node] */
  pods: Array<[string, string]>
}

const svcIP = (n: number) => `198.19.0.${n}`
const local = (n: number): [string, string] => [`198.18.128.${n}`, LAB_NODE]
const remote = (n: number): [string, string] => [`198.18.129.${n}`, REMOTE_NODE]

/**
 * A small hand-written cluster covering every verdict the differential must check, all in 198.18.0.0/15:
 * a one-endpoint ClusterIP (deterministic), a three-endpoint UDP ClusterIP (random), a NodePort, a service
 * without endpoints (reject), NodePorts with externalTrafficPolicy Local with no / one local endpoint, and a
 * ClusterIP whose only pod a deny-all NetworkPolicy isolates.
 */
export function labCluster(): { cluster: Cluster; cases: VerdictCase[] } {
  const specs: Spec[] = [
    { name: 'one', type: 'ClusterIP', clusterIP: svcIP(10), protocol: 'TCP', port: 80, pods: [local(10)] },
    {
      name: 'three',
      type: 'ClusterIP',
      clusterIP: svcIP(11),
      protocol: 'UDP',
      port: 53,
      pods: [local(20), local(21), remote(22)],
    },
    {
      name: 'np',
      type: 'NodePort',
      clusterIP: svcIP(12),
      protocol: 'TCP',
      port: 80,
      nodePort: 30080,
      pods: [local(30), remote(31)],
    },
    { name: 'none', type: 'ClusterIP', clusterIP: svcIP(13), protocol: 'TCP', port: 80, pods: [] },
    {
      name: 'local-none',
      type: 'NodePort',
      clusterIP: svcIP(14),
      protocol: 'TCP',
      port: 80,
      nodePort: 30081,
      eTP: 'Local',
      pods: [remote(40)],
    },
    {
      name: 'local-one',
      type: 'NodePort',
      clusterIP: svcIP(15),
      protocol: 'UDP',
      port: 80,
      nodePort: 30082,
      eTP: 'Local',
      pods: [local(50), remote(51)],
    },
    { name: 'denied', type: 'ClusterIP', clusterIP: svcIP(16), protocol: 'TCP', port: 80, pods: [local(60)] },
  ]
  const pods: Pod[] = []
  const services: Service[] = []
  const endpointSlices: EndpointSlice[] = []
  for (const s of specs) {
    s.pods.forEach(([ip, node], i) => {
      pods.push({
        namespace: 'lab',
        name: `${s.name}-${i}`,
        labels: { app: s.name },
        ip,
        nodeName: node,
        ports: [{ name: 'serve', containerPort: 8080, protocol: s.protocol }],
      })
    })
    services.push({
      namespace: 'lab',
      name: s.name,
      type: s.type,
      clusterIP: s.clusterIP,
      ports: [{ name: '', protocol: s.protocol, port: s.port, targetPort: 8080, nodePort: s.nodePort }],
      selector: { app: s.name },
      externalIPs: [],
      loadBalancerIPs: [],
      loadBalancerSourceRanges: [],
      sessionAffinity: 'None',
      externalTrafficPolicy: s.eTP ?? 'Cluster',
      internalTrafficPolicy: 'Cluster',
    })
    endpointSlices.push({
      namespace: 'lab',
      name: `${s.name}-slice`,
      serviceName: s.name,
      addressType: 'IPv4',
      endpoints: s.pods.map(([ip, node], i) => ({
        address: ip,
        nodeName: node,
        ready: true,
        serving: true,
        terminating: false,
        targetRef: `lab/${s.name}-${i}`,
      })),
      ports: [{ name: '', protocol: s.protocol, port: 8080 }],
    })
  }
  const cluster: Cluster = {
    schemaVersion: CLUSTER_SCHEMA_VERSION,
    serviceCIDR: LAB_ADDRESSES.serviceCIDR,
    podCIDR: LAB_ADDRESSES.podCIDR,
    nodes: [
      { name: LAB_NODE, internalIP: LAB_NODE_IP, podCIDR: '198.18.128.0/24', labels: {} },
      { name: REMOTE_NODE, internalIP: '198.18.1.2', podCIDR: '198.18.129.0/24', labels: {} },
    ],
    namespaces: [{ name: 'lab', labels: { 'kubernetes.io/metadata.name': 'lab' } }],
    pods,
    services,
    endpointSlices,
    networkPolicies: [
      {
        namespace: 'lab',
        name: 'deny-all-to-denied',
        podSelector: { matchLabels: { app: 'denied' } },
        policyTypes: ['Ingress'],
        ingress: [],
        egress: [],
      },
    ],
  }
  const cases: VerdictCase[] = [
    { name: 'ClusterIP, one endpoint', protocol: 'tcp', dst: svcIP(10), dport: 80 },
    { name: 'ClusterIP, three endpoints (UDP)', protocol: 'udp', dst: svcIP(11), dport: 53 },
    { name: 'NodePort, two endpoints', protocol: 'tcp', dst: LAB_NODE_IP, dport: 30080 },
    { name: 'ClusterIP, no endpoints', protocol: 'tcp', dst: svcIP(13), dport: 80 },
    { name: 'NodePort eTP Local, no local endpoint', protocol: 'tcp', dst: LAB_NODE_IP, dport: 30081 },
    { name: 'NodePort eTP Local, one local endpoint (UDP)', protocol: 'udp', dst: LAB_NODE_IP, dport: 30082 },
    { name: 'ClusterIP, policy-denied pod', protocol: 'tcp', dst: svcIP(16), dport: 80 },
  ]
  return { cluster, cases }
}
