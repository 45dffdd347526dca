import { describe, expect, it } from 'vitest'
import { ALIGNED_MIN_BYTES, lineAlignedInt32 } from './aligned'

describe('lineAlignedInt32', () => {
  it('gives a zeroed, writable array of the length asked, on its own page-aligned memory from ALIGNED_MIN_BYTES on', () => {
    const small = lineAlignedInt32(16)
    expect(small.length).toBe(16)
    const n = ALIGNED_MIN_BYTES / 4 + 3
    const big = lineAlignedInt32(n)
    expect(big.length).toBe(n)
    expect(big.byteOffset).toBe(0)
    // a WebAssembly memory's buffer: whole 64 KiB pages
    expect(big.buffer.byteLength % 65536).toBe(0)
    expect(big.buffer.byteLength).toBeGreaterThanOrEqual(n * 4)
    expect(big.every((v) => v === 0)).toBe(true)
    big[n - 1] = -7
    expect(big[n - 1]).toBe(-7)
    // two arrays, two memories
    const other = lineAlignedInt32(n)
    expect(other.buffer).not.toBe(big.buffer)
    expect(other[n - 1]).toBe(0)
  })
})
