import { createRng, InputError } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIptablesSave } from '../src/codec/parse'
import { Netfilter } from '../src/engine/netfilter'
import { parseIpsetSave } from '../src/ipset/parse'
import { lintText } from '../src/lint/lint'
import { mutate } from './mutate'
import { arbDump, IPSETS_TEXT } from './ruleset-arbitrary'

describe('parser fuzz', () => {
  it('10,000 mutated dumps give a ruleset or an InputError with a line, never anything else', () => {
    const bases = fc.sample(arbDump(), { numRuns: 40, seed: 42 })
    const rng = createRng(2024)
    const ipsets = parseIpsetSave(IPSETS_TEXT)
    let refused = 0
    for (let k = 0; k < 10_000; k++) {
      let text = bases[k % bases.length]
      const edits = 1 + rng.int(3)
      for (let e = 0; e < edits; e++) text = mutate(text, rng)
      const nLines = text.split('\n').length
      let accepted = true
      try {
        const rs = parseIptablesSave(text, 'fuzz.txt')
        // an accepted dump also compiles and classifies without throwing
        if (k % 10 === 0)
          new Netfilter(rs, { localIps: ['192.168.1.10'] }, { ipsets }).classify({
            protocol: 'tcp',
            src: '10.0.0.1',
            dst: '10.0.1.7',
            sport: 40000,
            dport: 80,
          })
      } catch (e) {
        accepted = false
        refused++
        if (!(e instanceof InputError)) throw new Error(`mutant ${k} threw ${String(e)}\n${text}`)
        expect(e.source).toBe('fuzz.txt')
        expect(e.line).toBeGreaterThanOrEqual(1)
        expect(e.line).toBeLessThanOrEqual(nLines + 1)
      }
      // the streaming lint path decides the same
      if (k % 5 === 0) expect(lintText(text, 'fuzz.txt').ok, text).toBe(accepted)
    }
    expect(refused).toBeGreaterThan(1000)
  })
})
