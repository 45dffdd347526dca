import { describe, expect, it } from 'vitest'
import { FULL_PLAN, firstPacketSizes, placementsFor, QUICK_PLAN } from './types'

describe('first-packet sizes of a plan', () => {
  it('measures legacy first packets on both sides of one CPU’s L3 share in the full plan, nft as before', () => {
    expect(firstPacketSizes(FULL_PLAN, 'legacy')).toEqual([0, 1000, 5000, 10000, 20000, 30000, 40000, 50000])
    expect(firstPacketSizes(FULL_PLAN, 'nft')).toEqual([0, 1000, 5000, 10000, 20000, 50000])
  })

  it('keeps the quick plan’s sizes for both backends (the CI validation)', () => {
    expect(firstPacketSizes(QUICK_PLAN, 'legacy')).toEqual([0, 1000, 3000])
    expect(firstPacketSizes(QUICK_PLAN, 'nft')).toEqual([0, 1000, 3000])
  })

  it('merges a backend’s extra sizes into natServices, once each, ascending', () => {
    const plan = { ...QUICK_PLAN, natServicesExtra: { nft: [2000, 1000] } }
    expect(firstPacketSizes(plan, 'nft')).toEqual([0, 1000, 2000, 3000])
    expect(firstPacketSizes(plan, 'legacy')).toEqual([0, 1000, 3000])
  })
})

describe('fresh restores a pass averages over (placementsFor)', () => {
  it('gives legacy points from the plan’s size on its restores, everything else one', () => {
    expect(placementsFor(FULL_PLAN, 'legacy', 20000)).toBe(3)
    expect(placementsFor(FULL_PLAN, 'legacy', 50000)).toBe(3)
    expect(placementsFor(FULL_PLAN, 'legacy', 10000)).toBe(1)
    expect(placementsFor(FULL_PLAN, 'nft', 50000)).toBe(1)
    expect(placementsFor(FULL_PLAN, 'bpf', 500000)).toBe(1)
    expect(placementsFor(QUICK_PLAN, 'legacy', 3000)).toBe(2)
  })

  it('takes one restore for a plan without placements, and never fewer than one', () => {
    const { placements: _p, ...plain } = FULL_PLAN
    expect(placementsFor(plain, 'legacy', 50000)).toBe(1)
    expect(placementsFor({ ...FULL_PLAN, placements: { restores: 0, from: 0 } }, 'legacy', 50000)).toBe(1)
  })
})
