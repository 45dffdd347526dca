import { describe, expect, it } from 'vitest'
import { composeProfile } from './compose'

const c = (value: number) => ({ value, unit: 'ns', source: 's' })
const head = { name: 'x', description: 'd', provenance: { method: 'anchors' } }

describe('composeProfile', () => {
  it('merges sets, sorts keys and records where each constant came from', () => {
    const p = composeProfile(head, [
      { from: 'B', constants: { 'z.op': c(2) } },
      { from: 'A', constants: { 'a.op': c(1), 'z.op': c(2) } },
    ])
    expect(Object.keys(p.constants)).toEqual(['a.op', 'z.op'])
    expect(p.constants['z.op'].source).toBe('s [B]')
    expect(p.provenance.data).toEqual(['B', 'A'])
  })

  it('refuses two sets that price the same operation differently', () => {
    expect(() =>
      composeProfile(head, [
        { from: 'A', constants: { k: c(1) } },
        { from: 'B', constants: { k: c(2) } },
      ]),
    ).toThrow(/constant k: A says 1, B says 2/)
  })
})
