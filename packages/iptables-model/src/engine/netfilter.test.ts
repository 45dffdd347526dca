import { type Packet, parsePacket, replyOf } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { parseIptablesSave } from '../codec/parse'
import { serializeRuleset } from '../codec/serialize'
import { parseIpsetSave } from '../ipset/parse'
import { Netfilter, type NetfilterOptions } from './netfilter'

const NODE = { localIps: ['192.168.1.10'], podCidrs: ['10.244.1.0/24'] }
const pkt = (s: string, flags?: string[]): Packet => ({
  ...parsePacket(s),
  ...(flags ? { tcpFlags: flags } : {}),
})
/** outside → a pod on this node: crosses PREROUTING, FORWARD, POSTROUTING */
const IN = 'tcp 192.168.5.5:40000 -> 10.244.1.5:80'

function table(name: string, chains: string[], rules: string[]): string {
  return [`*${name}`, ...chains, ...rules, 'COMMIT', ''].join('\n')
}
const FILTER_CHAINS = [
  ':INPUT ACCEPT [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':X - [0:0]',
  ':Y - [0:0]',
]
const filter = (...rules: string[]): string => table('filter', FILTER_CHAINS, rules)
const NAT_CHAINS = [
  ':PREROUTING ACCEPT [0:0]',
  ':INPUT ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':POSTROUTING ACCEPT [0:0]',
]
const nat = (...rules: string[]): string => table('nat', NAT_CHAINS, rules)
const raw = (...rules: string[]): string =>
  table('raw', [':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'], rules)
const make = (text: string, opts?: NetfilterOptions): Netfilter =>
  new Netfilter(parseIptablesSave(text), NODE, opts)

