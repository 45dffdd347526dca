import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors/errors'
import { formatPacket, parsePacket } from './packet'

describe('parsePacket', () => {
  it('reads a tcp packet', () => {
    expect(parsePacket('tcp 10.244.1.5:40000 -> 10.96.0.10:80')).toEqual({
      protocol: 'tcp',
      src: '10.244.1.5',
      sport: 40000,
      dst: '10.96.0.10',
      dport: 80,
    })
  })

  it('reads icmp without ports', () => {
    expect(parsePacket('icmp 10.0.0.1 -> 10.0.0.2')).toMatchObject({ protocol: 'icmp', sport: 0, dport: 0 })
  })

  it.each([
    ['tcp 10.0.0.1:1 10.0.0.2:2', /expected '<tcp/, 1],
    ['gre 10.0.0.1:1 -> 10.0.0.2:2', /expected protocol/, 1],
    ['tcp 10.0.0.1 -> 10.0.0.2:2', /expected ADDRESS:PORT/, 5],
    ['tcp 10.0.0.1:1 -> 10.0.0.300:2', /expected an IPv4 address/, 19],
    ['udp 10.0.0.1:1 -> 10.0.0.3:70000', /expected a port/, 28],
  ])('rejects %j with a message and column', (text, msg, col) => {
    try {
      parsePacket(text)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(InputError)
      expect((e as InputError).message).toMatch(msg)
      expect((e as InputError).column).toBe(col)
    }
  })

  it('round-trips formatPacket', () => {
    const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'))
    const port = fc.integer({ min: 1, max: 65535 })
    fc.assert(
      fc.property(
        fc.constantFrom('tcp', 'udp', 'sctp') as fc.Arbitrary<'tcp'>,
        ip,
        port,
        ip,
        port,
        (protocol, src, sport, dst, dport) => {
          const p = { protocol, src, sport, dst, dport }
          expect(parsePacket(formatPacket(p))).toEqual(p)
        },
      ),
    )
  })

  it('throws only InputError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parsePacket(s)
        } catch (e) {
          expect(e).toBeInstanceOf(InputError)
        }
      }),
      { numRuns: 2000 },
    )
  })
})
