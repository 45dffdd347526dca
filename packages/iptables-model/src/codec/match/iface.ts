import type { IfaceMatch, Match } from '../../ruleset/types'
import type { Args } from '../args'
import { type MatchSpec, neg } from './spec'

/** `-i` / `-o` / `--physdev-in` NAME, with `+` as a trailing wildcard (iptables/xshared.c parse_interface). */
export function parseIface(a: Args, opt: string, invert: boolean): IfaceMatch {
  const v = a.value(opt, 'an interface name')
  if (v.length === 0 || v.length > 15) a.fail(`${opt}: interface name must be 1-15 characters`)
  const wildcard = v.endsWith('+')
  return { name: wildcard ? v.slice(0, -1) : v, wildcard, invert }
}

export const formatIface = (i: IfaceMatch): string => i.name + (i.wildcard ? '+' : '')

/** physdev (libxt_physdev.c): the bridge port a bridged packet came in on or goes out of. */
export const physdevSpec: MatchSpec = {
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
