import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors/errors'
import { cidrContains, ipToU32, parseCidr } from '../ip/ipv4'
import { parseClusterJson, serializeCluster } from '../scenario/json'
import { validateCluster } from '../scenario/validate'
import { matchesSelector } from '../selector/selector'
import { arbGenerateOptions } from '../testing/arbitraries'
import { generateCluster } from './generate'

describe('generateCluster', () => {
  it('is deterministic by seed, and seeds differ', () => {
    const a = serializeCluster(generateCluster({ services: 200, endpoints: 3, seed: 7 }))
    expect(serializeCluster(generateCluster({ services: 200, endpoints: 3, seed: 7 }))).toBe(a)
    expect(serializeCluster(generateCluster({ services: 200, endpoints: 3, seed: 8 }))).not.toBe(a)
  })

  it('produces the requested services and endpoints per service', () => {
    const c = generateCluster({ services: 1000, endpoints: 3, seed: 7, mix: { noEndpoints: 0 } })
    expect(c.services).toHaveLength(1000)
    const perService = new Map<string, number>()
    for (const s of c.endpointSlices)
      perService.set(s.serviceName, (perService.get(s.serviceName) ?? 0) + s.endpoints.length)
    expect([...perService.values()].every((n) => n === 3)).toBe(true)
  })

  it('draws endpoints per service from a distribution', () => {
    const c = generateCluster({
      services: 300,
      endpoints: { distribution: 'zipf', min: 1, max: 50 },
      seed: 2,
      mix: { noEndpoints: 0 },
    })
    const counts = c.services.map((s) =>
      c.endpointSlices
        .filter((x) => x.serviceName === s.name && x.namespace === s.namespace)
        .reduce((a, x) => a + x.endpoints.length, 0),
    )
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1)
    expect(Math.max(...counts)).toBeLessThanOrEqual(50)
    expect(counts.filter((n) => n === 1).length).toBeGreaterThan(counts.filter((n) => n > 10).length)
  })

  it('shows every service shape of the default mix at scale', () => {
    const c = generateCluster({ services: 2000, seed: 1 })
    const has = (f: (s: (typeof c.services)[number]) => boolean) => c.services.some(f)
    expect(has((s) => s.type === 'NodePort')).toBe(true)
    expect(has((s) => s.type === 'LoadBalancer' && s.loadBalancerSourceRanges.length > 0)).toBe(true)
    expect(has((s) => s.externalIPs.length > 0)).toBe(true)
    expect(has((s) => s.sessionAffinity === 'ClientIP')).toBe(true)
    expect(has((s) => s.externalTrafficPolicy === 'Local' && s.healthCheckNodePort !== undefined)).toBe(true)
    expect(has((s) => s.internalTrafficPolicy === 'Local')).toBe(true)
    expect(has((s) => typeof s.ports[0].targetPort === 'string')).toBe(true)
    expect(c.endpointSlices.some((s) => s.endpoints.length === 0)).toBe(true)
    expect(c.endpointSlices.some((s) => s.endpoints.some((e) => e.terminating && e.serving))).toBe(true)
    // canary pods resolve the same named port to another number: the service gets two slices
    const slicesPerService = new Map<string, number>()
    for (const s of c.endpointSlices)
      slicesPerService.set(s.serviceName, (slicesPerService.get(s.serviceName) ?? 0) + 1)
    expect([...slicesPerService.values()].some((n) => n > 1)).toBe(true)
    const shapes = new Set(c.networkPolicies.map((p) => p.name.replace(/-\d+$/, '')))
    expect(shapes.size).toBe(12)
  })

  it('picks a larger per-node pod block when pods per node need it', () => {
    const c = generateCluster({ services: 100, endpoints: 10, nodes: 2, seed: 1 })
    expect(c.nodes[0].podCIDR).toMatch(/\/(22|23)$/)
    expect(c.nodes[0].memoryBytes).toBe(16 * 1024 ** 3)
  })

  it('rejects options that cannot fit, naming the option', () => {
    expect(() =>
      generateCluster({ services: 100, endpoints: 10, nodes: 2, podCIDR: '10.244.0.0/24' }),
    ).toThrow(InputError)
    expect(() => generateCluster({ services: 10, podCIDR: 'x' })).toThrow(/podCIDR must be an IPv4 CIDR/)
    expect(() => generateCluster({ services: -1 })).toThrow(/services must be an integer/)
  })

  it('keeps the mix of services unchanged when only the policy count changes', () => {
    const a = generateCluster({ services: 50, seed: 4, policies: 0 })
    const b = generateCluster({ services: 50, seed: 4, policies: 20 })
    expect(b.services).toEqual(a.services)
  })

  it('holds its invariants over generated options (valid, deterministic, JSON round-trip, unique IPs, addresses inside their CIDRs, selected pods)', () => {
    fc.assert(
      fc.property(arbGenerateOptions({ maxServices: 12, maxNodes: 4 }), (o) => {
        const c = generateCluster(o)
        validateCluster(c)
        const text = serializeCluster(c)
        expect(serializeCluster(generateCluster(o))).toBe(text)
        expect(parseClusterJson(text)).toEqual(c)
        const ips = c.pods.filter((p) => !p.hostNetwork).map((p) => p.ip)
        expect(new Set(ips).size).toBe(ips.length)
        expect(new Set(c.services.map((s) => s.clusterIP)).size).toBe(c.services.length)
        const svcCidr = parseCidr(c.serviceCIDR)
        for (const s of c.services) expect(cidrContains(svcCidr, ipToU32(s.clusterIP))).toBe(true)
        const blocks = new Map(c.nodes.map((n) => [n.name, parseCidr(n.podCIDR)]))
        for (const s of c.endpointSlices)
          for (const e of s.endpoints)
            expect(cidrContains(blocks.get(e.nodeName!)!, ipToU32(e.address))).toBe(true)
        for (const s of c.endpointSlices) {
          const svc = c.services.find((x) => x.namespace === s.namespace && x.name === s.serviceName)!
          for (const e of s.endpoints) {
            const pod = c.pods.find((p) => `${p.namespace}/${p.name}` === e.targetRef)!
            expect(matchesSelector({ matchLabels: svc.selector }, pod.labels)).toBe(true)
          }
        }
      }),
      { numRuns: 60 },
    )
  })
})
