import { describe, expect, it } from 'vitest'
import { inPasses } from './passes'

describe('inPasses', () => {
  it('measures every point once per pass instead of a point’s runs back to back', async () => {
    const order: string[] = []
    await inPasses(['a', 'b', 'c'], 2, async (p, run) => {
      order.push(`${p}${run}`)
    })
    expect(order).toEqual(['a0', 'b0', 'c0', 'a1', 'b1', 'c1'])
  })
})
