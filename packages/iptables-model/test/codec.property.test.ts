import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIptablesSave } from '../src/codec/parse'
import { serializeRuleset } from '../src/codec/serialize'
import { lintText } from '../src/lint/lint'
import type { Ruleset } from '../src/ruleset/types'
import { arbDump } from './ruleset-arbitrary'

/** The ruleset without source lines (where the text was, not what it says); no counters reads as [0:0]. */
function withoutLines(rs: Ruleset): unknown {
  return JSON.parse(
    JSON.stringify(rs, (k, v) => {
      if (k === 'line') return undefined
      if (v && typeof v === 'object' && 'target' in v && !v.counters)
        return { ...v, counters: { packets: 0, bytes: 0 } }
      return v
    }),
  )
}

describe('codec properties', () => {
  it('parse(serialize(x)) equals x for every ruleset the parser accepts', () => {
    fc.assert(
      fc.property(arbDump(), (text) => {
        const x = parseIptablesSave(text)
        const again = parseIptablesSave(serializeRuleset(x, { counters: true }))
        expect(withoutLines(again)).toEqual(withoutLines(x))
        // and serializing is a fixed point
        expect(serializeRuleset(again, { counters: true })).toBe(serializeRuleset(x, { counters: true }))
      }),
      { numRuns: 150 },
    )
  })

  it('lint accepts exactly what the parser accepts', () => {
    fc.assert(
      fc.property(arbDump(), (text) => {
        expect(lintText(text).ok).toBe(true)
      }),
      { numRuns: 50 },
    )
  })
})
