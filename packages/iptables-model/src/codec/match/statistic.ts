import type { Match } from '../../ruleset/types'
import type { Args } from '../args'
import { parseUint } from '../values'
import { type MatchSpec, neg } from './spec'

/**
 * The kernel keeps --probability as a u32 fraction of 2^31 (libxt_statistic: lround(0x80000000 * p)), so
 * iptables-save prints 0.2 back as 0.20000000019; the parsed value is that quantised probability.
 */
export function quantizeProbability(p: number): number {
  return Math.round(p * 0x80000000) / 0x80000000
}

/** statistic (libxt_statistic.c): random with a probability, or every nth packet. */
export const statisticSpec: MatchSpec = {
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
