import type { Match } from '../../ruleset/types'
import type { Args } from '../args'
import { formatSet, type MatchSpec, neg, stateSet } from './spec'

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

/** addrtype (libxt_addrtype.c). */
export const addrtypeSpec: MatchSpec = {
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
