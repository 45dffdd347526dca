import { describe, expect, it } from 'vitest'
import { ALLOW as allow } from './_testing'
import { IPPROTO_TCP, IPPROTO_UDP } from './constants'
import { PolicyMap, policyPrefixLen } from './policyMap'
import type { PolicyKey } from './structs'

const key = (k: Partial<PolicyKey>): PolicyKey => ({
  identity: 0,
  egress: false,
  protocol: 0,
  dport: 0,
  portPrefixLen: 0,
  ...k,
})

describe('PolicyMap', () => {
  it('is named cilium_policy_ + the 5-digit endpoint id', () => {
    expect(new PolicyMap(42).map.spec.name).toBe('cilium_policy_00042')
    expect(new PolicyMap(42).map.spec.maxEntries).toBe(16384)
  })

  it('computes LPM prefix lengths: 40 for any protocol, 48 + port bits otherwise', () => {
    expect(policyPrefixLen(key({}))).toBe(40)
    expect(policyPrefixLen(key({ protocol: 6 }))).toBe(48)
    expect(policyPrefixLen(key({ protocol: 6, dport: 80, portPrefixLen: 16 }))).toBe(64)
  })

  it('matches the most specific entry of an identity: port, then port range, then protocol, then any', () => {
    const m = new PolicyMap(1)
    m.update(key({ identity: 1234 }), { ...allow, authType: 1 })
    m.update(key({ identity: 1234, protocol: IPPROTO_TCP }), { ...allow, authType: 2 })
    m.update(key({ identity: 1234, protocol: IPPROTO_TCP, dport: 8080, portPrefixLen: 12 }), {
      ...allow,
      proxyPort: 1,
    })
    m.update(key({ identity: 1234, protocol: IPPROTO_TCP, dport: 8081, portPrefixLen: 16 }), {
      ...allow,
      deny: true,
    })
    expect(m.lookup(1234, false, IPPROTO_TCP, 8081)?.deny).toBe(true)
    expect(m.match(1234, false, IPPROTO_TCP, 8090)).toMatchObject({ entry: { proxyPort: 1 }, prefixLen: 60 })
    expect(m.lookup(1234, false, IPPROTO_TCP, 9000)?.authType).toBe(2)
    expect(m.lookup(1234, false, IPPROTO_UDP, 53)?.authType).toBe(1)
  })

  it('keeps directions and identities apart; identity 0 is only found by its own lookup', () => {
    const m = new PolicyMap(1)
    m.update(key({ identity: 0, egress: true }), allow)
    const counts: Record<string, number> = {}
    expect(m.lookup(1234, true, IPPROTO_TCP, 80, counts)).toBeUndefined()
    expect(m.lookup(0, true, IPPROTO_TCP, 80, counts)).toMatchObject({ deny: false, lpmPrefixLength: 0 })
    expect(m.lookup(0, false, IPPROTO_TCP, 80, counts)).toBeUndefined()
    expect(counts['bpf.lookup.lpm_trie:cilium_policy_00001']).toBe(3)
  })

  it('refuses a port without a protocol', () => {
    expect(() => new PolicyMap(1).update(key({ dport: 80, portPrefixLen: 16 }), allow)).toThrow(RangeError)
  })

  it('overflows with ENOSPC at bpf-policy-map-max', () => {
    const m = new PolicyMap(1, { maxEntries: 2 })
    m.update(key({ identity: 1 }), allow)
    m.update(key({ identity: 2 }), allow)
    expect(() => m.update(key({ identity: 3 }), allow)).toThrow(/ENOSPC/)
  })

  it('lists entries back as keys', () => {
    const m = new PolicyMap(1)
    const k = key({ identity: 7, egress: true, protocol: IPPROTO_TCP, dport: 8080, portPrefixLen: 12 })
    m.update(k, allow)
    const stored = { ...allow, lpmPrefixLength: 20, wildcardProtocol: false, wildcardDport: false }
    expect([...m.entries()]).toEqual([[k, stored]])
    expect(m.peek(k)).toEqual(stored)
  })

  it("fills the entry's wildcard bits and lpm_prefix_length from the key", () => {
    const m = new PolicyMap(1)
    m.update(key({ identity: 5 }), allow)
    m.update(key({ identity: 6, protocol: IPPROTO_UDP }), allow)
    expect(m.peek(key({ identity: 5 }))).toMatchObject({
      wildcardProtocol: true,
      wildcardDport: true,
      lpmPrefixLength: 0,
    })
    expect(m.peek(key({ identity: 6, protocol: IPPROTO_UDP }))).toMatchObject({
      wildcardProtocol: false,
      wildcardDport: true,
      lpmPrefixLength: 8,
    })
  })
})
