import type { AddrMatch, Match, PortRange, StateSet } from '../../ruleset/types'
import type { Args } from '../args'
import { formatPortRange, parseAddrMask, parsePortRange } from '../values'

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

/** A port range with its `!`. */
export type Ported = PortRange & { invert: boolean }
export const neg = (invert: boolean): string => (invert ? ' !' : '')

export function portRange(a: Args, opt: string, invert: boolean): Ported {
  const v = a.value(opt, 'a port or PORT:PORT')
  const r = parsePortRange(v, ':')
  if (!r) a.fail(`${opt}: expected a port or port range, got ${JSON.stringify(v)}`)
  return { ...r, invert }
}

export const savePort = (opt: string, p: Ported | undefined): string =>
  p ? `${neg(p.invert)} ${opt} ${formatPortRange(p, ':')}` : ''

/** A comma-separated list of names (any case) from `names`, as a bit mask. */
export function stateSet(
  a: Args,
  opt: string,
  invert: boolean,
  names: ReadonlyArray<[string, number]>,
): StateSet {
  const v = a.value(opt, 'a comma-separated list')
  let mask = 0
  for (const name of v.split(',')) {
    const s = names.find(([n]) => n === name.toUpperCase())
    if (!s) a.fail(`${opt}: unknown value ${JSON.stringify(name)}`)
    mask |= s[1]
  }
  return { mask, invert }
}

export const formatSet = (s: StateSet, names: ReadonlyArray<[string, number]>): string =>
  names
    .filter(([, b]) => s.mask & b)
    .map(([n]) => n)
    .join(',')

export function addr(a: Args, opt: string, invert: boolean): AddrMatch {
  const v = a.value(opt, 'an address[/mask]')
  const am = parseAddrMask(v)
  if (!am) a.fail(`${opt}: expected an IPv4 address[/mask], got ${JSON.stringify(v)}`)
  return { addr: am[0], mask: am[1], invert }
}
