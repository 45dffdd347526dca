import { describe, expect, it } from 'vitest'
import {
  isServiceChainName,
  kubeHash16,
  serviceFirewallChain,
  servicePortEndpointChain,
  servicePortNameString,
  servicePortPolicyClusterChain,
} from './chainNames'

describe('kube-proxy chain names', () => {
  it('hashes ns1/svc1:p80 with tcp to KUBE-SVC-XPGD46QRK7WJZT7O as kube-proxy does', () => {
    expect(servicePortPolicyClusterChain('ns1/svc1:p80', 'tcp')).toBe('KUBE-SVC-XPGD46QRK7WJZT7O')
  })
  it('matches the names in kube-proxy proxier_test.go TestOverallIPTablesRules', () => {
    expect(servicePortPolicyClusterChain('ns2/svc2:p80', 'tcp')).toBe('KUBE-SVC-GNZBNJ2PO5MGZ6GT')
    expect(serviceFirewallChain('ns5/svc5:p80', 'tcp')).toBe('KUBE-FW-NUKIZ6OKUXPJNT4C')
    expect(servicePortEndpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ')
    expect(servicePortEndpointChain('ns5/svc5:p80', 'tcp', '10.180.0.3:80')).toBe('KUBE-SEP-I77PXRDZVX7PMWMN')
  })
  it('emits 16 base32 characters', () => {
    expect(kubeHash16('x')).toMatch(/^[A-Z2-7]{16}$/)
  })
  it('prints an unnamed port as ns/name', () => {
    expect(servicePortNameString('a', 'b', '')).toBe('a/b')
    expect(servicePortNameString('a', 'b', 'http')).toBe('a/b:http')
  })
  it('recognises only service-owned chains', () => {
    expect(isServiceChainName('KUBE-SEP-AAAA')).toBe(true)
    expect(isServiceChainName('KUBE-SERVICES')).toBe(false)
  })
})

describe('sha256Prefix10', () => {
  it('agrees with node:crypto on ASCII, multi-block and non-ASCII inputs', async () => {
    const { createHash } = await import('node:crypto')
    const { sha256Prefix10 } = await import('./sha256')
    const out = new Uint8Array(10)
    for (const s of [
      '',
      'abc',
      'x'.repeat(55),
      'y'.repeat(56),
      'z'.repeat(64),
      'ns/svc:p80tcp10.1.2.3:8080'.repeat(7),
      'ünïcødé/sërvice',
    ]) {
      sha256Prefix10(s, out)
      expect(Buffer.from(out).toString('hex')).toBe(createHash('sha256').update(s).digest('hex').slice(0, 20))
    }
  })
})
