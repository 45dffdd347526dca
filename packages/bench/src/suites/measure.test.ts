import { describe, expect, it } from 'vitest'
import { collectGarbage } from './measure'

describe('collectGarbage', () => {
  it('frees what nothing references any more before a timed section', () => {
    let garbage: number[][] | null = Array.from({ length: 300_000 }, (_, i) => [i, i + 1])
    const held = process.memoryUsage().heapUsed
    expect(garbage.length).toBe(300_000)
    garbage = null
    collectGarbage()
    // 300k two-element arrays are well over 10 MB of heap
    expect(held - process.memoryUsage().heapUsed).toBeGreaterThan(10e6)
  })
})
