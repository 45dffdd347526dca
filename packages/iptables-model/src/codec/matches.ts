import type {
  AddrMatch,
  IfaceMatch,
  MarkMatch,
  Match,
  MatchModule,
  PortMatch,
  PortRange,
  StateSet,
} from '../ruleset/types'
import type { Args } from './args'
import { saveString } from './tokenize'
import {
  canonicalProtocol,
  formatAddrMaskShort,
  formatIp,
  formatPortRange,
  hex,
  parseAddrMask,
  parseIp,
  parsePortRange,
  parseUint,
  parseValueMask,
  protocolNumber,
} from './values'

/**
 * The match modules (`-m NAME --opt ...`): how each reads its options and how iptables-save prints it. The
 * print order and normalisation follow each extension's `save` function in iptables' `extensions/libxt_*.c`
 * (e.g. `--syn` prints as `--tcp-flags FIN,SYN,RST,ACK SYN`, `--ctorigdst` drops `/32`).
 */
export interface MatchSpec {
  create(): Match
  /** consumes option `opt` (already read, `!` before it in `invert`) and returns true, or false if not ours */
  option(m: Match, opt: string, invert: boolean, a: Args): boolean
  /** checks that need the whole match (a required option), with the protocol of the rule */
  finish?(m: Match, protocol: string, a: Args, at: number): void
  save(m: Match): string
}

type Ported = PortRange & { invert: boolean }
const neg = (invert: boolean): string => (invert ? ' !' : '')

function portRange(a: Args, opt: string, invert: boolean): Ported {
  const v = a.value(opt, 'a port or PORT:PORT')
  const r = parsePortRange(v, ':')
  if (!r) a.fail(`${opt}: expected a port or port range, got ${JSON.stringify(v)}`)
  return { ...r, invert }
}

const savePort = (opt: string, p: Ported | undefined): string =>
  p ? `${neg(p.invert)} ${opt} ${formatPortRange(p, ':')}` : ''

const TCP_FLAGS: ReadonlyArray<[string, number]> = [
  ['FIN', 1],
  ['SYN', 2],
  ['RST', 4],
  ['PSH', 8],
  ['ACK', 16],
  ['URG', 32],
]

function parseTcpFlags(a: Args, v: string): number {
  if (v === 'ALL') return 0x3f
  if (v === 'NONE') return 0
  let bits = 0
  for (const name of v.split(',')) {
    const f = TCP_FLAGS.find(([n]) => n === name.toUpperCase())
    if (!f) a.fail(`--tcp-flags: unknown flag ${JSON.stringify(name)}`)
    bits |= f[1]
  }
  return bits
}

function formatTcpFlags(bits: number): string {
  const names = TCP_FLAGS.filter(([, b]) => bits & b).map(([n]) => n)
  return names.length ? names.join(',') : 'NONE'
}

function portSpec(module: 'tcp' | 'udp' | 'sctp'): MatchSpec {
  return {
    create: () => ({ module }),
    option(m: Match, opt: string, invert: boolean, a: Args) {
      const p = m as PortMatch
      if (opt === '--sport' || opt === '--source-port') p.sport = portRange(a, opt, invert)
      else if (opt === '--dport' || opt === '--destination-port') p.dport = portRange(a, opt, invert)
      else if (module === 'tcp' && opt === '--syn') p.tcpFlags = { mask: 0x17, comp: 0x02, invert }
      else if (module === 'tcp' && opt === '--tcp-flags') {
        const mask = parseTcpFlags(a, a.value(opt, 'MASK COMP'))
        const comp = parseTcpFlags(a, a.value(opt, 'MASK COMP'))
        p.tcpFlags = { mask, comp, invert }
      } else return false
      return true
    },
    finish(_m: Match, protocol: string, a: Args, at: number) {
      if (protocol !== module) a.fail(`-m ${module} needs -p ${module}`, at)
    },
    save(m) {
      const p = m as PortMatch
      let s = savePort('--sport', p.sport) + savePort('--dport', p.dport)
      if (p.tcpFlags)
        s += `${neg(p.tcpFlags.invert)} --tcp-flags ${formatTcpFlags(p.tcpFlags.mask)} ${formatTcpFlags(p.tcpFlags.comp)}`
      return s
    },
  }
}

