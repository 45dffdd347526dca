import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isInputError } from '../errors/errors'
import { generateCluster } from '../generate/generate'
import { inputErrorOf } from '../testing/inputErrorOf'
import { parseClusterJson, serializeCluster } from './json'
import { jsonSyntaxError } from './jsonSyntax'

const errorOf = (text: string) => inputErrorOf(() => parseClusterJson(text, 'c.json'))

describe('parseClusterJson / serializeCluster', () => {
  it('round-trips a generated cluster exactly', () => {
    const c = generateCluster({ services: 30, seed: 3, policies: 12, hostNetworkPods: 1 })
    expect(parseClusterJson(serializeCluster(c), 'c.json')).toStrictEqual(JSON.parse(JSON.stringify(c)))
    expect(parseClusterJson(serializeCluster(c))).toEqual(c)
  })

  it('writes object keys sorted, so two runs diff cleanly', () => {
    const text = serializeCluster(generateCluster({ services: 2, seed: 1 }))
    const keys = [...text.matchAll(/^ {2}"(\w+)":/gm)].map((m) => m[1])
    expect(keys).toEqual([...keys].sort())
    expect(text.endsWith('}\n')).toBe(true)
  })

  it('reports a syntax error with its line', () => {
    const e = errorOf('{\n  "schemaVersion": 1,\n  "nodes": [,]\n}')
    expect(e.line).toBe(3)
    expect(e.format()).toMatch(/^c\.json:3:\d+: invalid JSON/)
  })

  it('reports a validation error at the line of the offending field', () => {
    const text = serializeCluster(generateCluster({ services: 3, seed: 1, policies: 0 })).replace(
      /"port": 80,/,
      '"port": 99999,',
    )
    const e = errorOf(text)
    const line = text.split('\n').findIndex((l) => l.includes('99999')) + 1
    expect(e.message).toMatch(/^services\[\d\]\.ports\[\d\]\.port: expected an integer 1-65535, got 99999/)
    expect(e.line).toBe(line)
  })
})

describe('jsonSyntaxError', () => {
  it.each([
    ['{"a": [1, 2,]}', 12],
    ['{"a" 1}', 5],
    ['[1, 2', 5],
    ['{"a": "x\\q"}', 9],
    ['{"a": 1} x', 9],
    ['{"a": tru}', 6],
  ])('finds the first error in %s at offset %i', (text, offset) => {
    expect(() => JSON.parse(text)).toThrow()
    expect(jsonSyntaxError(text)?.offset).toBe(offset)
  })
  it('accepts what JSON.parse accepts', () => {
    expect(jsonSyntaxError('{"a": [1, -2.5e3, true, null, "\\u00e9\\n"], "b": {}}')).toBeNull()
  })
})

describe('parseClusterJson on mutated input (fuzz)', () => {
  it('lets only InputError escape', () => {
    const base = serializeCluster(generateCluster({ services: 4, seed: 9, policies: 4, hostNetworkPods: 1 }))
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 4 })), {
          minLength: 1,
          maxLength: 3,
        }),
        (edits) => {
          let text = base
          for (const [at, cut, insert] of edits) {
            const i = at % (text.length + 1)
            text = text.slice(0, i) + insert + text.slice(i + cut)
          }
          try {
            parseClusterJson(text, 'fuzz.json')
          } catch (e) {
            if (!isInputError(e)) throw e
            expect(e.line).toBeGreaterThanOrEqual(1)
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
