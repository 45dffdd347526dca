import { u32ToIp } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backendIp, ipText, rememberBackendIp } from './addr'

describe('address text', () => {
  it('names a remembered backend by the dotted quad of its address, whatever the address', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.nat({ max: 0xffffffff }), (id, addr) => {
        rememberBackendIp({ id, addr })
        expect(backendIp({ id, addr })).toBe(u32ToIp(addr))
        expect(ipText(addr)).toBe(u32ToIp(addr))
      }),
      { numRuns: 500 },
    )
    for (const addr of [0, 0xffffffff, 0x0a000001, 0xc0a80a0b]) {
      rememberBackendIp({ id: 7, addr })
      expect(backendIp({ id: 7, addr })).toBe(u32ToIp(addr))
    }
  })
})
