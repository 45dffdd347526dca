import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRng } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { writeKubeProxyDump } from '../bench/kube-proxy-dump'
import { parseIpsetSave } from '../src/ipset/parse'
import { type LintResult, lintFile, lintText } from '../src/lint/lint'
import { nodeIpsetText, nodeSaveText, renderNode } from '../src/render/nodeRuleset'
import { overallCluster } from './fixtures/overallCluster'
import { policyCluster } from './fixtures/policyCluster'
import { lintView } from './lint-view'
import { mutate } from './mutate'
import { arbDump } from './ruleset-arbitrary'

/** Everything lint reports, as the CLI would print it. */

function same(text: string, ipsets?: ReturnType<typeof parseIpsetSave>): LintResult {
  const fast = lintText(text, 'dump', ipsets)
  const full = lintText(text, 'dump', ipsets, { fastPath: false })
  expect(full.fastLines).toBe(0)
  expect(lintView(fast), text).toEqual(lintView(full))
  return fast
}

const rendered = [
  renderNode(overallCluster(), 'test-node', {}),
  renderNode(policyCluster(), 'node-a', { notrack: true }),
  renderNode(policyCluster(), 'node-b', {
    largeClusterThreshold: 0,
    nodePortAddresses: ['192.168.1.0/24'],
    masqueradeAll: true,
  }),
]
const renderedDumps = rendered.map((r) => nodeSaveText(r))

/** A filter and a nat table around `rules` (each `-A` line may name X, Y, KUBE-SEP-A or the built-ins). */
const around = (filter: string[], nat: string[] = []): string =>
  [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-SEP-A - [0:0]',
    ':KUBE-MARK-MASQ - [0:0]',
    '-A PREROUTING -j KUBE-SEP-A',
    '-A OUTPUT -j KUBE-SEP-A',
    '-A KUBE-SEP-A -j KUBE-MARK-MASQ',
    ...nat,
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [12:3400]',
    ':OUTPUT ACCEPT [0:0]',
    ':X - [0:0]',
    ':Y - [0:0]',
    '-A INPUT -j X',
    '-A X -j Y',
    ...filter,
    'COMMIT',
    '',
  ].join('\n')

