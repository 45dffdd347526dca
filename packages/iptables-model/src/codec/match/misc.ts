import type { Match } from '../../ruleset/types'
import type { Args } from '../args'
import { saveString } from '../tokenize'
import { parseUint } from '../values'
import type { MatchSpec } from './spec'

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

/** limit (libxt_limit.c). */
export const limitSpec: MatchSpec = {
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

/** nfacct (libxt_nfacct.c). */
export const nfacctSpec: MatchSpec = {
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

/** comment (libxt_comment.c). */
export const commentSpec: MatchSpec = {
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
