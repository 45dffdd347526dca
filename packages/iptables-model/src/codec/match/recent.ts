import type { Match } from '../../ruleset/types'
import type { Args } from '../args'
import { formatIp, parseIp, parseUint } from '../values'
import { type MatchSpec, neg } from './spec'

const RECENT_COMMANDS = {
  '--set': 'set',
  '--rcheck': 'rcheck',
  '--update': 'update',
  '--remove': 'remove',
} as const

/** recent (libxt_recent.c): kube-proxy's ClientIP session affinity. */
export const recentSpec: MatchSpec = {
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
