import fc from 'fast-check'

/**
 * fast-check arbitraries of iptables-save text that iptables-restore accepts: every match module and target
 * of the codec, chains that only jump forward (no loops), NAT targets only where their hook allows them,
 * ports only with a port protocol. Set matches name the sets of `IPSETS_TEXT`.
 */
export const IPSETS_TEXT =
  'create S1 hash:ip family inet hashsize 1024 maxelem 65536\nadd S1 10.0.0.1\nadd S1 10.0.1.7\n' +
  'create S2 hash:net family inet hashsize 1024 maxelem 65536\nadd S2 10.0.0.0/24\nadd S2 10.0.0.128/25 nomatch\n' +
  'create S3 hash:ip,port family inet hashsize 1024 maxelem 65536\nadd S3 10.0.1.7,tcp:80\n' +
  'create L1 list:set size 8\nadd L1 S1\nadd L1 S2\n'

/** addresses the generated rules and packets share, so that rules do match sometimes */
export const ADDRS = ['10.0.0.1', '10.0.0.200', '10.0.1.7', '192.168.1.10', '8.8.8.8']

const addr = fc.constantFrom(...ADDRS)
const cidr = fc.tuple(addr, fc.constantFrom(8, 16, 24, 32)).map(([a, p]) => `${a}/${p}`)
const neg = fc.boolean().map((b) => (b ? '! ' : ''))
const port = fc.constantFrom(22, 53, 80, 443, 8080, 40000)
const portRange = fc.oneof(
  port.map(String),
  fc.tuple(port, port).map(([a, b]) => `${Math.min(a, b)}:${Math.max(a, b)}`),
)
const hexv = fc.integer({ min: 0, max: 0xffff }).map((n) => `0x${n.toString(16)}`)
const comment = fc
  .array(fc.constantFrom('a', 'Z', '0', ' ', '/', ':', '-', '"', '\\', "'", '>', 'é'), {
    minLength: 1,
    maxLength: 12,
  })
  .map((cs) => `"${cs.join('').replace(/["\\']/g, '\\$&')}"`)
