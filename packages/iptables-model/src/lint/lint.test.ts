import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseIpsetSave } from '../ipset/parse'
import { lintFile, lintText } from './lint'

const DUMP = [
  '*filter',
  ':INPUT ACCEPT [0:0]',
  ':FORWARD DROP [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':DEAD - [0:0]',
  ':USED - [0:0]',
  '-A FORWARD -j USED',
  '-A FORWARD -m comment --comment "everything" -j ACCEPT',
  '-A FORWARD -p tcp -j DROP',
  '-A FORWARD -p udp -j DROP',
  '-A USED -m set --match-set S src -j RETURN',
  '-A DEAD -j ACCEPT',
  'COMMIT',
  '',
].join('\n')

const dir = mkdtempSync(join(tmpdir(), 'dpsim-lint-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('lint', () => {
  it('accepts what iptables-restore accepts and lists dead rules and unused chains by line', () => {
    const r = lintText(DUMP, 'dump')
    expect(r.ok).toBe(true)
    expect(r.rules).toBe(6)
    expect(r.findings).toEqual([
      { line: 5, message: 'filter:DEAD: nothing jumps to this chain' },
      {
        line: 9,
        message:
          'filter:FORWARD: 2 rule(s) can never be reached: the rule at line 8 ends the chain for every packet',
      },
    ])
  })

  it('refuses with the error iptables-restore would give, with its line', () => {
    const r = lintText(DUMP.replace('-j USED', '-j NOPE'), 'dump')
    expect(r.ok).toBe(false)
    expect(r.error!.format()).toMatch(/^dump:7:1: Couldn't load target 'NOPE'/)
  })

  it('checks set names against the ipsets when given', () => {
    expect(lintText(DUMP, 'dump', parseIpsetSave('create S hash:ip\n')).ok).toBe(true)
    const r = lintText(DUMP, 'dump', parseIpsetSave('create T hash:ip\n'))
    expect(r.error?.line).toBe(11)
  })

  it('reads files in chunks with the same result, across chunk boundaries and without a final newline', () => {
    const big = DUMP.replace(
      'COMMIT\n',
      `${'-A USED -p tcp -m tcp --dport 80 -j RETURN\n'.repeat(120_000)}COMMIT`,
    )
    const path = join(dir, 'big.txt')
    writeFileSync(path, big)
    const viaFile = lintFile(path)
    const viaText = lintText(big, path)
    expect(viaFile).toEqual(viaText)
    expect(viaFile.lines).toBe(big.split('\n').length)
    expect(lintFile(join(dir, 'missing.txt')).error?.message).toMatch(/cannot read: ENOENT/)
  })
})
