import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LineCursor } from './line-cursor'
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
      expect(t.matchAt(ids[i], new DataView(b.buffer, b.byteOffset, b.length), b, 0, b.length)).toBe(b.length)
      expect(t.name(ids[i])).toBe(n)
    }
    expect(t.find(Buffer.from('KUBE-SEP-absent'), 0, 15)).toBe(-1)
  })
})

describe('LineCursor', () => {
  it('finds each word and hashes it as hashBytes does, whatever its offset and length, in plain and other lines', () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 12 }),
        fc.nat(7),
        fc.boolean(),
        (ws, pad, tab) => {
          // a tab anywhere in the region makes the cursor take its byte-at-a-time path
          const text = `${' '.repeat(pad + 1)}${ws.join(' ')}\n${tab ? '\t' : ''}`
          const buf = Buffer.from(text)
          const cur = new LineCursor()
          cur.region(buf, 0, buf.length)
          cur.i = 0
          for (const w of ws) {
            expect(cur.next()).toBe(1)
            expect(buf.toString('latin1', cur.s, cur.t)).toBe(w)
            expect(cur.hash()).toBe(hashBytes(buf, cur.s, cur.t))
          }
          expect(cur.next()).toBe(0)
          expect(cur.i).toBe(text.indexOf('\n'))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('reads a quoted word without its quotes, and gives up on a quote inside a word', () => {
    const buf = Buffer.from('-m comment --comment "a b" x"y\n')
    const cur = new LineCursor()
    cur.region(buf, 0, buf.length)
    cur.i = 0
    for (let k = 0; k < 3; k++) expect(cur.next()).toBe(1)
    expect(cur.next()).toBe(1)
    expect(cur.quoted).toBe(true)
    expect(buf.toString('latin1', cur.s, cur.t)).toBe('a b')
    expect(cur.next()).toBe(-1)
  })
})

describe('NameTable.matchAt', () => {
  it('matches a stored name followed by a space, a newline or the end, and nothing longer or different', () => {
    const t = new NameTable(4)
    const id = t.idOf('KUBE-SEP-0000000000000ABC')
    const odd = t.idOf('a"b')
    const buf = Buffer.from(
      'KUBE-SEP-0000000000000ABC KUBE-SEP-0000000000000ABCD KUBE-SEP-0000000000000ABD a"b\n',
    )
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    expect(t.matchAt(id, dv, buf, 0, buf.length)).toBe(25)
    expect(t.matchAt(id, dv, buf, 26, buf.length)).toBe(-1)
    expect(t.matchAt(id, dv, buf, 53, buf.length)).toBe(-1)
    expect(t.matchAt(id, dv, buf, 0, 25)).toBe(25)
    expect(t.matchAt(id, dv, buf, 0, 24)).toBe(-1)
    // a name the cursor would not read as one word is never matched
    expect(t.matchAt(odd, dv, buf, 79, buf.length)).toBe(-1)
    expect(t.matchAt(99, dv, buf, 0, buf.length)).toBe(-1)
  })
})
