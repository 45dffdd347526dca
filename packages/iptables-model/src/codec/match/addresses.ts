import type { Match } from '../../ruleset/types'
import type { Args } from '../args'
import { formatIp, parseIp } from '../values'
import { type MatchSpec, neg } from './spec'

/** set (libxt_set.c: ipset membership of the packet's addresses/ports). */
export const setSpec: MatchSpec = {
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

/** iprange (libxt_iprange.c). */
export const iprangeSpec: MatchSpec = {
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