describe('Netfilter.classify: each match module, on a FORWARD rule ending in DROP', () => {
  const ipsets = parseIpsetSave(
    'create S hash:ip family inet\nadd S 192.168.5.5\ncreate P hash:ip,port family inet\nadd P 10.244.1.5,tcp:80\ncreate N hash:net family inet\nadd N 192.168.0.0/16\nadd N 192.168.5.0/24 nomatch\ncreate L list:set\nadd L S\n',
  )
  // [rule, packet, matches?]
  const cases: Array<[string, string, boolean]> = [
    ['-s 192.168.5.5', IN, true],
    ['-s 192.168.5.0/24', IN, true],
    ['! -s 192.168.5.0/24', IN, false],
    ['-d 10.244.2.0/24', IN, false],
    ['! -d 10.244.2.0/24', IN, true],
    ['-p tcp', IN, true],
    ['-p udp', IN, false],
    ['! -p udp', IN, true],
    ['-i eth+', IN, true],
    ['-i eth1', IN, false],
    ['-o cali+', IN, true],
    ['! -o cali0af40105', IN, false],
    ['-p tcp -m tcp --dport 79:81', IN, true],
    ['-p tcp -m tcp ! --dport 80', IN, false],
    ['-p tcp -m tcp --sport 40000 --dport 80', IN, true],
    ['-p tcp -m tcp --syn', IN, true],
    ['-p tcp -m tcp ! --syn', IN, false],
    ['-p udp -m udp --dport 53', 'udp 192.168.5.5:1000 -> 10.244.1.5:53', true],
    ['-p sctp -m sctp --dport 9000:9999', 'sctp 192.168.5.5:1000 -> 10.244.1.5:9000', true],
    ['-p icmp -m icmp --icmp-type echo-request', 'icmp 192.168.5.5 -> 10.244.1.5', true],
    ['-p icmp -m icmp --icmp-type echo-reply', 'icmp 192.168.5.5 -> 10.244.1.5', false],
    ['-p tcp -m multiport --dports 22,79:80', IN, true],
    ['-p tcp -m multiport ! --ports 22,443', IN, true],
    ['-p tcp -m multiport --sports 22', IN, false],
    ['-m conntrack --ctstate NEW', IN, true],
    ['-m conntrack --ctstate ESTABLISHED', IN, false],
    ['-m conntrack --ctorigdst 10.244.1.5 --ctorigdstport 80', IN, true],
    ['-m conntrack --ctorigsrc 10.0.0.0/8', IN, false],
    ['-m conntrack --ctdir ORIGINAL', IN, true],
    ['-m state --state NEW', IN, true],
    ['-m state ! --state NEW', IN, false],
    ['-m addrtype --dst-type LOCAL', IN, false],
    ['-m addrtype --dst-type UNICAST', IN, true],
    ['-m iprange --src-range 192.168.5.1-192.168.5.9', IN, true],
    ['-m iprange ! --dst-range 10.244.1.1-10.244.1.9', IN, false],
    ['-m set --match-set S src', IN, true],
    ['-m set ! --match-set S src', IN, false],
    ['-m set --match-set S dst', IN, false],
    ['-m set --match-set P dst,dst', IN, true],
    ['-m set --match-set P dst,src', IN, false],
    ['-m set --match-set N src', IN, false],
    ['-m set --match-set L src', IN, true],
    ['-m comment --comment "any packet"', IN, true],
    ['-m nfacct --nfacct-name web', IN, true],
    ['-m limit --limit 1/min --limit-burst 1', IN, true],
    ['-m physdev --physdev-is-bridged', IN, false],
    ['-m physdev ! --physdev-is-bridged', IN, true],
    ['-m mark --mark 0x0', IN, true],
    ['-m connmark ! --mark 0x1', IN, true],
    ['-m statistic --mode random --probability 1', IN, true],
    ['-m statistic --mode random --probability 0', IN, false],
    ['-m recent --rcheck --name never --rsource', IN, false],
    ['-m recent --set --name a --rsource', IN, true],
  ]
  it.each(cases)('%s on %s: match %s', (rule, packet, hit) => {
    const t = make(filter(`-A FORWARD ${rule} -j DROP`), { ipsets }).classify(pkt(packet))
    expect(t.verdict).toBe(hit ? 'drop' : 'forward')
  })

  it('limit stops matching after its burst and refills with time', () => {
    const nf = make(filter('-A FORWARD -m limit --limit 1/min --limit-burst 2 -j DROP'))
    const v = (): string => nf.classify(pkt(IN), { steps: false }).verdict
    expect([v(), v(), v()]).toEqual(['drop', 'drop', 'forward'])
    nf.tick(60)
    expect(v()).toBe('drop')
  })

  it('statistic --mode nth matches every nth packet from --packet', () => {
    const nf = make(filter('-A FORWARD -m statistic --mode nth --every 3 --packet 1 -j DROP'))
    const got = Array.from(
      { length: 6 },
      (_, k) => nf.classify(pkt(`tcp 192.168.5.5:${4000 + k} -> 10.244.1.5:80`)).verdict,
    )
    expect(got).toEqual(['forward', 'drop', 'forward', 'forward', 'drop', 'forward'])
  })

  it('recent --rcheck --seconds sees an address --set earlier until it times out', () => {
    const nf = make(
      filter(
        '-A FORWARD -m recent --rcheck --seconds 10 --name aff --rsource -j DROP',
        '-A FORWARD -m recent --set --name aff --rsource',
      ),
    )
    expect(nf.classify(pkt(IN)).verdict).toBe('forward')
    nf.tick(5)
    expect(nf.classify(pkt('tcp 192.168.5.5:40001 -> 10.244.1.5:80')).verdict).toBe('drop')
    nf.tick(20)
    expect(nf.classify(pkt('tcp 192.168.5.5:40002 -> 10.244.1.5:80')).verdict).toBe('forward')
  })
})

