import { describe, expect, it } from 'vitest'
import { composeAnchorsProfile } from './anchors-profile'
import { defaultProfile } from './default'
import { loadProfile } from './load'

describe('the anchors profile', () => {
  it('is what the models export today (regenerate with npx tsx packages/bench/src/profiles/write-anchors.ts)', () => {
    expect(loadProfile('anchors')).toEqual(composeAnchorsProfile())
  })

  it('prices both dataplanes: rules, restores, map lookups and program runs', () => {
    const keys = Object.keys(defaultProfile().constants)
    for (const k of [
      'ipt.rule',
      'restore.legacy.tableByte',
      'ipt.uncachedBytes',
      'restore.nft.line',
      'bpf.lookup.hash',
      'bpf.prog',
    ]) {
      expect(keys).toContain(k)
    }
  })
})