/** Real-looking rules (kube-proxy, Calico, quoting, negation) and near misses of each; both paths must agree. */
const FILTER_LINES = [
  '-A X -m comment --comment "kubernetes service portals" -j ACCEPT',
  '-A X -m comment --comment "ns1/svc:http cluster IP" -m tcp -p tcp --dport 80 -j ACCEPT',
  '-A X -p tcp -m comment --comment "ns1/svc:http cluster IP" -m tcp --dport 80 -j ACCEPT',
  '-A X -p tcp -m comment --comment "say \\"hi\\" \\\\ it\'s" -m tcp --dport 80 -j ACCEPT',
  '-A X -m comment --comment "" -j DROP',
  '-A X -m comment --comment noquotes -j RETURN',
  '-A X -m comment --comment "ünïcode" -j RETURN',
  `-A X -m comment --comment "${'a'.repeat(255)}" -j RETURN`,
  `-A X -m comment --comment "${'a'.repeat(256)}" -j RETURN`,
  '-A X -m comment --comment "unterminated -j RETURN',
  '-A X -m comment --comment "x"y -j RETURN',
  '-A X -m comment --comment ! -j RETURN',
  '-A X -m comment --comment "!" -j RETURN',
  '-A X ! -s 10.0.0.0/8 -d 10.96.0.1/32 -j Y',
  '-A X -s 10.0.0.0/255.0.0.0 -j Y',
  '-A X -s 10.0.0.256/32 -j Y',
  '-A X -s 10.0.0.1/33 -j Y',
  '-A X -s 10.0.0.1 -s 10.0.0.2 -j Y',
  '-A X ! ! -s 10.0.0.1 -j Y',
  '-A X -s 10.0.0.1 !',
  '-A X -i cali+ -o eth0 -j ACCEPT',
  '-A X ! -i cali1234567890ab -j ACCEPT',
  '-A X -i cali1234567890abc -j ACCEPT',
  '-A OUTPUT -i eth0 -j ACCEPT',
  '-A INPUT -o eth0 -j ACCEPT',
  '-A X -p udp -m udp ! --dport 53 -j ACCEPT',
  '-A X -p udp -m tcp --dport 53 -j ACCEPT',
  '-A X ! -p tcp -m tcp --dport 53 -j ACCEPT',
  '-A X -p tcp -m tcp --sport 1024:65535 --dport 80:79 -j ACCEPT',
  '-A X -p tcp -m tcp --dport :80 -j ACCEPT',
  '-A X -p tcp -m tcp --dport 70000 -j ACCEPT',
  '-A X -p tcp --dport 80 -j ACCEPT',
  '-A X -p TCP -m tcp --dport 80 -j ACCEPT',
  '-A X -p tcp -p udp -j ACCEPT',
  '-A X -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT',
  '-A X -p tcp -m multiport ! --sports 80,,443 -j ACCEPT',
  '-A X -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j ACCEPT',
  '-A X -m multiport --dports 80 -j ACCEPT',
  '-A X -m mark --mark 0x10000/0x10000 -j ACCEPT',
  '-A X -m mark ! --mark 0x4000/0x4000 -j RETURN',
  '-A X -m mark --mark 0xg/0x1 -j RETURN',
  '-A X -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A X -m conntrack --ctstate INVALID -j DROP',
  '-A X -m conntrack --ctstate established -j ACCEPT',
  '-A X -m conntrack --ctstate NEW,BOGUS -j ACCEPT',
  '-A X -m addrtype --dst-type LOCAL -j Y',
  '-A X -m addrtype ! --src-type LOCAL --limit-iface-in -j Y',
  '-A X -m addrtype --dst-type LOCALS -j Y',
  '-A X -m set --match-set cali40s:abc src -j ACCEPT',
  '-A X -m set ! --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
  '-A X -m set --match-set S1 src,bogus -j ACCEPT',
  '-A X -m set --match-set S1 -j ACCEPT',
  '-A X -m statistic --mode random --probability 0.20000000019 -j Y',
  '-A X -m statistic --mode random --probability 1.5 -j Y',
  '-A X -m statistic --mode random --probability 1.000 -j Y',
  '-A X -m statistic --mode random -j Y',
  '-A X -m statistic --mode nth --every 2 --packet 0 -j Y',
  '-A X -m bogus -j Y',
  '-A X ! -m comment -j Y',
  '-A X -m comment -m -j Y',
  '-A X -j MARK --set-xmark 0x4000/0x4000',
  '-A X -j MARK --set-xmark 0x4000/0x4000 --set-xmark 0x1/0x1',
  '-A X -j MARK',
  '-A X -j MARK --or-mark 0x4000',
  '-A X -j ACCEPT --random',
  '-A X -j ACCEPT -j DROP',
  '-A X ! -j ACCEPT',
  '-A X -j',
  '-A X -j NOPE',
  '-A X -j REJECT --reject-with icmp-port-unreachable',
  '-A X -j TPROXY',
  '-A X -j DNAT --to-destination 10.0.0.1:80',
  '-A X -g Y',
  '-A X -g INPUT',
  '-A X -j INPUT',
  '-A X -j X',
  '-A Y -j X',
  '-A NOPE -j ACCEPT',
  '-A X',
  '-A X bogus',
  '-A X -s',
  '-A X  -s  10.0.0.1   -j   ACCEPT  ',
  '-A X\t-j ACCEPT',
  '-A X -j ACCEPT\r',
  '[1:2] -A X -j ACCEPT',
  '-I X 1 -j ACCEPT',
  '-N Z',
  ':Z - [0:0]',
  ':X - [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':Z ACCEPT [0:0]',
  ':Z - [x:0]',
  ':Z -',
  ':Z - [0:0] extra',
  ':ABCDEFGHIJKLMNOPQRSTUVWXYZABC - [0:0]',
  '-A X -j ACCEPT',
  '-A X -p tcp -j DROP',
  // near misses of the readers that find a value's end as they check it, and of the known-word lookup
  '-A X -s 10.0.0.1/ -j Y',
  '-A X -s 10.0.0.1/32x -j Y',
  '-A X -s 10.0.0.1x -j Y',
  '-A X -s 10.0.0 -j Y',
  '-A X -s 10.0.0.1.2 -j Y',
  '-A X -s 010.0.0.1/032 -j Y',
  '-A X -d 10.0.0.1/"32" -j Y',
  '-A X -s "10.0.0.1" -j Y',
  '-A X -p tcp -m tcp --dport : -j ACCEPT',
  '-A X -p tcp -m tcp --dport 80: -j ACCEPT',
  '-A X -p tcp -m tcp --dport :: -j ACCEPT',
  '-A X -p tcp -m tcp --dport 0080 -j ACCEPT',
  '-A X -p tcp -m tcp --dport 80x -j ACCEPT',
  '-A X -p tcp -m tcp --dport 1234567890123456 -j ACCEPT',
  '-A X -m mark --mark 0x -j ACCEPT',
  '-A X -m mark --mark 0X4000/0XFFFF -j ACCEPT',
  '-A X -m mark --mark 0x4000/ -j ACCEPT',
  '-A X -m mark --mark 0x123456789 -j ACCEPT',
  '-A X -m mark --mark 4294967296 -j ACCEPT',
  '-A X -m mark --mark 16/0x10x -j ACCEPT',
  '-A X -m statistic --mode random --probability 0. -j Y',
  '-A X -m statistic --mode random --probability . -j Y',
  '-A X -m statistic --mode random --probability .5 -j Y',
  '-A X -m statistic --mode random --probability 0.5x -j Y',
  '-A X -m statistic --mode randomly --probability 0.5 -j Y',
  '-A X -m commentary --comment "x" -j Y',
  '-A X -m comment --commentary "x" -j Y',
  '-A X -m comment --comment"x" -j Y',
  '-A X -mcomment --comment "x" -j Y',
  '-A X -m tcp -p tcp --dports 80 -j ACCEPT',
  '-A X -m tcp -p tcp --dport 80 -jACCEPT',
  '-A X -j ACCEPTS',
  '-A X -j ACCEP',
  '-A X -j "ACCEPT"',
  '-A X -j !',
  '-A X -g !',
  '-A X -j -s',
  '-A X -g ACCEPT',
  '-A X -j DROP -j Y',
  // the phrases read as one compare, and their near misses
  '-A X -j ACCEPT -m comment --comment "after the target"',
  '-A X -j Y -m statistic --mode random --probability 0.5',
  '-A X ! -m comment --comment "x" -j Y',
  '-A X -m comment --comment  "two spaces" -j Y',
  '-A X -m comment --comment ',
  '-A X -m comment --comment "x" --comment "y" -j Y',
  '-A X -m statistic --mode random --probability 0.5 --probability 0.2 -j Y',
  '-A X -m statistic --mode random --probability ',
  '-A X -m statistic --mode random --probability 1.1 -j Y',
  '-A X -m tcp --dport 80 -j ACCEPT',
  '-A X -p udp -m tcp --dport 80 -j ACCEPT',
  '-A X -p tcp -m tcp --dport 80 --sport 1024:2048 -j ACCEPT',
  '-A X -p tcp -m tcp --dport "80" -j ACCEPT',
  '-A X -p tcp -m tcp --dport',
  '-A X -p tcp -p tcp -j ACCEPT',
  '-A X -p udp -p tcp -j ACCEPT',
  '-A X ! -p tcp -m tcp -j ACCEPT',
  '-A X -j ACCEPT -p tcp',
  '-A X -p tcpx -j ACCEPT',
  '-A X -p tcp -m tcpx -j ACCEPT',
  '-A X -p tcp -m tcp',
  '-A X -p tcp -m tcp -m tcp -j ACCEPT',
  '-A X -p tcp -m tcp ! --dport 80 -j ACCEPT',
  '-A X -j ACCEPT -m tcp',
]

