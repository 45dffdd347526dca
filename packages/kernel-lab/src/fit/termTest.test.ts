import { createRng } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { dropOneTermTests } from './termTest'

describe('dropOneTermTests', () => {
  // y = 2 + 3 x with 2 % noise; z is a key the data never needed (its true constant is 0)
  const rng = createRng(3)
  const rows = Array.from({ length: 40 }, (_, i) => {
    const x = 1 + i
    const z = rng.float() * 10
    return { counts: { one: 1, x, z }, y: (2 + 3 * x) * (1 + 0.02 * (2 * rng.float() - 1)) }
  })
  const tests = dropOneTermTests(rows, ['one', 'x', 'z'])
  const byKey = Object.fromEntries(tests.map((t) => [t.key, t]))

  it('keeps a key the data need (large F, AIC worse without it)', () => {
    expect(byKey.x.f).toBeGreaterThan(100)
    expect(byKey.x.deltaAic).toBeGreaterThan(10)
    expect(byKey.one.f).toBeGreaterThan(4)
  })

  it('marks a key the data do not need (small F, AIC better without it)', () => {
    expect(byKey.z.f).toBeLessThan(4)
    expect(byKey.z.deltaAic).toBeLessThan(0)
  })
})
