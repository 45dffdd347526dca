import { describe, expect, it } from 'vitest'
import { anchorNatTerms, restoreModelCounts } from './restoreCost'

describe('restoreModelCounts', () => {
  it('counts one nft tableCreate per table the restore creates, none for an update into an existing table', () => {
    const created = [
      { ...anchorNatTerms(10, 'full'), created: true },
      { table: 'filter', lines: 3, rulesAfter: 0, chainsAfter: 3, created: true },
    ]
    expect(restoreModelCounts(created, 'nft')['restore.nft.tableCreate']).toBe(2)
    expect(restoreModelCounts([anchorNatTerms(10, 'oneRule')], 'nft')['restore.nft.tableCreate']).toBe(0)
  })

  it('has no tableCreate term for legacy, whose tables exist from module load', () => {
    const c = restoreModelCounts([{ ...anchorNatTerms(10, 'full'), created: true }], 'legacy')
    expect(Object.keys(c).some((k) => k.endsWith('tableCreate'))).toBe(false)
    expect(c['restore.legacy.invocation']).toBe(1)
  })
})
