import { describe, expect, it } from 'vitest'
import { inputErrorOf } from '../testing/inputErrorOf'
import { tinyCluster, tinyService } from '../testing/tiny'
import type { Cluster } from './types'
import { formatJsonPath, validateCluster } from './validate'

const valid = (): Cluster =>
  tinyCluster({
    services: [
      tinyService({
        type: 'LoadBalancer',
        loadBalancerIPs: ['172.20.0.5'],
        loadBalancerSourceRanges: ['203.0.113.0/24'],
      }),
    ],
    policies: [
      {
        namespace: 'prod',
        name: 'p',
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/25'] } }],
            ports: [{ port: 8000, endPort: 8100 }],
          },
        ],
        egress: [],
      },
    ],
  })

function errorOf(mutate: (c: Cluster) => void) {
  const c = structuredClone(valid())
  mutate(c)
  return inputErrorOf(() => validateCluster(c, 'c.json'))
}

describe('validateCluster', () => {
  it('accepts a well-formed cluster and returns it', () => {
    const c = valid()
    expect(validateCluster(c)).toBe(c)
  })

  it.each<[string, (c: Cluster) => void, string]>([
    [
      'a wrong schema version',
      (c) => ((c as { schemaVersion: number }).schemaVersion = 2),
      'schemaVersion: expected schema version 1',
    ],
    ['a bad service CIDR', (c) => (c.serviceCIDR = '10.96.0.0'), 'serviceCIDR: expected a CIDR'],
    ['a duplicate node name', (c) => (c.nodes[1].name = 'n1'), 'nodes[1].name: duplicate node n1'],
    [
      'a duplicate node address',
      (c) => (c.nodes[1].internalIP = '192.168.0.11'),
      'nodes[1].internalIP: duplicate node address',
    ],
    [
      'a node podCIDR outside the cluster’s',
      (c) => (c.nodes[0].podCIDR = '10.245.0.0/24'),
      'nodes[0].podCIDR: 10.245.0.0/24 is not inside',
    ],
    ['an invalid pod IP', (c) => (c.pods[0].ip = '10.244.1.300'), 'pods[0].ip: expected an IP address'],
    ['a duplicate pod IP', (c) => (c.pods[1].ip = '10.244.1.10'), 'pods[1].ip'],
    [
      'a pod IP outside its node’s podCIDR',
      (c) => (c.pods[0].ip = '10.244.2.99'),
      "pods[0].ip: pod IP 10.244.2.99 is not inside node n1's pod CIDR",
    ],
    [
      'a pod on a missing node',
      (c) => (c.pods[0].nodeName = 'n9'),
      'pods[0].nodeName: node n9 does not exist',
    ],
    [
      'a pod in a missing namespace',
      (c) => (c.pods[0].namespace = 'x'),
      'pods[0].namespace: namespace x does not exist',
    ],
    [
      'a container port out of range',
      (c) => (c.pods[0].ports[0].containerPort = 70000),
      'pods[0].ports[0].containerPort: expected an integer 1-65535',
    ],
    [
      'a ClusterIP outside the service CIDR',
      (c) => (c.services[0].clusterIP = '10.200.0.1'),
      'services[0].clusterIP: 10.200.0.1 is not inside the service CIDR',
    ],
    [
      'a service port out of range',
      (c) => (c.services[0].ports[0].port = 0),
      'services[0].ports[0].port: expected an integer 1-65535, got 0',
    ],
    [
      'an unknown protocol',
      (c) => ((c.services[0].ports[0] as { protocol: string }).protocol = 'ICMP'),
      'services[0].ports[0].protocol: expected one of TCP, UDP, SCTP',
    ],
    [
      'a bad source range',
      (c) => (c.services[0].loadBalancerSourceRanges[0] = 'x'),
      'services[0].loadBalancerSourceRanges[0]',
    ],
    [
      'an unknown traffic policy',
      (c) => ((c.services[0] as { externalTrafficPolicy: string }).externalTrafficPolicy = 'Node'),
      'services[0].externalTrafficPolicy',
    ],
    [
      'a slice of a missing service',
      (c) => (c.endpointSlices[0].serviceName = 'gone'),
      'endpointSlices[0].serviceName: service prod/gone does not exist',
    ],
    [
      'an endpoint on a missing node',
      (c) => (c.endpointSlices[0].endpoints[0].nodeName = 'n9'),
      'endpointSlices[0].endpoints[0].nodeName: node n9 does not exist',
    ],
    [
      'a non-boolean condition',
      (c) => ((c.endpointSlices[0].endpoints[0] as { ready: unknown }).ready = 'yes'),
      'endpointSlices[0].endpoints[0].ready: expected true or false',
    ],
    [
      'an In expression without values',
      (c) => (c.networkPolicies[0].podSelector.matchExpressions![0].values = []),
      'networkPolicies[0].podSelector.matchExpressions[0].values: In needs values',
    ],
    [
      'an except outside its ipBlock',
      (c) => (c.networkPolicies[0].ingress[0].from![0].ipBlock!.except = ['10.0.0.0/8']),
      'networkPolicies[0].ingress[0].from[0].ipBlock.except[0]: 10.0.0.0/8 is not inside',
    ],
    [
      'an endPort below its port',
      (c) => (c.networkPolicies[0].ingress[0].ports![0].endPort = 10),
      'networkPolicies[0].ingress[0].ports[0].endPort',
    ],
    [
      'an empty peer',
      (c) => (c.networkPolicies[0].ingress[0].from = [{}]),
      'networkPolicies[0].ingress[0].from[0]: expected podSelector, namespaceSelector or ipBlock',
    ],
    [
      'a missing collection',
      (c) => delete (c as Partial<Cluster>).networkPolicies,
      'networkPolicies: expected an array, got nothing',
    ],
  ])('names the path of %s', (_name, mutate, message) => {
    const e = errorOf(mutate)
    expect(e.message).toContain(message)
    expect(e.source).toBe('c.json')
  })

  it('formats JSON paths the way the messages print them', () => {
    expect(formatJsonPath(['services', 3, 'ports', 0, 'port'])).toBe('services[3].ports[0].port')
    expect(formatJsonPath([])).toBe('(root)')
  })
})