/** ICMP type names libxt_icmp accepts: [name, type, codeLo, codeHi]. */
const ICMP_TYPES: ReadonlyArray<[string, number, number, number]> = [
  ['any', 255, 0, 255],
  ['echo-reply', 0, 0, 255],
  ['pong', 0, 0, 255],
  ['destination-unreachable', 3, 0, 255],
  ['network-unreachable', 3, 0, 0],
  ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3],
  ['fragmentation-needed', 3, 4, 4],
  ['source-quench', 4, 0, 255],
  ['redirect', 5, 0, 255],
  ['echo-request', 8, 0, 255],
  ['ping', 8, 0, 255],
  ['router-advertisement', 9, 0, 255],
  ['router-solicitation', 10, 0, 255],
  ['time-exceeded', 11, 0, 255],
  ['ttl-exceeded', 11, 0, 255],
  ['parameter-problem', 12, 0, 255],
  ['timestamp-request', 13, 0, 255],
  ['timestamp-reply', 14, 0, 255],
]

const icmpSpec: MatchSpec = {
  create: () => ({ module: 'icmp', type: 255, codeLo: 0, codeHi: 255, invert: false }),
  option(m: Match, opt: string, invert: boolean, a: Args) {
    if (opt !== '--icmp-type') return false
    const p = m as Extract<Match, { module: 'icmp' }>
    const v = a.value(opt, 'a type[/code] or name')
    const named = ICMP_TYPES.find(([n]) => n === v)
    if (named) [, p.type, p.codeLo, p.codeHi] = named
    else {
      const slash = v.indexOf('/')
      const type = parseUint(v, 0, slash < 0 ? v.length : slash)
      const code = slash < 0 ? -2 : parseUint(v, slash + 1)
      if (type < 0 || type > 255 || code === -1 || code > 255)
        a.fail(`--icmp-type: expected a type[/code] or name, got ${JSON.stringify(v)}`)
      p.type = type
      p.codeLo = Math.max(code, 0)
      p.codeHi = code < 0 ? 255 : code
    }
    p.invert = invert
    return true
  },
  finish(_m: Match, protocol: string, a: Args, at: number) {
    if (protocol !== 'icmp') a.fail('-m icmp needs -p icmp', at)
  },
  save(m) {
    const p = m as Extract<Match, { module: 'icmp' }>
    const t =
      p.type === 255 ? 'any' : p.codeLo === 0 && p.codeHi === 255 ? String(p.type) : `${p.type}/${p.codeLo}`
    return `${neg(p.invert)} --icmp-type ${t}`
  },
}

const multiportSpec: MatchSpec = {
  create: () => ({ module: 'multiport', dir: 'ports', ports: [], invert: false }),
  option(m: Match, opt: string, invert: boolean, a: Args) {
    const p = m as Extract<Match, { module: 'multiport' }>
    const dir =
      opt === '--dports' || opt === '--destination-ports'
        ? 'dports'
        : opt === '--sports' || opt === '--source-ports'
          ? 'sports'
          : opt === '--ports'
            ? 'ports'
            : null
    if (!dir) return false
    const v = a.value(opt, 'a comma-separated port list')
    const ports: PortRange[] = []
    for (const part of v.split(',')) {
      const r = parsePortRange(part, ':')
      if (!r) a.fail(`${opt}: expected ports, got ${JSON.stringify(part)}`)
      ports.push(r)
    }
    if (ports.length > 15) a.fail(`${opt}: too many ports specified (at most 15)`)
    p.dir = dir
    p.ports = ports
    p.invert = invert
    return true
  },
  finish(m: Match, protocol: string, a: Args, at: number) {
    if ((m as Extract<Match, { module: 'multiport' }>).ports.length === 0)
      a.fail('-m multiport needs --dports, --sports or --ports', at)
    if (!['tcp', 'udp', 'sctp', 'dccp', 'udplite'].includes(protocol))
      a.fail("multiport needs '-p tcp', '-p udp', '-p udplite', '-p sctp' or '-p dccp'", at)
  },
  save(m) {
    const p = m as Extract<Match, { module: 'multiport' }>
    return `${neg(p.invert)} --${p.dir} ${p.ports.map((r) => formatPortRange(r, ':')).join(',')}`
  },
}

