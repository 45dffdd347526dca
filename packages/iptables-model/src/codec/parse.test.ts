import { InputError } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { parseIptablesSave, restoreRuleset } from './parse'
import { serializeRuleset } from './serialize'

/** A filter table whose FORWARD chain holds `rules` (rule text after `-A FORWARD`), plus chain X. */
function filter(...rules: string[]): string {
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':X - [0:0]',
    ...rules.map((r) => `-A FORWARD ${r}`),
    'COMMIT',
    '',
  ].join('\n')
}

const ruleOf = (text: string, table = filter): string => {
  const out = serializeRuleset(parseIptablesSave(table(text)))
  return out
    .split('\n')
    .find(
      (l) => l.startsWith('-A FORWARD') || l.startsWith('-A PREROUTING') || l.startsWith('-A POSTROUTING'),
    )!
}

describe('parseIptablesSave: every match module and target prints back as iptables-save prints it', () => {
  // [input rule, what iptables-save prints] — outputs checked against iptables v1.8.9 on Linux 6.18
  const cases: Array<[string, string]> = [
    ['-s 10.0.0.1 -j ACCEPT', '-A FORWARD -s 10.0.0.1/32 -j ACCEPT'],
    ['-d 10.0.0.0/255.255.0.0 -j DROP', '-A FORWARD -d 10.0.0.0/16 -j DROP'],
    ['! -s 10.1.2.3/8 -j RETURN', '-A FORWARD ! -s 10.0.0.0/8 -j RETURN'],
    [
      '-p tcp -i eth+ ! -o cali+ -d 1.2.3.4 -j ACCEPT',
      '-A FORWARD -d 1.2.3.4/32 -i eth+ ! -o cali+ -p tcp -j ACCEPT',
    ],
    ['-p 6 -j ACCEPT', '-A FORWARD -p tcp -j ACCEPT'],
    ['-p all -j ACCEPT', '-A FORWARD -j ACCEPT'],
    [
      '-m comment --comment "a \\"quoted\\" comment" -j ACCEPT',
      '-A FORWARD -m comment --comment "a \\"quoted\\" comment" -j ACCEPT',
    ],
    ['-m comment --comment plain -j ACCEPT', '-A FORWARD -m comment --comment plain -j ACCEPT'],
    ['-p tcp --dport 80 -j ACCEPT', '-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT'],
    [
      '-p tcp -m tcp --sport 1000:2000 ! --dport 22 -j ACCEPT',
      '-A FORWARD -p tcp -m tcp --sport 1000:2000 ! --dport 22 -j ACCEPT',
    ],
    ['-p tcp -m tcp --syn -j ACCEPT', '-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT'],
    [
      '-p tcp -m tcp ! --tcp-flags SYN,ACK ACK -j ACCEPT',
      '-A FORWARD -p tcp -m tcp ! --tcp-flags SYN,ACK ACK -j ACCEPT',
    ],
    ['-p udp -m udp --dport 53 -j ACCEPT', '-A FORWARD -p udp -m udp --dport 53 -j ACCEPT'],
    ['-p sctp -m sctp --dport 9000: -j ACCEPT', '-A FORWARD -p sctp -m sctp --dport 9000:65535 -j ACCEPT'],
    [
      '-p icmp -m icmp --icmp-type echo-request -j ACCEPT',
      '-A FORWARD -p icmp -m icmp --icmp-type 8 -j ACCEPT',
    ],
    ['-p icmp -m icmp --icmp-type 3/3 -j ACCEPT', '-A FORWARD -p icmp -m icmp --icmp-type 3/3 -j ACCEPT'],
    [
      '-p tcp -m multiport --dports 80,443,1000:2000 -j ACCEPT',
      '-A FORWARD -p tcp -m multiport --dports 80,443,1000:2000 -j ACCEPT',
    ],
    ['-p udp -m multiport ! --ports 53 -j ACCEPT', '-A FORWARD -p udp -m multiport ! --ports 53 -j ACCEPT'],
    ['-m mark --mark 0x4000/0x4000 -j ACCEPT', '-A FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT'],
    ['-m mark ! --mark 1 -j ACCEPT', '-A FORWARD -m mark ! --mark 0x1 -j ACCEPT'],
    ['-m connmark --mark 0x1/0xff -j ACCEPT', '-A FORWARD -m connmark --mark 0x1/0xff -j ACCEPT'],
    [
      '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ],
    [
      '-m conntrack ! --ctstate NEW,UNTRACKED -j ACCEPT',
      '-A FORWARD -m conntrack ! --ctstate NEW,UNTRACKED -j ACCEPT',
    ],
    [
      '-m conntrack --ctorigdst 10.0.0.1/32 --ctorigdstport 80 -j ACCEPT',
      '-A FORWARD -m conntrack --ctorigdst 10.0.0.1 --ctorigdstport 80 -j ACCEPT',
    ],
    ['-m state --state INVALID -j DROP', '-A FORWARD -m state --state INVALID -j DROP'],
    [
      '-m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT',
      '-A FORWARD -m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT',
    ],
    [
      '-m addrtype ! --dst-type BROADCAST,LOCAL -j ACCEPT',
      '-A FORWARD -m addrtype ! --dst-type LOCAL,BROADCAST -j ACCEPT',
    ],
    [
      '-m statistic --mode random --probability 0.2 -j X',
      '-A FORWARD -m statistic --mode random --probability 0.20000000019 -j X',
    ],
    [
      '-m statistic --mode random --probability 0.50000000000 -j X',
      '-A FORWARD -m statistic --mode random --probability 0.50000000000 -j X',
    ],
    [
      '-m statistic --mode nth --every 3 --packet 1 -j X',
      '-A FORWARD -m statistic --mode nth --every 3 --packet 1 -j X',
    ],
    [
      '-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j X',
      '-A FORWARD -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j X',
    ],
    [
      '-m recent --set --name A -j X',
      '-A FORWARD -m recent --set --name A --mask 255.255.255.255 --rsource -j X',
    ],
    [
      '-m set --match-set cali40s:abc src -j ACCEPT',
      '-A FORWARD -m set --match-set cali40s:abc src -j ACCEPT',
    ],
    ['-m set ! --match-set S dst,dst -j ACCEPT', '-A FORWARD -m set ! --match-set S dst,dst -j ACCEPT'],
    [
      '-m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 10.1.0.1-10.1.0.2 -j ACCEPT',
      '-A FORWARD -m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 10.1.0.1-10.1.0.2 -j ACCEPT',
    ],
    [
      '-m limit --limit 5/min --limit-burst 10 -j ACCEPT',
      '-A FORWARD -m limit --limit 5/min --limit-burst 10 -j ACCEPT',
    ],
    ['-m limit --limit 3/hour --limit-burst 5 -j ACCEPT', '-A FORWARD -m limit --limit 3/hour -j ACCEPT'],
    ['-m nfacct --nfacct-name web -j ACCEPT', '-A FORWARD -m nfacct --nfacct-name web -j ACCEPT'],
    [
      '-m physdev --physdev-in eth0 --physdev-is-bridged -j ACCEPT',
      '-A FORWARD -m physdev --physdev-in eth0 --physdev-is-bridged -j ACCEPT',
    ],
    ['-j REJECT', '-A FORWARD -j REJECT --reject-with icmp-port-unreachable'],
    ['-p tcp -j REJECT --reject-with tcp-rst', '-A FORWARD -p tcp -j REJECT --reject-with tcp-reset'],
    ['-g X', '-A FORWARD -g X'],
    ['-j X', '-A FORWARD -j X'],
    ['-j MARK --set-mark 0x10', '-A FORWARD -j MARK --set-xmark 0x10/0xffffffff'],
    ['-j MARK --or-mark 0x20', '-A FORWARD -j MARK --set-xmark 0x20/0x20'],
    ['-j MARK --and-mark 0x20', '-A FORWARD -j MARK --set-xmark 0x0/0xffffffdf'],
    ['-j MARK --xor-mark 0x4000', '-A FORWARD -j MARK --set-xmark 0x4000/0x0'],
    ['-j CONNMARK --save-mark', '-A FORWARD -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff'],
    [
      '-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff',
      '-A FORWARD -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff',
    ],
    ['-j CONNMARK --set-mark 1', '-A FORWARD -j CONNMARK --set-xmark 0x1/0xffffffff'],
    ['-j LOG --log-prefix "dropped: " --log-level 4', '-A FORWARD -j LOG --log-prefix "dropped: "'],
    ['-j LOG --log-level debug --log-uid', '-A FORWARD -j LOG --log-level 7 --log-uid'],
    ['-j NFLOG --nflog-group 5 --nflog-prefix x', '-A FORWARD -j NFLOG --nflog-prefix x --nflog-group 5'],
    ['', '-A FORWARD'],
  ]
  it.each(cases)('%s', (input, printed) => {
    expect(ruleOf(input)).toBe(printed)
  })

  const nat = (rule: string): string =>
    `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A ${rule}\nCOMMIT\n`
  const natCases: Array<[string, string]> = [
    [
      'PREROUTING -p tcp -j DNAT --to-destination 10.1.2.3:80',
      '-A PREROUTING -p tcp -j DNAT --to-destination 10.1.2.3:80',
    ],
    ['PREROUTING -j DNAT --to-destination 10.1.2.3', '-A PREROUTING -j DNAT --to-destination 10.1.2.3'],
    [
      'PREROUTING -p tcp -m tcp --dport 81 -j REDIRECT --to-ports 8080',
      '-A PREROUTING -p tcp -m tcp --dport 81 -j REDIRECT --to-ports 8080',
    ],
    ['POSTROUTING -j MASQUERADE --random-fully', '-A POSTROUTING -j MASQUERADE --random-fully'],
    [
      'POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000',
      '-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000',
    ],
    [
      'POSTROUTING -s 10.6.0.0/24 -p tcp -j SNAT --to-source 10.0.0.1-10.0.0.4:1000-2000 --persistent --random',
      '-A POSTROUTING -s 10.6.0.0/24 -p tcp -j SNAT --to-source 10.0.0.1-10.0.0.4:1000-2000 --random --persistent',
    ],
  ]
  it.each(natCases)('nat %s', (input, printed) => {
    expect(ruleOf(input, nat)).toBe(printed)
  })

  it('reads the raw targets CT and NOTRACK and TRACE', () => {
    const text =
      '*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -s 10.0.0.0/16 -j CT --notrack\n-A PREROUTING -j CT --zone 5\n-A PREROUTING -d 10.0.0.1/32 -j NOTRACK\n-A OUTPUT -j TRACE\nCOMMIT\n'
    expect(serializeRuleset(parseIptablesSave(text))).toBe(text)
  })

  it('keeps [packets:bytes] counters of chains and rules (iptables-save -c)', () => {
    const text =
      '*filter\n:INPUT ACCEPT [10:600]\n:FORWARD DROP [3:180]\n:OUTPUT ACCEPT [0:0]\n[5:300] -A INPUT -j ACCEPT\nCOMMIT\n'
    const rs = parseIptablesSave(text)
    expect(rs.tables[0].chains[1]).toMatchObject({ policy: 'DROP', counters: { packets: 3, bytes: 180 } })
    expect(rs.tables[0].chains[0].rules[0].counters).toEqual({ packets: 5, bytes: 300 })
    expect(serializeRuleset(rs, { counters: true })).toBe(text)
  })

  it('adds the built-in chains a table block leaves out, with ACCEPT policies', () => {
    const rs = parseIptablesSave('*filter\n-A FORWARD -j ACCEPT\nCOMMIT\n')
    expect(rs.tables[0].chains.map((c) => [c.name, c.policy])).toEqual([
      ['INPUT', 'ACCEPT'],
      ['FORWARD', 'ACCEPT'],
      ['OUTPUT', 'ACCEPT'],
    ])
  })
})

describe('parseIptablesSave refuses what iptables-restore refuses, with line and column', () => {
  const refuse = (text: string): InputError => {
    try {
      parseIptablesSave(text, 'dump.txt')
    } catch (e) {
      expect(e).toBeInstanceOf(InputError)
      return e as InputError
    }
    throw new Error('accepted')
  }
  const cases: Array<[string, string, number, number | undefined, RegExp]> = [
    ['an unknown match module', filter('-m nosuch --x 1 -j ACCEPT'), 6, 15, /Couldn't load match 'nosuch'/],
    [
      'an unknown option of a module',
      filter('-p tcp -m tcp --bogus 1 -j ACCEPT'),
      6,
      26,
      /unknown option "--bogus"/,
    ],
    ['a known target the model lacks', filter('-j TPROXY'), 6, 15, /unsupported target/],
    ['a jump to an undefined chain', filter('-j NOPE'), 6, 1, /Couldn't load target 'NOPE'/],
    ['a jump to a built-in chain', filter('-j INPUT'), 6, 1, /built-in chain INPUT/],
    [
      'a chain defined twice',
      filter().replace(':X - [0:0]', ':X - [0:0]\n:X - [0:0]'),
      6,
      2,
      /chain X is defined twice/,
    ],
    ['a missing COMMIT', filter('-j ACCEPT').replace('COMMIT\n', ''), 7, undefined, /has no COMMIT/],
    ['a table opened inside another', filter().replace('COMMIT', '*nat'), 6, 1, /has no COMMIT/],
    ['a rule outside a table', '-A INPUT -j ACCEPT\n', 1, 1, /outside a table/],
    [
      'a loop in chain jumps',
      filter().replace(':X - [0:0]', ':X - [0:0]\n:Y - [0:0]\n-A X -j Y\n-A Y -j X'),
      8,
      1,
      /loop in chain jumps: X -> Y -> X/,
    ],
    [
      '-o in INPUT',
      filter().replace('COMMIT', '-A INPUT -o eth0 -j ACCEPT\nCOMMIT'),
      6,
      10,
      /Can't use -o with INPUT/,
    ],
    ['a policy on a user chain', filter().replace(':X - [0:0]', ':X ACCEPT [0:0]'), 5, 4, /Can't set policy/],
    [
      'DNAT outside the nat table',
      filter('-j DNAT --to-destination 1.2.3.4'),
      6,
      1,
      /only valid in the nat table/,
    ],
    ['a port without a port protocol', filter('--dport 80 -j ACCEPT'), 6, 12, /unknown option "--dport"/],
    ['-m tcp without -p tcp', filter('-m tcp --dport 80 -j ACCEPT'), 6, 15, /-m tcp needs -p tcp/],
    ['an unterminated quote', filter('-m comment --comment "open -j ACCEPT'), 6, 33, /unterminated/],
    ['a bad address', filter('-s 10.0.0.300 -j ACCEPT'), 6, 15, /expected an IPv4 address/],
    [
      'a statistic without probability',
      filter('-m statistic --mode random -j X'),
      6,
      15,
      /needs --probability/,
    ],
    [
      'SNAT reached from PREROUTING',
      '*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:S - [0:0]\n-A PREROUTING -j S\n-A S -j SNAT --to-source 1.2.3.4\nCOMMIT\n',
      6,
      1,
      /SNAT is only valid from POSTROUTING and INPUT, but chain S is reached from PREROUTING/,
    ],
    ['an unknown table', '*bogus\nCOMMIT\n', 1, 2, /unknown table "bogus"/],
  ]
  it.each(cases)('rejects %s', (_name, text, line, column, message) => {
    const e = refuse(text)
    expect(e.message).toMatch(message)
    expect(e.source).toBe('dump.txt')
    expect(e.line).toBe(line)
    if (column !== undefined) expect(e.column).toBe(column)
  })

  it('changes nothing when a later table fails (all or nothing)', () => {
    const base = parseIptablesSave(filter('-j ACCEPT'))
    const before = serializeRuleset(base)
    expect(() => restoreRuleset(base, `${filter('-j DROP')}*nat\n-A NOPE -j ACCEPT\nCOMMIT\n`)).toThrow(
      InputError,
    )
    expect(serializeRuleset(base)).toBe(before)
  })
})

describe('restoreRuleset', () => {
  it('with noflush keeps other chains and flushes a declared user chain', () => {
    const base = parseIptablesSave(
      filter('-j X').replace('COMMIT', '-A X -j DROP\n-A INPUT -j ACCEPT\nCOMMIT'),
    )
    const { ruleset, stats } = restoreRuleset(base, '*filter\n:X - [0:0]\n-A X -j ACCEPT\nCOMMIT\n', {
      noflush: true,
    })
    const text = serializeRuleset(ruleset)
    expect(text).toContain('-A INPUT -j ACCEPT')
    expect(text).toContain('-A X -j ACCEPT')
    expect(text).not.toContain('-A X -j DROP')
    expect(stats).toMatchObject({ tables: ['filter'], chainsDeclared: 1, rulesWritten: 1 })
  })

  it('without noflush replaces the whole table', () => {
    const base = parseIptablesSave(filter('-j X'))
    const { ruleset } = restoreRuleset(base, '*filter\n:FORWARD DROP [0:0]\nCOMMIT\n')
    expect(serializeRuleset(ruleset)).toBe(
      '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n',
    )
  })

  it('applies -I, -N, -F and -X like iptables-restore', () => {
    const base = parseIptablesSave(filter('-j ACCEPT'))
    const { ruleset } = restoreRuleset(
      base,
      '*filter\n-I FORWARD -j DROP\n-N Y\n-A Y -j RETURN\n-F Y\n-X Y\n-F X\n-X X\nCOMMIT\n',
      { noflush: true },
    )
    expect(serializeRuleset(ruleset)).toBe(
      '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j DROP\n-A FORWARD -j ACCEPT\nCOMMIT\n',
    )
  })

  it('refuses to delete a chain that is still referenced', () => {
    const base = parseIptablesSave(filter('-j X'))
    expect(() => restoreRuleset(base, '*filter\n-X X\nCOMMIT\n', { noflush: true, source: 'in' })).toThrow(
      /still referenced/,
    )
  })
})
