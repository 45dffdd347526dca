import { describe, expect, it } from 'vitest'
import { applyDenyPrecedence, l4Covers, type PolicyEntry, portRangePrefixes } from './policy'

const e = (identity: number, proto: number, port: number, prefixLen: number, deny = false): PolicyEntry => ({
  identity,
  direction: 0,
  proto,
  port,
  prefixLen,
  deny,
})

describe('policy map entries', () => {
  it('splits a port range into the fewest aligned LPM prefixes', () => {
    expect(portRangePrefixes(80, 80)).toEqual([{ port: 80, prefixLen: 24 }])
    expect(portRangePrefixes(8000, 8003)).toEqual([{ port: 8000, prefixLen: 22 }])
    expect(portRangePrefixes(1, 6)).toEqual([
      { port: 1, prefixLen: 24 },
      { port: 2, prefixLen: 23 },
      { port: 4, prefixLen: 23 },
      { port: 6, prefixLen: 24 },
    ])
  })

  it('knows which L4 entries cover which', () => {
    expect(l4Covers(e(5, 0, 0, 0), e(5, 6, 80, 24))).toBe(true)
    expect(l4Covers(e(5, 6, 0, 8), e(5, 6, 80, 24))).toBe(true)
    expect(l4Covers(e(5, 17, 0, 8), e(5, 6, 80, 24))).toBe(false)
    expect(l4Covers(e(5, 6, 80, 22), e(5, 6, 83, 24))).toBe(true)
    expect(l4Covers(e(5, 6, 80, 24), e(5, 6, 0, 8))).toBe(false)
  })

  it('drops an allow that a deny of the same identity covers (mapstate deny precedence), keeps the rest', () => {
    const out = applyDenyPrecedence([e(5, 6, 80, 24), e(5, 0, 0, 0, true), e(7, 6, 80, 24), e(0, 6, 443, 24)])
    expect(out).toEqual([e(0, 6, 443, 24), e(5, 0, 0, 0, true), e(7, 6, 80, 24)])
  })
})