describe('Netfilter.classify: targets, chains and policies', () => {
  it('ACCEPT ends the table, DROP and REJECT end the packet with a reason', () => {
    expect(make(filter('-A FORWARD -j ACCEPT', '-A FORWARD -j DROP')).classify(pkt(IN)).verdict).toBe(
      'forward',
    )
    const d = make(filter('-A FORWARD -p tcp -j DROP')).classify(pkt(IN))
    expect(d).toMatchObject({ verdict: 'drop', reason: 'dropped by filter:FORWARD rule 1 (DROP)' })
    const r = make(filter('-A FORWARD -p tcp -j REJECT --reject-with tcp-reset')).classify(pkt(IN))
    expect(r).toMatchObject({ verdict: 'reject', reason: expect.stringContaining('tcp-reset') })
  })

  it('applies the policy of the built-in chain when no rule decides', () => {
    const t = make(filter().replace(':FORWARD ACCEPT', ':FORWARD DROP')).classify(pkt(IN))
    expect(t).toMatchObject({ verdict: 'drop', reason: 'policy DROP of filter:FORWARD' })
  })

  it('returns from a jumped-to chain to the next rule, but from a goto to the caller of the caller', () => {
    const jump = make(filter('-A FORWARD -j X', '-A FORWARD -j DROP', '-A X -j RETURN'))
    expect(jump.classify(pkt(IN)).verdict).toBe('drop')
    const goto = make(filter('-A FORWARD -g X', '-A FORWARD -j DROP', '-A X -j RETURN'))
    expect(goto.classify(pkt(IN)).verdict).toBe('forward')
    // falling off the end of a user chain is a RETURN
    const falls = make(filter('-A FORWARD -j X', '-A FORWARD -j DROP', '-A X -p udp -j ACCEPT'))
    expect(falls.classify(pkt(IN)).verdict).toBe('drop')
    // a goto out of a jumped-to chain returns to the jumping chain
    const nested = make(filter('-A FORWARD -j X', '-A FORWARD -j DROP', '-A X -g Y', '-A Y -j RETURN'))
    expect(nested.classify(pkt(IN)).verdict).toBe('drop')
  })

  it('RETURN in a built-in chain applies its policy', () => {
    const t = make(
      filter('-A FORWARD -j RETURN', '-A FORWARD -j ACCEPT').replace(':FORWARD ACCEPT', ':FORWARD DROP'),
    ).classify(pkt(IN))
    expect(t.verdict).toBe('drop')
  })

  it('numbers steps as iptables -L --line-numbers and prints rules as iptables-save does', () => {
    const t = make(
      filter('-A FORWARD -p udp -j ACCEPT', '-A FORWARD -d 10.244.1.5 -j X', '-A X -j ACCEPT'),
    ).classify(pkt(IN))
    const walked = t.steps
      .filter((s) => s.index !== undefined)
      .map((s) => [s.where, s.index, s.outcome, s.text])
    expect(walked).toEqual([
      ['filter:FORWARD', 1, 'no-match', '-A FORWARD -p udp -j ACCEPT'],
      ['filter:FORWARD', 2, 'match', '-A FORWARD -d 10.244.1.5/32 -j X'],
      ['filter:X', 1, 'match', '-A X -j ACCEPT'],
    ])
    expect(t.cost.counts).toMatchObject({ 'ipt.rule': 3, 'ipt.chain': 2, 'ct.lookup': 1, 'ct.create': 1 })
    expect(t.cost.ns).toBeGreaterThan(0)
  })

  it('MARK computes (mark & ~mask) ^ value for every form', () => {
    const marks: Array<[string, string]> = [
      ['--set-xmark 0x10/0xff', '0x10/0xffffffff'],
      ['--set-mark 0x5', '0x5'],
      ['--or-mark 0x6', '0x6'],
      ['--xor-mark 0x3', '0x3'],
    ]
    for (const [set, want] of marks) {
      const nf = make(filter(`-A FORWARD -j MARK ${set}`, `-A FORWARD -m mark --mark ${want} -j DROP`))
      expect(nf.classify(pkt(IN)).verdict, set).toBe('drop')
    }
    const and = make(
      filter(
        '-A FORWARD -j MARK --set-mark 0xff',
        '-A FORWARD -j MARK --and-mark 0x0f',
        '-A FORWARD -m mark --mark 0xf -j DROP',
      ),
    )
    expect(and.classify(pkt(IN)).verdict).toBe('drop')
  })

  it('CONNMARK saves the packet mark on the connection and restores it on later packets', () => {
    const nf = make(
      filter(
        '-A FORWARD -j CONNMARK --restore-mark',
        '-A FORWARD -m mark --mark 0x7 -j DROP',
        '-A FORWARD -j MARK --set-mark 0x7',
        '-A FORWARD -j CONNMARK --save-mark',
      ),
    )
    expect(nf.classify(pkt(IN)).verdict).toBe('forward')
    expect(nf.classify(pkt(IN, ['ACK'])).verdict).toBe('drop')
  })

  it('LOG, NFLOG and TRACE let the packet continue', () => {
    const nf = make(
      raw('-A PREROUTING -j TRACE') +
        filter('-A FORWARD -j LOG --log-prefix x', '-A FORWARD -j NFLOG', '-A FORWARD -j DROP'),
    )
    expect(nf.classify(pkt(IN)).verdict).toBe('drop')
  })
})

