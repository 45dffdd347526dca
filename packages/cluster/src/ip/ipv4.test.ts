import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  cidrContains,
  formatCidr,
  ipToU32,
  parseCidr,
  subnet,
  tryIpToU32,
  tryParseCidr,
  u32ToIp,
} from './ipv4'

describe('ipv4', () => {
  it('round-trips every uint32 through text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(ipToU32(u32ToIp(n))).toBe(n)
      }),
    )
  })

  it.each(['256.1.1.1', '1.2.3', '01.2.3.4', 'a.b.c.d', '1.2.3.4.5', ''])('rejects %j', (text) => {
    expect(tryIpToU32(text)).toBeNull()
  })

  it('clears host bits the way iptables prints a CIDR', () => {
    expect(formatCidr(parseCidr('10.1.2.3/8'))).toBe('10.0.0.0/8')
    expect(formatCidr(parseCidr('10.1.2.3'))).toBe('10.1.2.3/32')
    expect(tryParseCidr('10.0.0.0/33')).toBeNull()
  })

  it('contains exactly the addresses that share the prefix', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (a, p, b) => {
          const c = parseCidr(`${u32ToIp(a)}/${p}`)
          const expected = p === 0 || a >>> (32 - p) === b >>> (32 - p)
          expect(cidrContains(c, b)).toBe(expected)
        },
      ),
    )
  })

  it('splits a CIDR into per-node subnets', () => {
    const pod = parseCidr('10.244.0.0/16')
    expect(formatCidr(subnet(pod, 24, 3))).toBe('10.244.3.0/24')
    expect(() => subnet(pod, 24, 256)).toThrow(/only 256/)
  })
})

describe('tryIpToU32 against the dotted-quad grammar', () => {
  // the grammar the scanner implements, as a regular expression: four 1–3 digit parts, no leading zero, ≤ 255
  const reference = (text: string): number | null => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
    if (!m) return null
    let n = 0
    for (let i = 1; i <= 4; i++) {
      if (m[i].length > 1 && m[i][0] === '0') return null
      if (Number(m[i]) > 255) return null
      n = n * 256 + Number(m[i])
    }
    return n
  }
  const chars = fc.constantFrom(...'0123456789..'.split(''), '1', '2', '5', 'a', ' ', '/', '-', '+', 'x')

  it('agrees on near-addresses (digits and dots in any arrangement, stray characters)', () => {
    fc.assert(
      fc.property(fc.string({ unit: chars, minLength: 0, maxLength: 18 }), (text) => {
        expect(tryIpToU32(text)).toBe(reference(text))
      }),
      { numRuns: 20_000 },
    )
  })

  it('reads every address it writes back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(tryIpToU32(u32ToIp(n))).toBe(n)
      }),
    )
  })

  it('refuses leading zeros, parts over 255, missing and extra parts', () => {
    for (const bad of [
      '01.2.3.4',
      '1.2.3.256',
      '1.2.3',
      '1.2.3.4.5',
      '1..3.4',
      '.1.2.3',
      '1.2.3.4.',
      ' 1.2.3.4',
      '1.2.3.0x1',
    ])
      expect(tryIpToU32(bad)).toBeNull()
    expect(tryIpToU32('0.0.0.0')).toBe(0)
    expect(tryIpToU32('255.255.255.255')).toBe(0xffffffff)
  })
})