const states = fc
  .subarray(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'], { minLength: 1 })
  .map((s) => s.join(','))

type Proto = '' | 'tcp' | 'udp' | 'sctp' | 'icmp'

function matchFor(proto: Proto, setNames: readonly string[]): fc.Arbitrary<string> {
  const common: fc.Arbitrary<string>[] = [
    comment.map((c) => `-m comment --comment ${c}`),
    fc.tuple(neg, hexv, hexv).map(([n, v, m]) => `-m mark ${n}--mark ${v}/${m}`),
    fc.tuple(neg, hexv).map(([n, v]) => `-m connmark ${n}--mark ${v}`),
    fc.tuple(neg, states).map(([n, s]) => `-m conntrack ${n}--ctstate ${s}`),
    fc.tuple(addr, port).map(([a, p]) => `-m conntrack --ctorigdst ${a} --ctorigdstport ${p}`),
    fc.tuple(neg, states).map(([n, s]) => `-m state ${n}--state ${s}`),
    fc
      .tuple(neg, fc.constantFrom('LOCAL', 'UNICAST', 'BROADCAST', 'LOCAL,MULTICAST'))
      .map(([n, t]) => `-m addrtype ${n}--dst-type ${t}`),
    fc
      .tuple(neg, fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([n, p]) => `-m statistic --mode random ${n}--probability ${p.toFixed(11)}`),
    fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.nat(4))
      .map(([e, p]) => `-m statistic --mode nth --every ${e} --packet ${p % e}`),
    fc
      .tuple(
        neg,
        fc.constantFrom('--set', '--rcheck --seconds 60', '--update --seconds 5 --hitcount 2', '--remove'),
        fc.constantFrom('R1', 'R2'),
        fc.constantFrom('--rsource', '--rdest'),
      )
      .map(([n, c, name, side]) => `-m recent ${n}${c} --name ${name} --mask 255.255.255.0 ${side}`),
    fc
      .tuple(neg, fc.constantFrom(...setNames), fc.constantFrom('src', 'dst', 'dst,dst', 'src,dst'))
      .map(([n, s, f]) => `-m set ${n}--match-set ${s} ${f}`),
    fc
      .tuple(neg, fc.constantFrom('10.0.0.1-10.0.0.9', '10.0.1.0-10.0.1.255'))
      .map(([n, r]) => `-m iprange ${n}--src-range ${r}`),
    fc
      .tuple(
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom('sec', 'min', 'hour'),
        fc.integer({ min: 1, max: 9 }),
      )
      .map(([r, u, b]) => `-m limit --limit ${r}/${u} --limit-burst ${b}`),
    fc.constant('-m nfacct --nfacct-name acct1'),
    fc
      .tuple(neg, fc.constantFrom('eth0', 'br+'))
      .map(([n, i]) => `-m physdev ${n}--physdev-in ${i} --physdev-is-bridged`),
  ]
  if (proto === 'tcp' || proto === 'udp' || proto === 'sctp') {
    common.push(
      fc
        .tuple(neg, portRange, neg, portRange)
        .map(([a, s, b, d]) => `-m ${proto} ${a}--sport ${s} ${b}--dport ${d}`),
    )
    if (proto !== 'sctp')
      common.push(
        fc
          .tuple(neg, fc.array(portRange, { minLength: 1, maxLength: 4 }))
          .map(([n, ps]) => `-m multiport ${n}--dports ${ps.join(',')}`),
      )
    if (proto === 'tcp')
      common.push(
        fc
          .tuple(neg, fc.constantFrom('--syn', '--tcp-flags SYN,ACK ACK', '--tcp-flags ALL NONE'))
          .map(([n, f]) => `-m tcp ${n}${f}`),
      )
  }
  if (proto === 'icmp')
    common.push(
      fc
        .tuple(neg, fc.constantFrom('8', '0', 'echo-request', '3/3', 'any'))
        .map(([n, t]) => `-m icmp ${n}--icmp-type ${t}`),
    )
  return fc.oneof(...common)
}

function targetFor(
  table: string,
  chain: string,
  builtin: boolean,
  proto: Proto,
  later: readonly string[],
): fc.Arbitrary<string> {
  const ported = proto === 'tcp' || proto === 'udp' || proto === 'sctp'
  const t: fc.Arbitrary<string>[] = [
    fc.constantFrom(
      '-j ACCEPT',
      '-j DROP',
      '-j RETURN',
      '',
      '-j LOG --log-prefix "x: "',
      '-j NFLOG --nflog-group 3',
    ),
  ]
  if (later.length)
    t.push(fc.tuple(fc.constantFrom('-j', '-g'), fc.constantFrom(...later)).map(([k, c]) => `${k} ${c}`))
  if (table === 'filter')
    t.push(fc.constantFrom('-j REJECT', ...(proto === 'tcp' ? ['-j REJECT --reject-with tcp-reset'] : [])))
  if (table === 'mangle' || table === 'filter' || table === 'nat')
    t.push(
      fc.tuple(hexv, hexv).map(([v, m]) => `-j MARK --set-xmark ${v}/${m}`),
      hexv.map((v) => `-j CONNMARK --set-mark ${v}`),
      fc.constantFrom('-j CONNMARK --save-mark', '-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff'),
    )
  if (table === 'raw') t.push(fc.constantFrom('-j NOTRACK', '-j CT --notrack', '-j CT --zone 3', '-j TRACE'))
  if (table === 'nat' && builtin) {
    const p = ported ? fc.constantFrom('', ':8080', ':1000-2000') : fc.constant('')
    if (chain === 'PREROUTING' || chain === 'OUTPUT') {
      t.push(fc.tuple(addr, p).map(([a, pp]) => `-j DNAT --to-destination ${a}${pp}`))
      t.push(fc.constant(ported ? '-j REDIRECT --to-ports 8080' : '-j REDIRECT'))
    }
    if (chain === 'POSTROUTING')
      t.push(
        fc.constantFrom(
          '-j MASQUERADE',
          '-j MASQUERADE --random-fully',
          ...(ported ? ['-j MASQUERADE --to-ports 1000-2000'] : []),
        ),
      )
    if (chain === 'POSTROUTING' || chain === 'INPUT')
      t.push(fc.tuple(addr, p).map(([a, pp]) => `-j SNAT --to-source ${a}${pp}`))
  }
  return fc.oneof(...t)
}

