import { describe, expect, it } from 'vitest'
import { forwardWalkShape, natFirstWalkShape, walkShapeCounts } from './walks'

const L2 = 512 * 1024

describe('the lab walks as the L2 sees them', () => {
  it('keeps a 1k-rule FORWARD walk (488 KB) in the L2: no uncached byte; 5k rules stream the rest', () => {
    expect(
      walkShapeCounts(forwardWalkShape(1000, 'ip'), 'legacy', { cacheBytes: L2 })['ipt.uncachedBytes'],
    ).toBe(0)
    const five = walkShapeCounts(forwardWalkShape(5000, 'ip'), 'legacy', { cacheBytes: L2 })
    expect(five['ipt.uncachedBytes']).toBe(2 * (5000 * 488 - L2))
  })

  it('prices every byte of a first packet’s walk as streamed, whatever the cache-resident size', () => {
    const shape = natFirstWalkShape(1000)
    expect(shape.cold).toBe(true)
    const c = walkShapeCounts(shape, 'legacy', { cacheBytes: L2 })
    // the loaded walk's bytes minus the baseline's (3 rules accepted before KUBE-SERVICES)
    const bytes =
      shape.loaded.reduce((s, w) => s + w.bytes, 0) - shape.baseline.reduce((s, w) => s + w.bytes, 0)
    expect(c['ipt.uncachedBytes']).toBe(bytes)
    expect(bytes).toBeGreaterThan(1000 * 488)
  })
})
