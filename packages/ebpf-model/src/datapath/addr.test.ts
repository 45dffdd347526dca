import { u32ToIp } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backendIp, backendNames, ipText, rememberBackendIp } from './addr'

describe('address text', () => {
  it('names a remembered backend by the dotted quad of its address, whatever the address', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.nat({ max: 0xffffffff }), (id, addr) => {
        const b = { id, addr }
        rememberBackendIp(b)
        expect(backendIp(b)).toBe(u32ToIp(addr))
        const other = { id, addr }
        expect(backendIp(other)).toBe(u32ToIp(addr))
        expect(ipText(addr)).toBe(u32ToIp(addr))
      }),
      { numRuns: 500 },
    )
    for (const addr of [0, 0xffffffff, 0x0a000001, 0xc0a80a0b]) {
      const b = { id: 7, addr }
      rememberBackendIp(b)
      expect(backendIp(b)).toBe(u32ToIp(addr))
    }
  })

  it('names a record afresh when its address or names changed after it was remembered', () => {
    const b: { id: number; addr: number; pod?: string; node?: string } = { id: 3, addr: 0x0a000001 }
    rememberBackendIp(b)
    expect(backendNames(b)).toBe(0)
    b.addr = 0x0a000002
    expect(backendIp(b)).toBe('10.0.0.2')
    b.pod = 'ns/p'
    b.node = 'n1'
    rememberBackendIp(b)
    expect(backendIp(b)).toBe('10.0.0.2')
    expect(backendNames(b)).toBe(3)
    const fresh = { addr: 1, node: 'n' }
    expect(backendNames(fresh)).toBe(2)
  })
})