function markSpec(module: 'mark' | 'connmark'): MatchSpec {
  return {
    create: () => ({ module, value: 0, mask: 0xffffffff, invert: false }),
    option(m: Match, opt: string, invert: boolean, a: Args) {
      if (opt !== '--mark') return false
      const p = m as MarkMatch
      const v = a.value(opt, 'VALUE[/MASK]')
      const vm = parseValueMask(v)
      if (!vm) a.fail(`--mark: expected VALUE[/MASK], got ${JSON.stringify(v)}`)
      ;[p.value, p.mask] = vm
      p.invert = invert
      return true
    },
    save(m) {
      const p = m as MarkMatch
      return `${neg(p.invert)} --mark ${hex(p.value)}${p.mask === 0xffffffff ? '' : `/${hex(p.mask)}`}`
    },
  }
}

/** State names in the order libxt_conntrack prints them, with their CT_* bits. */
export const CT_STATE_NAMES: ReadonlyArray<[string, number]> = [
  ['INVALID', 8],
  ['NEW', 1],
  ['RELATED', 4],
  ['ESTABLISHED', 2],
  ['UNTRACKED', 16],
  ['SNAT', 32],
  ['DNAT', 64],
]

function stateSet(a: Args, opt: string, invert: boolean, names: ReadonlyArray<[string, number]>): StateSet {
  const v = a.value(opt, 'a comma-separated list')
  let mask = 0
  for (const name of v.split(',')) {
    const s = names.find(([n]) => n === name.toUpperCase())
    if (!s) a.fail(`${opt}: unknown value ${JSON.stringify(name)}`)
    mask |= s[1]
  }
  return { mask, invert }
}

const formatSet = (s: StateSet, names: ReadonlyArray<[string, number]>): string =>
  names
    .filter(([, b]) => s.mask & b)
    .map(([n]) => n)
    .join(',')

function addr(a: Args, opt: string, invert: boolean): AddrMatch {
  const v = a.value(opt, 'an address[/mask]')
  const am = parseAddrMask(v)
  if (!am) a.fail(`${opt}: expected an IPv4 address[/mask], got ${JSON.stringify(v)}`)
  return { addr: am[0], mask: am[1], invert }
}

const CT_ADDR = ['ctorigsrc', 'ctorigdst', 'ctreplsrc', 'ctrepldst'] as const
const CT_PORT = ['ctorigsrcport', 'ctorigdstport', 'ctreplsrcport', 'ctrepldstport'] as const

const conntrackSpec: MatchSpec = {
  create: () => ({ module: 'conntrack' }),
  option(m: Match, opt: string, invert: boolean, a: Args) {
    const p = m as Extract<Match, { module: 'conntrack' }>
    const key = opt.slice(2)
    if (opt === '--ctstate') p.ctstate = stateSet(a, opt, invert, CT_STATE_NAMES)
    else if (opt === '--ctproto') {
      const v = a.value(opt, 'a protocol')
      const name = canonicalProtocol(v)
      if (name === null || name === '') return a.fail(`--ctproto: unknown protocol ${JSON.stringify(v)}`)
      p.ctproto = { proto: protocolNumber(name), invert }
    } else if ((CT_ADDR as readonly string[]).includes(key))
      p[key as (typeof CT_ADDR)[number]] = addr(a, opt, invert)
    else if ((CT_PORT as readonly string[]).includes(key))
      p[key as (typeof CT_PORT)[number]] = portRange(a, opt, invert)
    else if (opt === '--ctdir') {
      const v = a.value(opt, 'ORIGINAL or REPLY')
      if (v !== 'ORIGINAL' && v !== 'REPLY')
        a.fail(`--ctdir: expected ORIGINAL or REPLY, got ${JSON.stringify(v)}`)
      p.ctdir = v as 'ORIGINAL' | 'REPLY'
    } else return false
    return true
  },
  save(m) {
    const p = m as Extract<Match, { module: 'conntrack' }>
    let s = ''
    if (p.ctstate) s += `${neg(p.ctstate.invert)} --ctstate ${formatSet(p.ctstate, CT_STATE_NAMES)}`
    if (p.ctproto) s += `${neg(p.ctproto.invert)} --ctproto ${p.ctproto.proto}`
    for (const k of CT_ADDR) {
      const v = p[k]
      if (v) s += `${neg(v.invert)} --${k} ${formatAddrMaskShort(v.addr, v.mask)}`
    }
    for (const k of CT_PORT) s += savePort(`--${k}`, p[k])
    if (p.ctdir) s += ` --ctdir ${p.ctdir}`
    return s
  },
}

