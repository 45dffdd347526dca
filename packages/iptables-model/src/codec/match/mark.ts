import type { MarkMatch, Match } from '../../ruleset/types'
import type { Args } from '../args'
import { hex, parseValueMask } from '../values'
import { type MatchSpec, neg } from './spec'

/** mark and connmark (libxt_mark.c, libxt_connmark.c). */
export function markSpec(module: 'mark' | 'connmark'): MatchSpec {
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
