import type { Match } from '../../ruleset/types'
import type { Args } from '../args'
import { canonicalProtocol, formatAddrMaskShort, protocolNumber } from '../values'
import { addr, formatSet, type MatchSpec, neg, portRange, savePort, stateSet } from './spec'

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

const CT_ADDR = ['ctorigsrc', 'ctorigdst', 'ctreplsrc', 'ctrepldst'] as const
const CT_PORT = ['ctorigsrcport', 'ctorigdstport', 'ctreplsrcport', 'ctrepldstport'] as const

/** conntrack (libxt_conntrack.c) and the older state match (libxt_state.c). */
export const conntrackSpec: MatchSpec = {
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

export const stateSpec: MatchSpec = {
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
