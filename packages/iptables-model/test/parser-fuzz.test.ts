import { createRng, InputError, type Rng } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIptablesSave } from '../src/codec/parse'
import { Netfilter } from '../src/engine/netfilter'
import { parseIpsetSave } from '../src/ipset/parse'
import { lintText } from '../src/lint/lint'
import { arbDump, IPSETS_TEXT } from './ruleset-arbitrary'

const ALPHABET = [
  '-',
  '!',
  ' ',
  '"',
  '\\',
  ':',
  '/',
  ',',
  '.',
  '[',
  ']',
  '*',
  '#',
  '0',
  '9',
  'x',
  'A',
  '\t',
  '+',
  "'",
]

/** One random edit of a dump: a character, a word or a whole line dropped, duplicated, swapped or changed. */
function mutate(text: string, rng: Rng): string {
  const lines = text.split('\n')
  const li = rng.int(lines.length)
  const line = lines[li]
  const words = line.split(' ')
  switch (rng.int(8)) {
    case 0:
      lines.splice(li, 1)
      break
    case 1:
      lines.splice(li, 0, line)
      break
    case 2: {
      const at = rng.int(line.length + 1)
      lines[li] = line.slice(0, at) + rng.pick(ALPHABET) + line.slice(at)
      break
    }
    case 3: {
      const at = rng.int(Math.max(1, line.length))
      lines[li] = line.slice(0, at) + line.slice(at + 1)
      break
    }
    case 4:
      words.splice(rng.int(words.length), 1)
      lines[li] = words.join(' ')
      break
    case 5: {
      const other = rng.pick(lines).split(' ')
      words[rng.int(words.length)] = rng.pick(other)
      lines[li] = words.join(' ')
      break
    }
    case 6: {
      const a = rng.int(words.length)
      const b = rng.int(words.length)
      ;[words[a], words[b]] = [words[b], words[a]]
      lines[li] = words.join(' ')
      break
    }
    default: {
      const lj = rng.int(lines.length)
      ;[lines[li], lines[lj]] = [lines[lj], lines[li]]
    }
  }
  return lines.join('\n')
}

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
