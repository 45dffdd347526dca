import { describe, expect, it } from 'vitest'
import { anchorNatTerms, modelRestoreSeconds } from '../src/cost/restoreCost'

// shared/anchors.md, "kube-proxy-shaped nat table": per service 1 KUBE-SERVICES rule, a KUBE-SVC chain with
// 2 rules, 2 KUBE-SEP chains with 2 rules each (10 lines: 3 chain declarations + 7 rules; anchorNatTerms)
const ANCHORS = [
  { services: 1000, legacyFull: 0.06, nftFull: 0.146, legacyOne: 0.031, nftOne: 0.007 },
  { services: 5000, legacyFull: 0.314, nftFull: 0.94, legacyOne: 0.168, nftOne: 0.019 },
  { services: 10000, legacyFull: 0.82, nftFull: 1.885, legacyOne: 0.363, nftOne: 0.033 },
  { services: 20000, legacyFull: 2.488, nftFull: 4.175, legacyOne: 0.855, nftOne: 0.063 },
]

const natTable = (services: number, full: boolean) => anchorNatTerms(services, full ? 'full' : 'oneRule')

describe('restore cost model against the anchor measurements', () => {
  for (const a of ANCHORS) {
    it(`is within ±30 % of every measured restore at ${a.services} services`, () => {
      const within = (model: number, measured: number) =>
        expect(Math.abs(model / measured - 1)).toBeLessThan(0.3)
      within(modelRestoreSeconds([natTable(a.services, true)], 'legacy'), a.legacyFull)
      within(modelRestoreSeconds([natTable(a.services, true)], 'nft'), a.nftFull)
      within(modelRestoreSeconds([natTable(a.services, false)], 'legacy'), a.legacyOne)
      within(modelRestoreSeconds([natTable(a.services, false)], 'nft'), a.nftOne)
    })
  }
  it('grows superlinearly for legacy whole-table restores (20× lines cost over 30× the time)', () => {
    const small = modelRestoreSeconds([natTable(1000, true)], 'legacy')
    const big = modelRestoreSeconds([natTable(20000, true)], 'legacy')
    expect(big / small).toBeGreaterThan(30)
  })
  it('makes a legacy one-rule --noflush update cost in proportion to the table, nft nearly nothing', () => {
    const legacy = modelRestoreSeconds([natTable(20000, false)], 'legacy')
    const nft = modelRestoreSeconds([natTable(20000, false)], 'nft')
    expect(legacy / nft).toBeGreaterThan(10)
  })
})
