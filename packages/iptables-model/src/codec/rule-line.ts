import type { AddrMatch, Match, Rule, Target } from '../ruleset/types'
import { Args } from './args'
import { isMatchModule, MATCH_SPECS, type MatchSpec, parseIface } from './matches'
import { BUILTIN_VERDICTS, createTarget, finishTarget, isExtensionTarget, targetOption } from './targets'
import { createTokens, type Tokens } from './tokenize'
import { canonicalProtocol, parseAddrMask } from './values'

/** Targets iptables knows but this model does not: named so the error says "unsupported", not "no chain". */
export const UNSUPPORTED_TARGETS: ReadonlySet<string> = new Set([
  'TPROXY',
  'TCPMSS',
  'DSCP',
  'CLASSIFY',
  'SET',
  'AUDIT',
  'CHECKSUM',
  'TEE',
  'NETMAP',
  'HMARK',
  'IDLETIMER',
  'LED',
  'NFQUEUE',
  'QUEUE',
  'SECMARK',
  'CONNSECMARK',
  'TOS',
  'TTL',
  'ULOG',
  'SYNPROXY',
  'RATEEST',
  'CLUSTERIP',
  'ECN',
  'SAME',
  'MIRROR',
])

/** Chains where -i / -o make no sense; iptables refuses them there ("Can't use -o with INPUT"). */
const NO_IN = new Set(['OUTPUT', 'POSTROUTING'])
const NO_OUT = new Set(['INPUT', 'PREROUTING'])

/** Strings that repeat across millions of rules (comments, set names) are kept once. */
const interned = new Map<string, string>()
export function intern(s: string): string {
  const hit = interned.get(s)
  if (hit !== undefined) return hit
  if (interned.size < 1 << 20) interned.set(s, s)
  return s
}

const same = (s: string): string => s
/** one cursor for every rule line: parsing allocates the rule, not its reader */
const shared = new Args(createTokens(), '', 0)

function addr(a: Args, opt: string, invert: boolean): AddrMatch {
  const v = a.value(opt, 'an address[/mask]')
  const am = parseAddrMask(v)
  if (!am) a.fail(`${opt}: expected an IPv4 address[/mask], got ${JSON.stringify(v)}`)
  return { addr: am[0], mask: am[1], invert }
}

/**
 * Parses the words of one rule after `-A CHAIN` (words[start..]) the way iptables' command parser does
 * (iptables/xshared.c `do_parse`): `!` negates the next option, `-m` loads a match whose options follow it,
 * options after `-j` belong to the target, and a port option without `-m` loads the protocol's match
 * implicitly (which iptables-save then prints as `-m tcp`).
 */
export function parseRuleWords(
  tokens: Tokens,
  start: number,
  source: string,
  line: number,
  chain: string,
  builtin: boolean,
  /** keep one copy of repeated strings (off for lint, which drops every rule after checking it) */
  keep = true,
): Rule {
  const a: Args = shared.reset(tokens, source, line)
  a.i = start
  const own = keep ? intern : same
  const rule: Rule = { matches: [], target: { kind: 'none' }, line }
  const w = tokens.words
  let invert = false
  let invertAt = 0
  let match: Match | null = null
  let spec: MatchSpec | null = null
  let target: Target | null = null
  const matchAt: number[] = []
  let targetAt = 0
  let protocolSeen = false
  while (!a.done) {
    const word = w[a.i++]
    if (word === '!') {
      if (invert) a.fail('multiple ! flags are not allowed')
      invert = true
      invertAt = a.i - 1
      continue
    }
    switch (word) {
      case '-s':
      case '--source':
      case '--src':
      case '-d':
      case '--destination':
      case '--dst': {
        const key = word === '-s' || word === '--source' || word === '--src' ? 'src' : 'dst'
        if (rule[key]) a.fail(`multiple ${key === 'src' ? '-s' : '-d'} flags are not allowed`)
        rule[key] = addr(a, word, invert)
        break
      }
      case '-i':
      case '--in-interface':
        if (builtin && NO_IN.has(chain)) a.fail(`Can't use -i with ${chain}`)
        rule.inIface = parseIface(a, word, invert)
        break
      case '-o':
      case '--out-interface':
        if (builtin && NO_OUT.has(chain)) a.fail(`Can't use -o with ${chain}`)
        rule.outIface = parseIface(a, word, invert)
        break
      case '-p':
      case '--protocol': {
        if (protocolSeen) a.fail('multiple -p flags are not allowed')
        protocolSeen = true
        const v = a.value(word, 'a protocol')
        const name = canonicalProtocol(v)
        if (name === null) return a.fail(`unknown protocol ${JSON.stringify(v)} specified`)
        if (name !== '' || invert) rule.protocol = { name: name === '' ? 'all' : name, invert }
        break
      }
      case '-m':
      case '--match': {
        if (invert) a.fail('unexpected ! before -m', invertAt)
        const name = a.value(word, 'a match module name')
        if (!isMatchModule(name)) a.fail(`Couldn't load match '${name}': unknown or unsupported match module`)
        spec = MATCH_SPECS[name]
        match = spec.create()
        rule.matches.push(match)
        matchAt.push(a.i - 1)
        break
      }
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        if (invert) a.fail(`cannot negate ${word}`, invertAt)
        if (target) a.fail('multiple -j or -g flags are not allowed')
        targetAt = a.i
        const name = a.value(word, 'a target or chain name')
        if (word === '-g' || word === '--goto') target = { kind: 'goto', chain: own(name) }
        else if ((BUILTIN_VERDICTS as readonly string[]).includes(name) || isExtensionTarget(name))
          target = createTarget(name)
        else if (UNSUPPORTED_TARGETS.has(name)) a.fail(`Couldn't load target '${name}': unsupported target`)
        else target = { kind: 'jump', chain: own(name) }
        break
      }
      default: {
        if (!word.startsWith('-')) a.fail(`Bad argument ${JSON.stringify(word)}`)
        if (target) {
          if (invert) a.fail(`cannot negate target option ${word}`, invertAt)
          if (!targetOption(target, word, a))
            a.fail(`unknown option ${JSON.stringify(word)} for target ${targetName(target)}`)
          break
        }
        if (match && spec?.option(match, word, invert, a)) break
        // iptables loads the protocol's own match for an option it does not otherwise know (-p tcp --dport 80)
        const proto = rule.protocol?.name
        if (proto === 'tcp' || proto === 'udp' || proto === 'sctp' || proto === 'icmp') {
          const implicit = MATCH_SPECS[proto]
          const m = implicit.create()
          if (implicit.option(m, word, invert, a)) {
            rule.matches.push(m)
            matchAt.push(a.i - 1)
            match = m
            spec = implicit
            break
          }
        }
        a.fail(`unknown option ${JSON.stringify(word)}`)
      }
    }
    invert = false
  }
  if (invert) a.fail('! at the end of the rule negates nothing', invertAt)
  const protocol = rule.protocol && !rule.protocol.invert ? rule.protocol.name : ''
  for (let k = 0; k < rule.matches.length; k++) {
    const m = rule.matches[k]
    MATCH_SPECS[m.module].finish?.(m, protocol, a, matchAt[k])
    if (m.module === 'comment') m.comment = own(m.comment)
    else if (m.module === 'set') m.name = own(m.name)
  }
  if (target) {
    finishTarget(target, protocol, a, targetAt)
    rule.target = target
  }
  return rule
}

function targetName(t: Target): string {
  return t.kind === 'jump' || t.kind === 'goto' ? t.chain : t.kind
}
