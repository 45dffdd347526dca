import { describe, expect, it } from 'vitest'
import { FULL_PLAN, firstPacketSizes, QUICK_PLAN } from './types'

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
