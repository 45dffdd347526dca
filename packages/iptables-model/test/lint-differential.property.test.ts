import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRng } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { parseIpsetSave } from '../src/ipset/parse'
import { lintFile, lintText } from '../src/lint/lint'
import { lintView } from './lint-view'
import { mutate } from './mutate'
import { arbDump, IPSETS_TEXT } from './ruleset-arbitrary'

/**
 * Lint's fast path (byte-level line reader + LintState, chains by number) against the full path (tokenizer,
 * rule parser and the parser's own TableState): over generated dumps, with chain commands that exercise
 * the whole-table bookkeeping (-N/-X/-F/-I, redeclared chains, loops, NAT targets behind the wrong hook,
 * repeated table blocks) and random edits, both give the same verdict, error (line, column, message) and
 * findings.
 */

const CHAIN_COMMANDS = [
  '-N U9',
  '-N U0',
  '-X U0',
  '-X U3',
  '-X U9',
  '-X INPUT',
  '-F U0',
  '-F U1',
  '-F INPUT',
  '-F NOPE',
  ':U9 - [0:0]',
  ':U0 - [0:0]',
  '-A U9 -j RETURN',
  '-A U9 -j ACCEPT',
  '-A U9 -m comment --comment "x" -j DROP',
  '-A U9 -p tcp -m tcp --dport 80 -j U0',
  '-I U0 1 -j ACCEPT',
  '-I U0 3 -j DROP',
  '-I U1 -j U2',
  '-A U0 -j U1',
  '-A U1 -j U0',
  '-A U2 -g U0',
  '-A U1 -j U9',
  '-A U0 -j U0',
  '-A INPUT -j U0',
  '-A OUTPUT -j U1',
  '-A PREROUTING -j U2',
  '-A U0 -j INPUT',
  '-A U0 -j NOPE',
  '-A NOPE -j ACCEPT',
  '-A U0 -j MASQUERADE',
  '-A U1 -j DNAT --to-destination 10.0.0.1',
  '-A POSTROUTING -j U0',
  '-A PREROUTING -j U1',
  '-A U2 -j NOTRACK',
  '-A U0 -j ACCEPT',
  '-A U0 -s 10.0.0.1/32 -j DROP',
  'COMMIT',
  '*filter',
  '*nat',
  ':INPUT ACCEPT [0:0]',
  ':OUTPUT DROP [1:2]',
  // kube-proxy's shapes, whose matches the fast path reads as phrases (lint/phrases.ts)
  '-A U0 -d 10.96.0.1/32 -p tcp -m comment --comment "ns/svc:http cluster IP" -m tcp --dport 80 -j U1',
  '-A U1 -m comment --comment "ns/svc:http -> 10.244.0.1:8080" -m statistic --mode random --probability 0.50000000000 -j U2',
  '-A U2 -s 10.244.0.1/32 -m comment --comment "ns/svc:http" -j U9',
  '-A U2 -p tcp -m comment --comment "ns/svc:http" -m tcp -j DNAT --to-destination 10.244.0.1:8080',
  '-A U2 -p tcp -m tcp --dport 8080:8090 -j ACCEPT',
  '-A U0 -m tcp --dport 80 -j U1',
]

/** A dump with `edits` chain-command lines inserted at random lines, then `mutations` random edits. */
const arbLintInput = fc
  .tuple(
    arbDump(),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...CHAIN_COMMANDS)), { maxLength: 6 }),
    fc.integer({ min: 0, max: 3 }),
    fc.integer(),
    fc.boolean(),
  )
  .map(([dump, inserts, mutations, seed, twice]) => {
    const lines = (twice ? dump + dump : dump).split('\n')
    for (const [at, line] of inserts) lines.splice(at % lines.length, 0, line)
    let text = lines.join('\n')
    const rng = createRng(seed)
    for (let k = 0; k < mutations; k++) text = mutate(text, rng)
    return text
  })

const dir = mkdtempSync(join(tmpdir(), 'dpsim-lint-diff-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('lint fast path against the full path', () => {
  it('gives the same verdict, error and findings on generated, edited and mutated dumps', () => {
    let refused = 0
    let accepted = 0
    fc.assert(
      fc.property(arbLintInput, (text) => {
        const fast = lintText(text, 'dump')
        const full = lintText(text, 'dump', undefined, { fastPath: false })
        expect(lintView(fast)).toEqual(lintView(full))
        if (fast.ok) accepted++
        else refused++
      }),
      { numRuns: 400 },
    )
    // both outcomes are exercised
    expect(accepted).toBeGreaterThan(20)
    expect(refused).toBeGreaterThan(20)
  })

  it('gives the same result with set names checked against ipsets', () => {
    const ipsets = parseIpsetSave(IPSETS_TEXT)
    const fewer = parseIpsetSave('create S1 hash:ip family inet hashsize 1024 maxelem 65536\n')
    fc.assert(
      fc.property(arbLintInput, fc.boolean(), (text, all) => {
        const sets = all ? ipsets : fewer
        expect(lintView(lintText(text, 'dump', sets))).toEqual(
          lintView(lintText(text, 'dump', sets, { fastPath: false })),
        )
      }),
      { numRuns: 150 },
    )
  })

  it('reads a file in chunks as it reads the same text in memory', () => {
    fc.assert(
      fc.property(arbLintInput, fc.nat({ max: 3000 }), (text, pad) => {
        // long comment lines push line ends across the reader's chunk boundaries
        const long = `# ${'x'.repeat(pad * 100)}\n`
        const input = long + text
        const path = join(dir, 'dump.txt')
        writeFileSync(path, input)
        expect(lintView(lintFile(path))).toEqual(lintView(lintText(input, path)))
      }),
      { numRuns: 40 },
    )
  })
})