const BUILTINS: Record<string, string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
}

function ruleFor(
  table: string,
  chain: string,
  builtin: boolean,
  later: readonly string[],
  setNames: readonly string[],
): fc.Arbitrary<string> {
  return fc.constantFrom<Proto>('', 'tcp', 'udp', 'sctp', 'icmp').chain((proto) =>
    fc
      .tuple(
        fc.option(
          fc.tuple(neg, cidr).map(([n, c]) => `${n}-s ${c}`),
          { nil: '' },
        ),
        fc.option(
          fc.tuple(neg, cidr).map(([n, c]) => `${n}-d ${c}`),
          { nil: '' },
        ),
        builtin && (chain === 'OUTPUT' || chain === 'POSTROUTING')
          ? fc.constant('')
          : fc.option(
              fc.tuple(neg, fc.constantFrom('eth0', 'eth+', 'cali+', 'lo')).map(([n, i]) => `${n}-i ${i}`),
              { nil: '' },
            ),
        builtin && (chain === 'INPUT' || chain === 'PREROUTING')
          ? fc.constant('')
          : fc.option(
              fc.tuple(neg, fc.constantFrom('eth0', 'cali+')).map(([n, i]) => `${n}-o ${i}`),
              { nil: '' },
            ),
        fc.array(matchFor(proto, setNames), { maxLength: 3 }),
        targetFor(table, chain, builtin, proto, later),
        fc.option(
          fc.tuple(fc.nat(1000), fc.nat(100000)).map(([p, b]) => `[${p}:${b}] `),
          { nil: '' },
        ),
      )
      .map(([s, d, i, o, ms, t, counters]) =>
        `${counters}-A ${chain} ${[s, d, i, o, proto ? `-p ${proto}` : '', ...ms, t].filter(Boolean).join(' ')}`.trimEnd(),
      ),
  )
}

function tableText(table: string, setNames: readonly string[]): fc.Arbitrary<string> {
  return fc.integer({ min: 0, max: 3 }).chain((nUser) => {
    const users = Array.from({ length: nUser }, (_, k) => `U${k}`)
    const chains = [
      ...BUILTINS[table].map((c) => ({ c, builtin: true, later: users })),
      ...users.map((c, k) => ({ c, builtin: false, later: users.slice(k + 1) })),
    ]
    return fc
      .tuple(
        fc.tuple(...BUILTINS[table].map(() => fc.constantFrom('ACCEPT', 'DROP'))),
        // nat user chains hold no NAT targets: each NAT target is then reached only from its own hook
        fc.tuple(
          ...chains.map(({ c, builtin, later }) =>
            fc.array(ruleFor(table, c, builtin, later, setNames), { maxLength: 4 }),
          ),
        ),
      )
      .map(([policies, rules]) =>
        [
          `*${table}`,
          ...BUILTINS[table].map((c, k) => `:${c} ${table === 'nat' ? 'ACCEPT' : policies[k]} [0:0]`),
          ...users.map((u) => `:${u} - [0:0]`),
          ...rules.flat(),
          'COMMIT',
        ].join('\n'),
      )
  })
}

/** A whole dump: some of the four tables, in random order. */
export function arbDump(setNames: readonly string[] = ['S1', 'S2', 'S3', 'L1']): fc.Arbitrary<string> {
  return fc
    .shuffledSubarray(['raw', 'mangle', 'nat', 'filter'], { minLength: 1 })
    .chain((tables) => fc.tuple(...tables.map((t) => tableText(t, setNames))))
    .map((ts) => `${ts.join('\n')}\n`)
}