const stateSpec: MatchSpec = {
  create: () => ({ module: 'state', state: { mask: 0, invert: false } }),
  option(m: Match, opt: string, invert: boolean, a: Args) {
    if (opt !== '--state') return false
    ;(m as Extract<Match, { module: 'state' }>).state = stateSet(a, opt, invert, CT_STATE_NAMES.slice(0, 5))
    return true
  },
  save(m) {
    const s = (m as Extract<Match, { module: 'state' }>).state
    return `${neg(s.invert)} --state ${formatSet(s, CT_STATE_NAMES)}`
  },
}

/** rtn_type names in kernel order (include/uapi/linux/rtnetlink.h), as libxt_addrtype prints them. */
export const ADDR_TYPES: ReadonlyArray<[string, number]> = [
  'UNSPEC',
  'UNICAST',
  'LOCAL',
  'BROADCAST',
  'ANYCAST',
  'MULTICAST',
  'BLACKHOLE',
  'UNREACHABLE',
  'PROHIBIT',
  'THROW',
  'NAT',
  'XRESOLVE',
].map((n, i) => [n, 1 << i] as [string, number])

const addrtypeSpec: MatchSpec = {
  create: () => ({ module: 'addrtype', limitIfaceIn: false, limitIfaceOut: false }),
  option(m: Match, opt: string, invert: boolean, a: Args) {
    const p = m as Extract<Match, { module: 'addrtype' }>
    if (opt === '--src-type') p.srcType = stateSet(a, opt, invert, ADDR_TYPES)
    else if (opt === '--dst-type') p.dstType = stateSet(a, opt, invert, ADDR_TYPES)
    else if (opt === '--limit-iface-in') p.limitIfaceIn = true
    else if (opt === '--limit-iface-out') p.limitIfaceOut = true
    else return false
    return true
  },
  save(m) {
    const p = m as Extract<Match, { module: 'addrtype' }>
    let s = ''
    if (p.srcType) s += `${neg(p.srcType.invert)} --src-type ${formatSet(p.srcType, ADDR_TYPES)}`
    if (p.dstType) s += `${neg(p.dstType.invert)} --dst-type ${formatSet(p.dstType, ADDR_TYPES)}`
    if (p.limitIfaceIn) s += ' --limit-iface-in'
    if (p.limitIfaceOut) s += ' --limit-iface-out'
    return s
  },
}

/**
 * The kernel keeps --probability as a u32 fraction of 2^31 (libxt_statistic: lround(0x80000000 * p)), so
 * iptables-save prints 0.2 back as 0.20000000019; the parsed value is that quantised probability.
 */
export function quantizeProbability(p: number): number {
  return Math.round(p * 0x80000000) / 0x80000000
}