describe('Netfilter.classify: conntrack and NAT', () => {
  const dnat = nat(
    '-A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.1.5:8080',
  )
  const SVC = 'tcp 192.168.5.5:40000 -> 10.96.0.10:80'

  it('binds DNAT at the first packet and reverses it on the reply', () => {
    const nf = make(
      dnat +
        filter(
          '-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT',
          '-A FORWARD -m conntrack --ctstate NEW -j ACCEPT',
        ),
    )
    const first = nf.classify(pkt(SVC))
    expect(first).toMatchObject({
      verdict: 'forward',
      dnat: { ip: '10.244.1.5', port: 8080 },
      candidates: [{ ip: '10.244.1.5', port: 8080, probability: 1 }],
    })
    expect(nf.conntrack.size).toBe(1)
    const reply = nf.classify(pkt('tcp 10.244.1.5:8080 -> 192.168.5.5:40000', ['SYN', 'ACK']))
    expect(reply).toMatchObject({ verdict: 'forward', snat: '10.96.0.10', masquerade: false })
    expect(reply.steps.find((s) => s.where === 'conntrack')).toMatchObject({
      outcome: 'hit',
      detail: 'ESTABLISHED',
    })
    // established packets skip the nat table but keep the binding
    const again = nf.classify(pkt(SVC, ['ACK']))
    expect(again.dnat).toEqual({ ip: '10.244.1.5', port: 8080 })
    expect(again.steps.some((s) => s.where.startsWith('nat:'))).toBe(false)
    expect(serializeRuleset(nf.counters(), { counters: true })).toContain(
      '[1:60] -A PREROUTING -d 10.96.0.10/32',
    )
  })

  it('MASQUERADE rewrites the source to the node and un-SNATs the reply', () => {
    const nf = make(nat('-A POSTROUTING -s 10.244.1.0/24 ! -d 10.244.0.0/16 -j MASQUERADE'))
    const out = nf.classify(pkt('tcp 10.244.1.5:5000 -> 8.8.8.8:53'))
    expect(out).toMatchObject({
      verdict: 'forward',
      masquerade: true,
      snat: '192.168.1.10',
      outInterface: 'eth0',
    })
    const back = nf.classify(pkt('tcp 8.8.8.8:53 -> 192.168.1.10:5000', ['SYN', 'ACK']))
    expect(back).toMatchObject({
      verdict: 'forward',
      dnat: { ip: '10.244.1.5', port: 5000 },
      outInterface: 'cali0af40105',
    })
  })

  it('SNAT to a given address', () => {
    const nf = make(nat('-A POSTROUTING -p tcp -j SNAT --to-source 192.168.1.99:1000-2000'))
    expect(nf.classify(pkt('tcp 10.244.1.5:5000 -> 8.8.8.8:53'))).toMatchObject({
      snat: '192.168.1.99',
      masquerade: true,
    })
  })

  it('REDIRECT sends the packet to the node itself', () => {
    const nf = make(nat('-A PREROUTING -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080'))
    expect(nf.classify(pkt(IN))).toMatchObject({ verdict: 'local', dnat: { ip: '192.168.1.10', port: 8080 } })
  })

  it('NOTRACK and CT --notrack leave the packet UNTRACKED: no entry, no nat', () => {
    for (const t of ['NOTRACK', 'CT --notrack']) {
      const nf = make(
        raw(`-A PREROUTING -j ${t}`) + dnat + filter('-A FORWARD -m conntrack --ctstate UNTRACKED -j DROP'),
      )
      const trace = nf.classify(pkt(SVC))
      expect(trace.verdict, t).toBe('drop')
      expect(trace.dnat).toBeNull()
      expect(trace.cost.counts['ct.lookup']).toBe(0)
      expect(nf.conntrack.size).toBe(0)
    }
  })

  it('CT --zone keeps connections of different zones apart', () => {
    const nf = make(raw('-A PREROUTING -p tcp -m tcp --sport 1 -j CT --zone 2'))
    nf.classify(pkt('tcp 192.168.5.5:1 -> 10.244.1.5:80'))
    nf.classify(pkt('tcp 192.168.5.5:2 -> 10.244.1.5:80'))
    expect(
      nf.conntrack
        .entries()
        .map((e) => e.zone)
        .sort(),
    ).toEqual([0, 2])
  })

  it('a dropped first packet creates no entry; RELATED can be asked for', () => {
    const nf = make(filter('-A FORWARD -m conntrack --ctstate RELATED -j ACCEPT', '-A FORWARD -j DROP'))
    expect(nf.classify(pkt(IN)).verdict).toBe('drop')
    expect(nf.conntrack.size).toBe(0)
    expect(nf.classify(pkt(IN), { related: true }).verdict).toBe('forward')
  })

  it('counters equal what iptables-save -c shows after the same packets', () => {
    const text = filter('-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT', '-A FORWARD -p udp -j DROP').replace(
      ':FORWARD ACCEPT',
      ':FORWARD DROP',
    )
    const nf = make(text)
    nf.classify(pkt(IN), { length: 60 })
    nf.classify(pkt(IN, ['ACK']), { length: 52 })
    nf.classify(pkt('udp 192.168.5.5:1 -> 10.244.1.5:53'), { length: 100 })
    nf.classify(pkt('tcp 192.168.5.5:1 -> 10.244.1.5:22'), { length: 60 })
    expect(serializeRuleset(nf.counters(), { counters: true })).toBe(
      [
        '*filter',
        ':INPUT ACCEPT [0:0]',
        ':FORWARD DROP [1:60]',
        ':OUTPUT ACCEPT [0:0]',
        ':X - [0:0]',
        ':Y - [0:0]',
        '[2:112] -A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT',
        '[1:100] -A FORWARD -p udp -j DROP',
        'COMMIT',
        '',
      ].join('\n'),
    )
  })

  it("sends the node's own packets through OUTPUT, and to itself back in through lo to INPUT", () => {
    const nf = make(
      filter('-A OUTPUT -d 8.8.8.8 -j DROP', '-A INPUT -i lo -j ACCEPT', '-A INPUT -j DROP') +
        nat('-A OUTPUT -d 10.96.0.10 -p tcp -j DNAT --to-destination 192.168.1.10:6443'),
    )
    expect(nf.classify(pkt('tcp 192.168.1.10:1000 -> 8.8.8.8:53')).verdict).toBe('drop')
    expect(nf.classify(pkt('tcp 192.168.1.10:1000 -> 10.96.0.10:443'))).toMatchObject({
      verdict: 'local',
      dnat: { ip: '192.168.1.10', port: 6443 },
    })
    expect(nf.classify(pkt('tcp 192.168.5.5:1000 -> 192.168.1.10:22')).verdict).toBe('drop')
  })

  it('takes the source kind from the address unless told', () => {
    const nf = make(filter('-A FORWARD -i cali+ -j DROP'))
    expect(nf.classify(pkt('tcp 10.244.1.7:1 -> 10.244.1.5:80')).verdict).toBe('drop')
    expect(nf.classify(pkt('tcp 10.244.1.7:2 -> 10.244.1.5:80'), { sourceKind: 'outside' }).verdict).toBe(
      'forward',
    )
  })
})

