import { describe, expect, it } from 'vitest'
import { murmur3Hash128 } from './murmur3'

const bytes = (s: string) => new TextEncoder().encode(s)
const hex = ([h1, h2]: [bigint, bigint]) =>
  h1.toString(16).padStart(16, '0') + h2.toString(16).padStart(16, '0')

describe('murmur3Hash128', () => {
  it('matches MurmurHash3_x64_128 reference vectors', () => {
    // smhasher reference values (x64_128, printed as h1 then h2)
    expect(hex(murmur3Hash128(bytes(''), 0))).toBe('00000000000000000000000000000000')
    expect(hex(murmur3Hash128(bytes('hello'), 0))).toBe('cbd8a7b341bd9b025b1e906a48ae1d19')
    expect(hex(murmur3Hash128(bytes('The quick brown fox jumps over the lazy dog'), 0))).toBe(
      'e34bbc7bbc071b6c7a433ca9c49a9347',
    )
  })
})
