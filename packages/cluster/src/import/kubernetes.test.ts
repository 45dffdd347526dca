import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify as toYaml } from 'yaml'
import { isInputError } from '../errors/errors'
import { parsePacket } from '../packet/packet'
import { resolveReference } from '../reference/resolve'
import { inputErrorOf } from '../testing/inputErrorOf'
import { importKubernetes } from './kubernetes'
import { parseQuantity } from './quantity'

const FIXTURE = readFileSync(join(import.meta.dirname, '../../test/fixtures/kubectl-dump.yaml'), 'utf8')

const errorOf = (text: string) => inputErrorOf(() => importKubernetes(text, 'dump.yaml'))

describe('importKubernetes', () => {
  const { cluster, warnings } = importKubernetes(FIXTURE, 'dump.yaml')

  it('reads a kubectl List dump into every kind', () => {
    expect(cluster.nodes.map((n) => n.name)).toEqual(['cp-1', 'worker-1'])
    expect(cluster.namespaces.map((n) => n.name)).toEqual(['default', 'kube-system', 'shop'])
    expect(cluster.pods).toHaveLength(6)
    expect(cluster.services.map((s) => s.name)).toEqual(['kubernetes', 'kube-dns', 'web', 'db', 'admin'])
    expect(cluster.endpointSlices).toHaveLength(6)
    expect(cluster.networkPolicies).toHaveLength(3)
    expect(cluster.serviceCIDR).toBe('10.96.0.0/12')
    expect(cluster.podCIDR).toBe('10.244.0.0/16')
  })

  it('skips what it does not model, with a warning each', () => {
    expect(warnings.join('\n')).toMatch(/migrate-x7k2l: phase Succeeded/)
    expect(warnings.join('\n')).toMatch(/web-6c9f8b7d5-pending: not scheduled/)
    expect(warnings.join('\n')).toMatch(/payments-api: ExternalName/)
    expect(warnings.join('\n')).toMatch(/document 1 items\[28\]: skipped ConfigMap coredns/)
  })

  it('reads nodes: InternalIP, podCIDR, labels, memory capacity', () => {
    expect(cluster.nodes[0]).toMatchObject({
      internalIP: '172.18.0.2',
      podCIDR: '10.244.0.0/24',
      memoryBytes: 16386152 * 1024,
    })
    expect(cluster.nodes[1].memoryBytes).toBe(32 * 2 ** 30)
  })

  it('reads services with kube-proxy’s defaults and fields', () => {
    const web = cluster.services.find((s) => s.name === 'web')!
    expect(web).toMatchObject({
      type: 'LoadBalancer',
      clusterIP: '10.96.120.7',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }],
      loadBalancerIPs: ['198.51.100.40'],
      loadBalancerSourceRanges: ['203.0.113.0/24'],
      sessionAffinity: 'ClientIP',
      sessionAffinityTimeoutSeconds: 10800,
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 31876,
    })
    const db = cluster.services.find((s) => s.name === 'db')!
    expect(db).toMatchObject({
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      ports: [{ name: '' }],
    })
    expect(cluster.services.find((s) => s.name === 'admin')!.externalIPs).toEqual(['192.0.2.50'])
  })

  it('reads endpoint conditions as kube-proxy does: nil ready is ready, serving follows ready', () => {
    const db = cluster.endpointSlices.find((s) => s.serviceName === 'db')!
    expect(db.endpoints[0]).toMatchObject({
      ready: true,
      serving: true,
      terminating: false,
      targetRef: 'shop/db-0',
    })
    const web2 = cluster.endpointSlices.find((s) => s.name === 'web-9xv7c')!
    expect(web2.endpoints[0]).toMatchObject({ ready: false, serving: true, terminating: true })
    expect(cluster.endpointSlices.find((s) => s.serviceName === 'admin')!.endpoints).toEqual([])
  })

  it('defaults policyTypes as the API server does', () => {
    const byName = Object.fromEntries(cluster.networkPolicies.map((p) => [p.name, p]))
    expect(byName['db-from-web'].policyTypes).toEqual(['Ingress', 'Egress'])
    expect(byName['default-deny'].policyTypes).toEqual(['Ingress'])
    expect(byName['db-from-web'].egress[0].ports).toEqual([{ protocol: 'TCP', port: 1024, endPort: 65535 }])
  })

  it('gives a cluster the reference can answer on', () => {
    const r = resolveReference(cluster, parsePacket('tcp 203.0.113.9:5555 -> 198.51.100.40:80'), {
      node: 'cp-1',
    })
    expect(r.verdict).toBe('forward')
    expect(r.candidates.map((c) => `${c.ip}:${c.port}`)).toEqual(['10.244.0.10:8080'])
    const dns = resolveReference(cluster, parsePacket('udp 10.244.0.10:3333 -> 10.96.0.10:53'), {
      node: 'cp-1',
    })
    expect(dns.candidates).toHaveLength(2)
  })

  it('reads the same dump as kubectl -o json prints it', () => {
    const json = JSON.stringify(parseYaml(FIXTURE), null, 4)
    expect(importKubernetes(json, 'dump.json').cluster).toEqual(cluster)
  })

  it('reads multi-document YAML', () => {
    const items = (parseYaml(FIXTURE) as { items: unknown[] }).items
    const text = items.map((i) => toYaml(i)).join('---\n')
    expect(importKubernetes(text, 'dump.yaml').cluster).toEqual(cluster)
  })

  it('converts core/v1 Endpoints when there is no EndpointSlice', () => {
    const text = `
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {podCIDR: 10.244.0.0/24}
status: {addresses: [{type: InternalIP, address: 10.0.0.5}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {clusterIP: 10.96.0.20, ports: [{port: 80, targetPort: 8080}], selector: {app: web}}
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: default}
subsets:
- addresses: [{ip: 10.244.0.7, nodeName: n1, targetRef: {kind: Pod, name: web-1}}]
  notReadyAddresses: [{ip: 10.244.0.8, nodeName: n1}]
  ports: [{port: 8080, protocol: TCP}]
`
    const r = importKubernetes(text, 'ep.yaml')
    expect(r.cluster.endpointSlices).toEqual([
      {
        namespace: 'default',
        name: 'web-0',
        serviceName: 'web',
        addressType: 'IPv4',
        endpoints: [
          {
            address: '10.244.0.7',
            nodeName: 'n1',
            ready: true,
            serving: true,
            terminating: false,
            targetRef: 'default/web-1',
          },
          { address: '10.244.0.8', nodeName: 'n1', ready: false, serving: false, terminating: false },
        ],
        ports: [{ name: '', protocol: 'TCP', port: 8080 }],
      },
    ])
    expect(r.warnings.join('\n')).toMatch(/namespace default is not in the dump/)
  })

  it('keeps IPv4 only: dual-stack pods keep their IPv4 address, IPv6-only objects and peers are left out', () => {
    const text = `
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {podCIDRs: [fd00:10:244::/64, 10.244.0.0/24]}
status: {addresses: [{type: InternalIP, address: 10.0.0.5}]}
---
apiVersion: v1
kind: Pod
metadata: {name: dual, namespace: default, labels: {app: web}}
spec: {nodeName: n1}
status: {podIP: fd00:10:244::5, podIPs: [{ip: fd00:10:244::5}, {ip: 10.244.0.5}]}
---
apiVersion: v1
kind: Service
metadata: {name: v6, namespace: default}
spec: {clusterIP: fd00:10:96::1, ports: [{port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-v6, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv6
endpoints: [{addresses: [fd00:10:244::5]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: default}
spec:
  podSelector: {}
  ingress:
  - from: [{ipBlock: {cidr: 'fd00::/8'}}]
  - from: [{ipBlock: {cidr: 'fd00::/8'}}, {ipBlock: {cidr: 10.0.0.0/8, except: ['fd00::/16', 10.1.0.0/16]}}]
`
    const r = importKubernetes(text, 'v6.yaml')
    expect(r.cluster.pods[0].ip).toBe('10.244.0.5')
    expect(r.cluster.nodes[0].podCIDR).toBe('10.244.0.0/24')
    expect(r.cluster.services).toEqual([])
    expect(r.cluster.endpointSlices).toEqual([])
    expect(r.cluster.networkPolicies[0].ingress).toEqual([
      { from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] },
    ])
    expect(r.warnings.join('\n')).toMatch(/v6: no IPv4 clusterIP/)
  })

  it('infers node pod CIDRs from pods when spec.podCIDR is absent (cluster-pool IPAM)', () => {
    const text = FIXTURE.replace(
      / {4}podCIDR: 10\.244\.1\.0\/24\n {4}podCIDRs:\n {4}- 10\.244\.1\.0\/24\n/,
      '',
    )
    const r = importKubernetes(text, 'dump.yaml')
    expect(r.cluster.nodes[1].podCIDR).toBe('10.244.1.0/24')
    expect(r.warnings.join('\n')).toMatch(/worker-1: no spec.podCIDR/)
  })

  it('names document, kind, namespace/name, field path and line in errors', () => {
    const text = FIXTURE.replace(
      '      nodePort: 30080\n      port: 80',
      '      nodePort: 30080\n      port: 99999',
    )
    const e = errorOf(text)
    expect(e.message).toBe(
      'document 1 items[15]: Service shop/web: spec.ports[0].port: expected an integer 1-65535, got 99999',
    )
    expect(e.line).toBe(text.split('\n').indexOf('      port: 99999') + 1)
  })

  it('reports a YAML syntax error with its line', () => {
    const e = errorOf('apiVersion: v1\nkind: List\nitems:\n- kind: Node\n  metadata: {name: [}\n')
    expect(e.message).toMatch(/^document 1:/)
    expect(e.line).toBe(5)
  })

  it('reports a validation error of the converted cluster at its object', () => {
    const text = FIXTURE.replace('podIP: 10.244.1.20\n', 'podIP: 10.244.9.20\n')
    const e = errorOf(text)
    expect(e.message).toMatch(
      /^document 1: Pod shop\/db-0: pods\[\d\]\.ip: pod IP 10\.244\.9\.20 is not inside node worker-1's pod CIDR/,
    )
    expect(e.line).toBeGreaterThan(1)
  })

  it('lets only InputError escape on mutated YAML and JSON (fuzz)', () => {
    const json = JSON.stringify(parseYaml(FIXTURE))
    const mutate = fc.tuple(
      fc.constantFrom(FIXTURE, json),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.nat({ max: 12 }),
          fc.string({ maxLength: 6 }),
          fc.constantFrom('cut', 'insert', 'replace', 'swapLines'),
        ),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
    )
    fc.assert(
      fc.property(mutate, ([base, edits]) => {
        let text = base
        for (const [at, len, s, op] of edits) {
          const i = at % (text.length + 1)
          if (op === 'cut') text = text.slice(0, i) + text.slice(i + len)
          else if (op === 'insert') text = text.slice(0, i) + s + text.slice(i)
          else if (op === 'replace') text = text.slice(0, i) + s + text.slice(i + s.length)
          else {
            const lines = text.split('\n')
            const a = i % lines.length
            const b = (a + len) % lines.length
            ;[lines[a], lines[b]] = [lines[b], lines[a]]
            text = lines.join('\n')
          }
        }
        try {
          importKubernetes(text, 'fuzz.yaml')
        } catch (e) {
          if (!isInputError(e)) throw e
        }
      }),
      { numRuns: 100 },
    )
  })

  it('lets only InputError escape when fields get values of the wrong type (fuzz)', () => {
    const doc = parseYaml(FIXTURE) as Record<string, unknown>
    const paths: Array<Array<string | number>> = []
    const walk = (v: unknown, p: Array<string | number>) => {
      paths.push(p)
      if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, [...p, i])
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k])
    }
    walk(doc, [])
    const values = fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.string({ maxLength: 5 }),
      fc.boolean(),
      fc.constant([]),
      fc.constant({}),
      fc.constant([1, 'x']),
    )
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), values, (path, value) => {
        const copy = structuredClone(doc)
        let o = copy as Record<string | number, unknown>
        for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>
        o[path[path.length - 1]] = value
        try {
          importKubernetes(JSON.stringify(copy), 'fuzz.json')
        } catch (e) {
          if (!isInputError(e)) throw e
        }
      }),
      { numRuns: 150 },
    )
  })
})

describe('parseQuantity', () => {
  it.each<[string, number | null]>([
    ['16Gi', 16 * 2 ** 30],
    ['16384000Ki', 16384000 * 1024],
    ['1.5G', 1.5e9],
    ['1e9', 1e9],
    ['128974848', 128974848],
    ['100m', null],
    ['lots', null],
  ])('%s → %s', (text, bytes) => {
    expect(parseQuantity(text)).toBe(bytes)
  })
})