const NAT_LINES = [
  '-A KUBE-SEP-A -p tcp -m comment --comment "ns/svc:http" -m tcp -j DNAT --to-destination 10.244.0.5:8080',
  '-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination 10.244.0.5:0',
  '-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination 10.244.0.5-10.244.0.9:8080',
  '-A KUBE-SEP-A -j DNAT --to-destination 10.244.0.5:8080',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.0.5:',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.0.5:8080x',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.0.5:65536',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.0.5:1:2',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.0.5 --to-destination 10.244.0.6',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination=10.244.0.5',
  '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000 --set-xmark 0x1',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.0.5:8080 --to-destination 10.244.0.6',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.0.5:8080 --random',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.0.5:8080 -j ACCEPT',
  '-A KUBE-SEP-A -p tcp -j ACCEPT -j DNAT --to-destination 10.244.0.5:8080',
  '-A KUBE-SEP-A -p tcp ! -j DNAT --to-destination 10.244.0.5:8080',
  '-A KUBE-SEP-A -j DNAT --to-destination 10.244.0.5:8080',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination ',
  '-A KUBE-SEP-A -p tcp -j DNAT --to-destination  10.244.0.5:8080',
  '-A KUBE-SEP-A -p tcp -j DNATS --to-destination 10.244.0.5:8080',
  '-A KUBE-SEP-A -j DNAT --to-destination 10.244.0.5 --random --persistent',
  '-A KUBE-SEP-A -j DNAT',
  '-A KUBE-SEP-A -j DNAT --to-source 10.244.0.5',
  '-A POSTROUTING -j MASQUERADE --random-fully',
  '-A POSTROUTING -j SNAT --to-source 192.168.1.1 --random-fully',
  '-A PREROUTING -j MASQUERADE',
  '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
  '-A KUBE-MARK-MASQ -j KUBE-SEP-A',
]