const statisticSpec: MatchSpec = {
  create: () => ({ module: 'statistic', mode: 'random', probability: -1, invert: false }),
  option(m: Match, opt: string, invert: boolean, a: Args) {
    const p = m as Match & { module: 'statistic' } & Record<string, unknown>
    if (opt === '--mode') {
      const v = a.value(opt, 'random or nth')
      if (v === 'nth') Object.assign(p, { mode: 'nth', every: 0, packet: 0 })
      else if (v !== 'random') a.fail(`--mode: expected random or nth, got ${JSON.stringify(v)}`)
    } else if (opt === '--probability') {
      const v = a.value(opt, 'a number in [0, 1]')
      const n = Number(v)
      if (!/^[0-9.eE+-]+$/.test(v) || !(n >= 0 && n <= 1))
        a.fail(`--probability: expected a number in [0, 1], got ${JSON.stringify(v)}`)
      p.probability = quantizeProbability(n)
      p.invert = invert
    } else if (opt === '--every' || opt === '--packet') {
      const v = a.value(opt, 'a number')
      const n = parseUint(v)
      if (n < 0 || (opt === '--every' && n === 0))
        a.fail(`${opt}: expected a positive number, got ${JSON.stringify(v)}`)
      if (opt === '--every') {
        p.every = n
        p.invert = invert
      } else p.packet = n
    } else return false
    return true
  },
  finish(m: Match, _protocol: string, a: Args, at: number) {
    const p = m as Match & { module: 'statistic' }
    if (p.mode === 'random' && p.probability < 0) a.fail('-m statistic --mode random needs --probability', at)
    if (p.mode === 'nth') {
      if (p.every === 0) a.fail('-m statistic --mode nth needs --every', at)
      if (p.packet >= p.every) a.fail('--packet must be less than --every', at)
    }
  },
  save(m) {
    const p = m as Match & { module: 'statistic' }
    if (p.mode === 'random')
      return ` --mode random${neg(p.invert)} --probability ${p.probability.toFixed(11)}`
    return ` --mode nth${neg(p.invert)} --every ${p.every} --packet ${p.packet}`
  },
}

const RECENT_COMMANDS = {
  '--set': 'set',
  '--rcheck': 'rcheck',
  '--update': 'update',
  '--remove': 'remove',
} as const

const recentSpec: MatchSpec = {
  create: () =>
    ({
      module: 'recent',
      command: 'set',
      reap: false,
      rttl: false,
      name: 'DEFAULT',
      mask: 0xffffffff,
      side: 'rsource',
      invert: false,
      seen: false,
    }) as Match,
  option(m: Match, opt: string, invert: boolean, a: Args) {
    const p = m as Extract<Match, { module: 'recent' }> & { seen?: boolean }
    if (opt in RECENT_COMMANDS) {
      if (p.seen) a.fail('recent: only one of --set, --rcheck, --update or --remove is allowed')
      p.seen = true
      p.command = RECENT_COMMANDS[opt as keyof typeof RECENT_COMMANDS]
      p.invert = invert
    } else if (opt === '--seconds' || opt === '--hitcount') {
      const v = a.value(opt, 'a number')
      const n = parseUint(v)
      if (n < 0) a.fail(`${opt}: expected a number, got ${JSON.stringify(v)}`)
      if (opt === '--seconds') p.seconds = n
      else p.hitcount = n
    } else if (opt === '--reap') p.reap = true
    else if (opt === '--rttl') p.rttl = true
    else if (opt === '--name') p.name = a.value(opt, 'a name')
    else if (opt === '--mask') {
      const v = a.value(opt, 'a netmask')
      const n = parseIp(v)
      if (n < 0) a.fail(`--mask: expected a netmask, got ${JSON.stringify(v)}`)
      p.mask = n
    } else if (opt === '--rsource') p.side = 'rsource'
    else if (opt === '--rdest') p.side = 'rdest'
    else return false
    return true
  },
  finish(m: Match, _protocol: string, a: Args, at: number) {
    const p = m as Extract<Match, { module: 'recent' }> & { seen?: boolean }
    if (!p.seen) a.fail('recent: need one of --set, --rcheck, --update or --remove', at)
    delete p.seen
  },
  save(m) {
    const p = m as Extract<Match, { module: 'recent' }>
    let s = `${neg(p.invert)} --${p.command}`
    if (p.seconds !== undefined) s += ` --seconds ${p.seconds}`
    if (p.reap) s += ' --reap'
    if (p.hitcount !== undefined) s += ` --hitcount ${p.hitcount}`
    if (p.rttl) s += ' --rttl'
    return `${s} --name ${p.name} --mask ${formatIp(p.mask)} --${p.side}`
  },
}

