import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isInputError } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { loadProfile, parseProfile } from './load'

const good = {
  schemaVersion: 1,
  name: 't',
  description: 'd',
  provenance: { method: 'test' },
  constants: { 'ipt.rule': { value: 9, unit: 'ns', source: 'anchors' } },
}

describe('parseProfile / loadProfile', () => {
  it('loads a profile from a path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpsim-profile-'))
    const path = join(dir, 'p.json')
    writeFileSync(path, JSON.stringify(good, null, 2))
    expect(loadProfile(path).constants['ipt.rule'].value).toBe(9)
  })

  it('rejects a constant without a unit with its line', () => {
    const text = JSON.stringify({ ...good, constants: { a: { value: 1, source: 'x' } } }, null, 2)
    try {
      parseProfile(text, 'p.json')
      expect.unreachable()
    } catch (e) {
      expect(isInputError(e)).toBe(true)
      expect((e as Error).message).toMatch(/constant a: expected/)
      expect((e as { line: number }).line).toBe(text.split('\n').findIndex((l) => l.includes('"a"')) + 1)
    }
  })

  it.each([
    ['{', /expected a JSON cost profile/],
    [JSON.stringify({ ...good, schemaVersion: 2 }), /schemaVersion 1/],
    [
      JSON.stringify({ ...good, constants: { a: { value: -1, unit: 'ns', source: 'x' } } }),
      /finite number ≥ 0/,
    ],
    [JSON.stringify({ ...good, provenance: {} }), /provenance/],
  ])('rejects %s', (text, message) => {
    expect(() => parseProfile(text, 'p.json')).toThrow(message)
  })

  it('names the known profiles when a name is unknown', () => {
    expect(() => loadProfile('no-such-profile')).toThrow(/expected a file or one of/)
  })
})
