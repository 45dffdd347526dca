import type { Match, PortMatch, PortRange } from '../../ruleset/types'
import type { Args } from '../args'
import { formatPortRange, parsePortRange, parseUint } from '../values'
import { type MatchSpec, neg, portRange, savePort } from './spec'

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

/** tcp, udp and sctp (libxt_tcp.c, libxt_udp.c, libxt_sctp.c): ports, and TCP flags for tcp. */
export function portSpec(module: 'tcp' | 'udp' | 'sctp'): MatchSpec {
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

/** icmp (libipt_icmp.c). */
export const icmpSpec: MatchSpec = {
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

/** multiport (libxt_multiport.c): up to 15 ports or ranges. */
export const multiportSpec: MatchSpec = {
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