const setSpec: MatchSpec = {
  create: () => ({ module: 'set', name: '', flags: [], invert: false }),
  option(m: Match, opt: string, invert: boolean, a: Args) {
    if (opt !== '--match-set' && opt !== '--set') return false
    const p = m as Extract<Match, { module: 'set' }>
    p.name = a.value(opt, 'NAME FLAGS')
    const flags = a.value(opt, 'NAME FLAGS')
    p.flags = []
    for (const f of flags.split(',')) {
      if (f !== 'src' && f !== 'dst') a.fail(`${opt}: flags must be src or dst, got ${JSON.stringify(f)}`)
      p.flags.push(f as 'src' | 'dst')
    }
    if (p.flags.length > 6) a.fail(`${opt}: too many flags`)
    p.invert = invert
    return true
  },
  finish(m: Match, _protocol: string, a: Args, at: number) {
    if (!(m as Extract<Match, { module: 'set' }>).name) a.fail('-m set needs --match-set NAME FLAGS', at)
  },
  save(m) {
    const p = m as Extract<Match, { module: 'set' }>
    return `${neg(p.invert)} --match-set ${p.name} ${p.flags.join(',')}`
  },
}

const iprangeSpec: MatchSpec = {
  create: () => ({ module: 'iprange' }),
  option(m: Match, opt: string, invert: boolean, a: Args) {
    const p = m as Extract<Match, { module: 'iprange' }>
    if (opt !== '--src-range' && opt !== '--dst-range') return false
    const v = a.value(opt, 'FROM-TO')
    const dash = v.indexOf('-')
    const lo = parseIp(v, 0, dash < 0 ? v.length : dash)
    const hi = dash < 0 ? lo : parseIp(v, dash + 1)
    if (lo < 0 || hi < 0 || lo > hi) a.fail(`${opt}: expected FROM-TO addresses, got ${JSON.stringify(v)}`)
    p[opt === '--src-range' ? 'src' : 'dst'] = { lo, hi, invert }
    return true
  },
  save(m) {
    const p = m as Extract<Match, { module: 'iprange' }>
    let s = ''
    if (p.src) s += `${neg(p.src.invert)} --src-range ${formatIp(p.src.lo)}-${formatIp(p.src.hi)}`
    if (p.dst) s += `${neg(p.dst.invert)} --dst-range ${formatIp(p.dst.lo)}-${formatIp(p.dst.hi)}`
    return s
  },
}

const LIMIT_UNITS: Readonly<Record<string, 'sec' | 'min' | 'hour' | 'day'>> = {
  s: 'sec',
  sec: 'sec',
  second: 'sec',
  m: 'min',
  min: 'min',
  minute: 'min',
  h: 'hour',
  hour: 'hour',
  d: 'day',
  day: 'day',
}

const limitSpec: MatchSpec = {
  create: () => ({ module: 'limit', rate: 3, unit: 'hour', burst: 5 }),
  option(m: Match, opt: string, _invert: boolean, a: Args) {
    const p = m as Extract<Match, { module: 'limit' }>
    if (opt === '--limit') {
      const v = a.value(opt, 'RATE[/second|/minute|/hour|/day]')
      const slash = v.indexOf('/')
      const rate = parseUint(v, 0, slash < 0 ? v.length : slash)
      const unit = slash < 0 ? 'sec' : LIMIT_UNITS[v.slice(slash + 1)]
      if (rate <= 0 || !unit) a.fail(`--limit: expected RATE/unit, got ${JSON.stringify(v)}`)
      p.rate = rate
      p.unit = unit
    } else if (opt === '--limit-burst') {
      const v = a.value(opt, 'a number')
      const n = parseUint(v)
      if (n <= 0) a.fail(`--limit-burst: expected a positive number, got ${JSON.stringify(v)}`)
      p.burst = n
    } else return false
    return true
  },
  save(m) {
    const p = m as Extract<Match, { module: 'limit' }>
    return ` --limit ${p.rate}/${p.unit}${p.burst === 5 ? '' : ` --limit-burst ${p.burst}`}`
  },
}

