import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LineWords } from './line-words'
import { hashBytes, NameTable } from './name-table'

const word = fc
  .array(fc.constantFrom('a', 'Z', '0', '-', '_', '/', ':', '.', 'K'), { minLength: 1, maxLength: 40 })
  .map((cs) => cs.join(''))

describe('NameTable', () => {
  it('gives each name one id, kept while the table grows from a tiny start', () => {
    const t = new NameTable(1)
    const names = Array.from({ length: 20_000 }, (_, i) => `KUBE-SEP-${i.toString(36).padStart(16, '0')}`)
    const ids = names.map((n) => t.idOf(n))
    expect(new Set(ids).size).toBe(names.length)
    for (const [i, n] of names.entries()) {
      const b = Buffer.from(n)
      expect(t.find(b, 0, b.length)).toBe(ids[i])
      expect(t.is(ids[i], b, 0, b.length, hashBytes(b, 0, b.length))).toBe(true)
      expect(t.name(ids[i])).toBe(n)
    }
    expect(t.find(Buffer.from('KUBE-SEP-absent'), 0, 15)).toBe(-1)
  })
})

describe('LineWords', () => {
  it('hashes each word as hashBytes does, whatever its offset and length, in plain and other lines', () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 12 }),
        fc.nat(7),
        fc.boolean(),
        (ws, pad, tab) => {
          // a tab anywhere in the region makes the splitter take its byte-at-a-time path
          // (leading spaces: a line starting with `:` is a chain declaration, whose first word starts after the colon)
          const text = `${' '.repeat(pad + 1)}${ws.join(' ')}\n${tab ? '\t' : ''}`
          const buf = Buffer.from(text)
          const lw = new LineWords(96)
          lw.region(buf, 0, buf.length)
          expect(lw.split(buf, 0, buf.length)).toBe(ws.length)
          expect(lw.end).toBe(text.indexOf('\n'))
          for (let k = 0; k < ws.length; k++) {
            expect(buf.toString('latin1', lw.ws[k], lw.we[k])).toBe(ws[k])
            expect(lw.hs[k]).toBe(hashBytes(buf, lw.ws[k], lw.we[k]))
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
