import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../program'
import { lintCommand } from './lint'
import { traceRulesetCommand } from './trace-ruleset'

const dir = mkdtempSync(join(tmpdir(), 'dpsim-trace-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const DUMP = join(dir, 'nat.txt')
writeFileSync(
  DUMP,
  [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-SEP-A - [0:0]',
    ':KUBE-SEP-B - [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-SVC-X - [0:0]',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination 10.244.1.2:8080',
    '-A KUBE-SEP-B -p tcp -m tcp -j DNAT --to-destination 10.244.2.2:8080',
    '-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-X',
    '-A KUBE-SVC-X -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A',
    '-A KUBE-SVC-X -j KUBE-SEP-B',
    'COMMIT',
    '',
  ].join('\n'),
)
const OPTS = { ruleset: DUMP, localIp: ['192.168.1.10'], podCidr: ['10.244.1.0/24'] }
const PACKET = 'tcp 192.168.5.5:40000 -> 10.96.0.10:80'

describe('dpsim trace --ruleset', () => {
  it('reads like a TRACE log: table:chain:rule number, the verdict and the NAT', () => {
    const out = traceRulesetCommand({ ...OPTS, seed: '1' }, PACKET)
    expect(out).toMatch(/^packet tcp 192\.168\.5\.5:40000 -> 10\.96\.0\.10:80$/m)
    expect(out).toMatch(/nat:PREROUTING:rule:1 {2}match .*-j KUBE-SERVICES {2}→ jump KUBE-SERVICES/)
    expect(out).toMatch(/nat:KUBE-SERVICES:rule:1 {2}match /)
    expect(out).toMatch(/^verdict: forward out \S+, DNAT to 10\.244\.[12]\.2:8080$/m)
    expect(out).toMatch(/^cost: \d+ rules evaluated, .* ns modeled$/m)
  })

  it('lists every outcome with its probability in enumerate mode, and the Trace in --json', () => {
    const out = traceRulesetCommand({ ...OPTS, enumerate: true }, PACKET)
    expect(out).toMatch(/50\.00% {2}forward 10\.244\.1\.2:8080/)
    expect(out).toMatch(/50\.00% {2}forward 10\.244\.2\.2:8080/)
    const json = JSON.parse(traceRulesetCommand({ ...OPTS, json: true, enumerate: true }, PACKET))
    expect(json.candidates).toHaveLength(2)
    expect(json.steps[0]).toMatchObject({ where: 'conntrack' })
  })

  it('counts the rules an iptables-nft node evaluates (its walks are keyed ipt.rule:nft)', () => {
    const rules = (out: string) => Number(/^cost: ([\d.]+) rules evaluated, ([\d.]+) matches/m.exec(out)?.[1])
    const legacy = traceRulesetCommand({ ...OPTS, seed: '1' }, PACKET)
    const nft = traceRulesetCommand({ ...OPTS, seed: '1', backend: 'nft' }, PACKET)
    expect(rules(legacy)).toBeGreaterThan(0)
    expect(rules(nft)).toBe(rules(legacy))
    expect(nft).not.toMatch(/ 0 matches tested/)
    expect(() => traceRulesetCommand({ ...OPTS, backend: 'bpf' }, PACKET)).toThrow(/legacy or nft/)
  })

  it('exits 2 on a packet without a dump, and with file:line on a bad dump or packet', async () => {
    const errors: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((s: string) => errors.push(s) > 0) as unknown as typeof process.stderr.write
    try {
      expect(await runCli(['trace', PACKET])).toBe(2)
      const bad = join(dir, 'bad.txt')
      writeFileSync(bad, '*nat\n-A PREROUTING -j NOPE\nCOMMIT\n')
      expect(await runCli(['trace', '--ruleset', bad, PACKET])).toBe(2)
      expect(await runCli(['trace', '--ruleset', DUMP, 'tcp nonsense'])).toBe(2)
    } finally {
      process.stderr.write = write
    }
    expect(errors[0]).toMatch(/^dpsim: /)
    expect(errors[1]).toMatch(new RegExp(`^${bad(dir)}:2:1: Couldn't load target 'NOPE'`))
    expect(errors[2]).toMatch(/^<packet>:1:/)
  })
})

const bad = (d: string): string => join(d, 'bad.txt').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('dpsim lint', () => {
  it('prints findings with FILE:LINE and accepts', () => {
    let out = ''
    const f = join(dir, 'lint.txt')
    writeFileSync(
      f,
      '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:U - [0:0]\n-A INPUT -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n',
    )
    lintCommand({ ruleset: f }, (s) => {
      out += s
    })
    expect(out).toBe(
      `${f}:5: warning: filter:U: nothing jumps to this chain\n` +
        `${f}:7: warning: filter:INPUT: 1 rule(s) can never be reached: the rule at line 6 ends the chain for every packet\n` +
        `${f}: iptables-restore would accept it: 8 lines, 2 rules, 2 finding(s)\n`,
    )
  })

  it('exits 2 with FILE:LINE when iptables-restore would refuse the dump', async () => {
    const f = join(dir, 'refused.txt')
    writeFileSync(f, '*filter\n:X - [0:0]\n:X - [0:0]\nCOMMIT\n')
    const errors: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((s: string) => errors.push(s) > 0) as unknown as typeof process.stderr.write
    try {
      expect(await runCli(['lint', '--ruleset', f])).toBe(2)
    } finally {
      process.stderr.write = write
    }
    expect(errors.join('')).toBe(`${f}:3:2: chain X is defined twice in table filter\n`)
  })
})