describe('Netfilter: statistic, enumerate and session affinity', () => {
  const svc = nat(
    '-A PREROUTING -d 10.96.0.10/32 -p tcp -j KUBE-SVC',
    '-A KUBE-SVC -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-1',
    '-A KUBE-SVC -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-2',
    '-A KUBE-SVC -j KUBE-SEP-3',
    ...[1, 2, 3].map((k) => `-A KUBE-SEP-${k} -p tcp -j DNAT --to-destination 10.244.1.${k}:80`),
  ).replace(
    ':POSTROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]\n:KUBE-SVC - [0:0]\n:KUBE-SEP-1 - [0:0]\n:KUBE-SEP-2 - [0:0]\n:KUBE-SEP-3 - [0:0]',
  )

  it('enumerate lists every endpoint with kube-proxy’s equal probabilities and changes nothing', () => {
    const nf = make(svc)
    const t = nf.classify(pkt('tcp 192.168.5.5:1 -> 10.96.0.10:80'), { enumerate: true })
    expect(t.outcomes).toHaveLength(3)
    expect(t.outcomes!.reduce((s, o) => s + o.probability, 0)).toBeCloseTo(1, 9)
    for (const c of t.candidates) expect(c.probability).toBeCloseTo(1 / 3, 6)
    expect(nf.conntrack.size).toBe(0)
    expect(serializeRuleset(nf.counters(), { counters: true })).not.toMatch(/\[[1-9]/)
  })

  it('seeded draws are reproducible and follow the probabilities', () => {
    const draw = (seed: number): string[] => {
      const nf = make(svc, { seed })
      return Array.from(
        { length: 300 },
        (_, k) => nf.classify(pkt(`tcp 192.168.5.5:${k + 1} -> 10.96.0.10:80`), { steps: false }).dnat!.ip,
      )
    }
    expect(draw(7)).toEqual(draw(7))
    const counts = new Map<string, number>()
    for (const ip of draw(3)) counts.set(ip, (counts.get(ip) ?? 0) + 1)
    for (const n of counts.values()) expect(n).toBeGreaterThan(70)
  })

  it('ClientIP affinity with recent sends later connections to the same endpoint', () => {
    const aff = nat(
      '-A PREROUTING -d 10.96.0.10/32 -p tcp -j KUBE-SVC',
      '-A KUBE-SVC -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-1 --mask 255.255.255.255 --rsource -j KUBE-SEP-1',
      '-A KUBE-SVC -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-2 --mask 255.255.255.255 --rsource -j KUBE-SEP-2',
      '-A KUBE-SVC -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-1',
      '-A KUBE-SVC -j KUBE-SEP-2',
      '-A KUBE-SEP-1 -p tcp -m recent --set --name KUBE-SEP-1 --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.244.1.1:80',
      '-A KUBE-SEP-2 -p tcp -m recent --set --name KUBE-SEP-2 --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.244.1.2:80',
    ).replace(
      ':POSTROUTING ACCEPT [0:0]',
      ':POSTROUTING ACCEPT [0:0]\n:KUBE-SVC - [0:0]\n:KUBE-SEP-1 - [0:0]\n:KUBE-SEP-2 - [0:0]',
    )
    const nf = make(aff, { seed: 11 })
    const first = nf.classify(pkt('tcp 192.168.5.5:1 -> 10.96.0.10:80')).dnat!.ip
    for (let k = 2; k < 30; k++)
      expect(nf.classify(pkt(`tcp 192.168.5.5:${k} -> 10.96.0.10:80`), { steps: false }).dnat!.ip).toBe(first)
    const e = nf.classify(pkt('tcp 192.168.5.5:99 -> 10.96.0.10:80'), { enumerate: true })
    expect(e.candidates).toEqual([{ ip: first, port: 80, probability: 1 }])
  })
})

describe('Netfilter.load', () => {
  it('swaps tables atomically and keeps conntrack entries', () => {
    const nf = make(filter('-A FORWARD -j ACCEPT'))
    nf.classify(pkt(IN))
    nf.classify(replyOf(pkt(IN)))
    expect(() =>
      nf.load(parseIptablesSave(filter('-A FORWARD -m set --match-set NOPE src -j DROP'))),
    ).toThrow(/Set NOPE/)
    expect(nf.classify(pkt('tcp 192.168.5.5:2 -> 10.244.1.5:80')).verdict).toBe('forward')
    nf.load(parseIptablesSave(filter('-A FORWARD -m conntrack --ctstate NEW -j DROP')))
    expect(nf.classify(pkt(IN, ['ACK'])).verdict).toBe('forward')
    expect(nf.classify(pkt('tcp 192.168.5.5:3 -> 10.244.1.5:80')).verdict).toBe('drop')
    expect(nf.conntrack.size).toBe(2)
  })
})