const nfacctSpec: MatchSpec = {
  create: () => ({ module: 'nfacct', name: '' }),
  option(m: Match, opt: string, _invert: boolean, a: Args) {
    if (opt !== '--nfacct-name') return false
    ;(m as Extract<Match, { module: 'nfacct' }>).name = a.value(opt, 'a name')
    return true
  },
  finish(m: Match, _p: string, a: Args, at: number) {
    if (!(m as Extract<Match, { module: 'nfacct' }>).name) a.fail('-m nfacct needs --nfacct-name', at)
  },
  save: (m) => ` --nfacct-name ${saveString((m as Extract<Match, { module: 'nfacct' }>).name)}`,
}

export function parseIface(a: Args, opt: string, invert: boolean): IfaceMatch {
  const v = a.value(opt, 'an interface name')
  if (v.length === 0 || v.length > 15) a.fail(`${opt}: interface name must be 1-15 characters`)
  const wildcard = v.endsWith('+')
  return { name: wildcard ? v.slice(0, -1) : v, wildcard, invert }
}

export const formatIface = (i: IfaceMatch): string => i.name + (i.wildcard ? '+' : '')

const physdevSpec: MatchSpec = {
  create: () => ({ module: 'physdev' }),
  option(m: Match, opt: string, invert: boolean, a: Args) {
    const p = m as Extract<Match, { module: 'physdev' }>
    if (opt === '--physdev-in') p.physdevIn = parseIface(a, opt, invert)
    else if (opt === '--physdev-out') p.physdevOut = parseIface(a, opt, invert)
    else if (opt === '--physdev-is-in') [p.isIn, p.isInInvert] = [true, invert]
    else if (opt === '--physdev-is-out') [p.isOut, p.isOutInvert] = [true, invert]
    else if (opt === '--physdev-is-bridged') [p.isBridged, p.isBridgedInvert] = [true, invert]
    else return false
    return true
  },
  save(m) {
    const p = m as Extract<Match, { module: 'physdev' }>
    let s = ''
    if (p.physdevIn) s += `${neg(p.physdevIn.invert)} --physdev-in ${formatIface(p.physdevIn)}`
    if (p.physdevOut) s += `${neg(p.physdevOut.invert)} --physdev-out ${formatIface(p.physdevOut)}`
    if (p.isIn) s += `${neg(!!p.isInInvert)} --physdev-is-in`
    if (p.isOut) s += `${neg(!!p.isOutInvert)} --physdev-is-out`
    if (p.isBridged) s += `${neg(!!p.isBridgedInvert)} --physdev-is-bridged`
    return s
  },
}

const commentSpec: MatchSpec = {
  create: () => ({ module: 'comment', comment: '' }),
  option(m: Match, opt: string, _invert: boolean, a: Args) {
    if (opt !== '--comment') return false
    const v = a.value(opt, 'a comment')
    if (v.length > 255) a.fail('--comment: comments are limited to 255 characters')
    ;(m as Extract<Match, { module: 'comment' }>).comment = v
    return true
  },
  save: (m) => ` --comment ${saveString((m as Extract<Match, { module: 'comment' }>).comment)}`,
}

export const MATCH_SPECS: Readonly<Record<MatchModule, MatchSpec>> = {
  comment: commentSpec,
  tcp: portSpec('tcp'),
  udp: portSpec('udp'),
  sctp: portSpec('sctp'),
  icmp: icmpSpec,
  multiport: multiportSpec,
  mark: markSpec('mark'),
  connmark: markSpec('connmark'),
  conntrack: conntrackSpec,
  state: stateSpec,
  addrtype: addrtypeSpec,
  statistic: statisticSpec,
  recent: recentSpec,
  set: setSpec,
  iprange: iprangeSpec,
  limit: limitSpec,
  nfacct: nfacctSpec,
  physdev: physdevSpec,
}

export function isMatchModule(name: string): name is MatchModule {
  return Object.hasOwn(MATCH_SPECS, name)
}

/** ` -m NAME --opts` as iptables-save prints one match. */
export function saveMatch(m: Match): string {
  return ` -m ${m.module}${MATCH_SPECS[m.module].save(m)}`
}