describe('lint fast path', () => {
  it('reads every chain and rule line of a kube-proxy-shaped dump, in chunks and in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpsim-lint-kp-'))
    try {
      const path = join(dir, 'nat.txt')
      const lines = await writeKubeProxyDump(path, 300, 5)
      const text = readFileSync(path, 'utf8')
      for (const r of [lintFile(path), lintText(text, path)]) {
        expect(r.ok).toBe(true)
        expect(r.lines).toBe(lines)
        // only `*nat` and `COMMIT` go to the full reader
        expect(r.fastLines).toBe(lines - 2)
      }
      expect(lintView(lintText(text, path))).toEqual(
        lintView(lintText(text, path, undefined, { fastPath: false })),
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('agrees with the full parser on rendered kube-proxy and Calico dumps, and reads most of their lines', () => {
    for (const [i, text] of renderedDumps.entries()) {
      const r = same(text)
      expect(r.ok).toBe(true)
      expect(r.fastLines / r.lines).toBeGreaterThan(0.5)
      same(text, parseIpsetSave(nodeIpsetText(rendered[i])))
    }
  })

  it('agrees with the full parser on each real-looking rule and near miss, alone and after the others', () => {
    for (const line of FILTER_LINES) same(around([line]))
    for (const line of NAT_LINES) same(around([], [line]))
    // the lines accepted one after the other: findings (rules after an unconditional verdict) agree too
    const kept: string[] = []
    for (const line of FILTER_LINES) if (same(around([...kept, line])).ok) kept.push(line)
    const r = same(around(kept))
    expect(r.ok).toBe(true)
    expect(r.fastLines).toBeGreaterThan(30)
    expect(r.findings.length).toBeGreaterThan(0)
  })

  it('agrees with the full parser on 3,000 mutants of real and generated dumps', () => {
    const bases = [...renderedDumps, ...fc.sample(arbDump(), { numRuns: 20, seed: 7 })]
    const rng = createRng(99)
    let refused = 0
    for (let k = 0; k < 3000; k++) {
      let text = bases[k % bases.length]
      for (let e = 1 + rng.int(3); e > 0; e--) text = mutate(text, rng)
      if (!same(text).ok) refused++
    }
    expect(refused).toBeGreaterThan(300)
  })
})
