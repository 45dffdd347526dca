import type { NatRange, PortRange, Target } from '../ruleset/types'
import type { Args } from './args'
import { saveString } from './tokenize'
import {
  formatIp,
  formatPortRange,
  hex,
  parseIp,
  parsePortRange,
  parseU32,
  parseUint,
  parseValueMask,
} from './values'

/**
 * The targets (`-j NAME --opts`): how each reads its options and how iptables-save prints it, following
 * iptables' `extensions/libxt_*.c` / `libipt_*.c` save functions (MARK and CONNMARK always print the
 * `--set-xmark V/M` form, REJECT always prints `--reject-with`, LOG leaves out the default level 4).
 */
export const BUILTIN_VERDICTS = ['ACCEPT', 'DROP', 'RETURN'] as const

/** Targets other than the verdicts: iptables loads them as extensions (libxt_NAME / libipt_NAME). */
export const EXTENSION_TARGETS = [
  'REJECT',
  'DNAT',
  'SNAT',
  'MASQUERADE',
  'REDIRECT',
  'MARK',
  'CONNMARK',
  'CT',
  'NOTRACK',
  'LOG',
  'NFLOG',
  'TRACE',
] as const

export function isExtensionTarget(name: string): boolean {
  return (EXTENSION_TARGETS as readonly string[]).includes(name)
}

/** REJECT --reject-with values (libipt_REJECT.c), aliases mapped to what iptables-save prints. */
const REJECT_WITH: Readonly<Record<string, string>> = {
  'icmp-net-unreachable': 'icmp-net-unreachable',
  'net-unreach': 'icmp-net-unreachable',
  'icmp-host-unreachable': 'icmp-host-unreachable',
  'host-unreach': 'icmp-host-unreachable',
  'icmp-proto-unreachable': 'icmp-proto-unreachable',
  'proto-unreach': 'icmp-proto-unreachable',
  'icmp-port-unreachable': 'icmp-port-unreachable',
  'port-unreach': 'icmp-port-unreachable',
  'icmp-net-prohibited': 'icmp-net-prohibited',
  'net-prohib': 'icmp-net-prohibited',
  'icmp-host-prohibited': 'icmp-host-prohibited',
  'host-prohib': 'icmp-host-prohibited',
  'icmp-admin-prohibited': 'icmp-admin-prohibited',
  'admin-prohib': 'icmp-admin-prohibited',
  'tcp-reset': 'tcp-reset',
  'tcp-rst': 'tcp-reset',
}

const LOG_LEVELS = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug']
const LOG_FLAGS = [
  '--log-tcp-sequence',
  '--log-tcp-options',
  '--log-ip-options',
  '--log-uid',
  '--log-macdecode',
]

/** A fresh target object of kind `name` (an extension or a builtin verdict) before its options. */
export function createTarget(name: string): Target {
  switch (name) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
    case 'NOTRACK':
    case 'TRACE':
      return { kind: name }
    case 'REJECT':
      return { kind: 'REJECT', with: 'icmp-port-unreachable' }
    case 'DNAT':
    case 'SNAT':
      return { kind: name, to: null, random: false, persistent: false, fully: false }
    case 'MASQUERADE':
      return { kind: 'MASQUERADE', random: false, fully: false }
    case 'REDIRECT':
      return { kind: 'REDIRECT', random: false }
    case 'MARK':
      return { kind: 'MARK', value: 0, mask: -1 }
    case 'CONNMARK':
      return { kind: 'CONNMARK', mode: 'set', value: 0, mask: -1 }
    case 'CT':
      return { kind: 'CT', notrack: false }
    case 'LOG':
      return { kind: 'LOG', options: [] }
    case 'NFLOG':
      return { kind: 'NFLOG' }
    default:
      return { kind: 'jump', chain: name }
  }
}

function natRange(a: Args, opt: string): NatRange {
  const v = a.value(opt, 'IP[-IP][:PORT[-PORT]]')
  const colon = v.indexOf(':')
  const ips = colon < 0 ? v : v.slice(0, colon)
  const dash = ips.indexOf('-')
  const lo = parseIp(ips, 0, dash < 0 ? ips.length : dash)
  const hi = dash < 0 ? lo : parseIp(ips, dash + 1)
  const ports = colon < 0 ? { lo: 0, hi: 0 } : parsePortRange(v.slice(colon + 1), '-')
  if (lo < 0 || hi < 0 || lo > hi || !ports || (colon >= 0 && ports.lo === 0))
    a.fail(`${opt}: expected IP[-IP][:PORT[-PORT]], got ${JSON.stringify(v)}`)
  return { addrLo: lo, addrHi: hi, portLo: ports.lo, portHi: ports.hi }
}

function toPorts(a: Args, opt: string): PortRange {
  const v = a.value(opt, 'PORT[-PORT]')
  const r = parsePortRange(v, '-')
  if (!r || r.lo === 0) a.fail(`${opt}: expected PORT[-PORT], got ${JSON.stringify(v)}`)
  return r
}

function markValue(a: Args, opt: string): [number, number] {
  const v = a.value(opt, 'VALUE[/MASK]')
  const vm = parseValueMask(v)
  if (!vm) a.fail(`${opt}: expected VALUE[/MASK], got ${JSON.stringify(v)}`)
  return vm
}

function u32(a: Args, opt: string): number {
  const v = a.value(opt, 'a number')
  const n = parseU32(v)
  if (n < 0) a.fail(`${opt}: expected a number, got ${JSON.stringify(v)}`)
  return n
}

/** Consumes target option `opt` into `t`; false when `t` has no such option. */
export function targetOption(t: Target, opt: string, a: Args): boolean {
  switch (t.kind) {
    case 'REJECT': {
      if (opt !== '--reject-with') return false
      const v = a.value(opt, 'a reject type')
      const w = REJECT_WITH[v]
      if (!w) a.fail(`--reject-with: unknown reject type ${JSON.stringify(v)}`)
      t.with = w
      return true
    }
    case 'DNAT':
    case 'SNAT':
      if (opt === (t.kind === 'DNAT' ? '--to-destination' : '--to-source')) {
        if (t.to) a.fail(`${opt}: multiple ranges are not supported`)
        t.to = natRange(a, opt)
      } else if (opt === '--random') t.random = true
      else if (opt === '--persistent') t.persistent = true
      else if (opt === '--random-fully') t.fully = true
      else return false
      return true
    case 'MASQUERADE':
    case 'REDIRECT':
      if (opt === '--to-ports') t.toPorts = toPorts(a, opt)
      else if (opt === '--random') t.random = true
      else if (opt === '--random-fully' && t.kind === 'MASQUERADE') t.fully = true
      else return false
      return true
    case 'MARK': {
      if (t.mask !== -1)
        a.fail('MARK: only one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark')
      // libxt_MARK turns every form into (mark & ~mask) ^ value
      if (opt === '--set-xmark') [t.value, t.mask] = markValue(a, opt)
      else if (opt === '--set-mark') {
        const [v, m] = markValue(a, opt)
        ;[t.value, t.mask] = [v, (v | m) >>> 0]
      } else if (opt === '--and-mark') [t.value, t.mask] = [0, ~u32(a, opt) >>> 0]
      else if (opt === '--or-mark') {
        const v = u32(a, opt)
        ;[t.value, t.mask] = [v, v]
      } else if (opt === '--xor-mark') [t.value, t.mask] = [u32(a, opt), 0]
      else return false
      return true
    }
    case 'CONNMARK': {
      const c = t as Record<string, unknown>
      if (opt === '--set-xmark' || opt === '--set-mark') {
        const [v, m] = markValue(a, opt)
        Object.assign(c, { mode: 'set', value: v, mask: opt === '--set-mark' ? (v | m) >>> 0 : m })
        delete c.nfmask
        delete c.ctmask
      } else if (opt === '--save-mark' || opt === '--restore-mark') {
        Object.assign(c, {
          mode: opt === '--save-mark' ? 'save' : 'restore',
          nfmask: 0xffffffff,
          ctmask: 0xffffffff,
        })
        delete c.value
        delete c.mask
      } else if (opt === '--nfmask' || opt === '--ctmask' || opt === '--mask') {
        if (t.mode === 'set') a.fail(`${opt} needs --save-mark or --restore-mark before it`)
        const n = u32(a, opt)
        if (opt !== '--ctmask') c.nfmask = n
        if (opt !== '--nfmask') c.ctmask = n
      } else return false
      return true
    }
    case 'CT':
      if (opt === '--notrack') t.notrack = true
      else if (opt === '--zone') {
        const v = a.value(opt, 'a zone id')
        const n = parseUint(v)
        if (n < 0 || n > 65535) a.fail(`--zone: expected a zone id 0-65535, got ${JSON.stringify(v)}`)
        t.zone = n
      } else return false
      return true
    case 'LOG':
      if (opt === '--log-prefix') {
        const v = a.value(opt, 'a prefix')
        if (v.length > 29) a.fail('--log-prefix: maximum prefix length is 29 characters')
        t.prefix = v
      } else if (opt === '--log-level') {
        const v = a.value(opt, 'a level')
        const n = /^\d$/.test(v) ? Number(v) : LOG_LEVELS.indexOf(v)
        if (n < 0 || n > 7) a.fail(`--log-level: expected 0-7 or a level name, got ${JSON.stringify(v)}`)
        if (n === 4) delete t.level
        else t.level = n
      } else if (LOG_FLAGS.includes(opt)) {
        if (!t.options.includes(opt)) t.options.push(opt)
        t.options.sort((x, y) => LOG_FLAGS.indexOf(x) - LOG_FLAGS.indexOf(y))
      } else return false
      return true
    case 'NFLOG':
      if (opt === '--nflog-prefix') t.prefix = a.value(opt, 'a prefix')
      else if (
        opt === '--nflog-group' ||
        opt === '--nflog-range' ||
        opt === '--nflog-size' ||
        opt === '--nflog-threshold'
      ) {
        const v = a.value(opt, 'a number')
        const n = parseUint(v)
        if (n < 0) a.fail(`${opt}: expected a number, got ${JSON.stringify(v)}`)
        // iptables-save leaves out the defaults (group 0, threshold 1), so they are not kept either
        if (opt === '--nflog-group') n ? (t.group = n) : delete t.group
        else if (opt === '--nflog-threshold') n !== 1 ? (t.threshold = n) : delete t.threshold
        else n ? (t.range = n) : delete t.range
      } else return false
      return true
    default:
      return false
  }
}

/** Checks after all options (a required option missing, a port range without a port protocol). */
export function finishTarget(t: Target, protocol: string, a: Args, at: number): void {
  const ported = ['tcp', 'udp', 'sctp', 'dccp', 'udplite'].includes(protocol)
  if (t.kind === 'MARK' && t.mask === -1)
    a.fail('MARK target: one of --set-xmark, --set-mark, --and-mark, --or-mark or --xor-mark is required', at)
  if (t.kind === 'CONNMARK' && t.mode === 'set' && t.mask === -1)
    a.fail('CONNMARK target: one of --set-xmark, --set-mark, --save-mark or --restore-mark is required', at)
  if ((t.kind === 'DNAT' || t.kind === 'SNAT') && !t.to)
    a.fail(`${t.kind}: --to-${t.kind === 'DNAT' ? 'destination' : 'source'} is required`, at)
  const hasPorts =
    ((t.kind === 'DNAT' || t.kind === 'SNAT') && t.to && t.to.portLo > 0) ||
    ((t.kind === 'MASQUERADE' || t.kind === 'REDIRECT') && t.toPorts)
  if (hasPorts && !ported) a.fail('Need TCP, UDP, SCTP or DCCP with port specification', at)
}

function saveNat(r: NatRange): string {
  let s = formatIp(r.addrLo)
  if (r.addrHi !== r.addrLo) s += `-${formatIp(r.addrHi)}`
  if (r.portLo) s += `:${formatPortRange({ lo: r.portLo, hi: r.portHi }, '-')}`
  return s
}

/** ` -j NAME --opts` (or ` -g CHAIN`) as iptables-save prints the target; '' for a rule without one. */
export function saveTarget(t: Target): string {
  switch (t.kind) {
    case 'none':
      return ''
    case 'jump':
      return ` -j ${t.chain}`
    case 'goto':
      return ` -g ${t.chain}`
    case 'REJECT':
      return ` -j REJECT --reject-with ${t.with}`
    case 'DNAT':
    case 'SNAT': {
      let s = ` -j ${t.kind}`
      if (t.to) s += ` --to-${t.kind === 'DNAT' ? 'destination' : 'source'} ${saveNat(t.to)}`
      if (t.random) s += ' --random'
      if (t.fully) s += ' --random-fully'
      if (t.persistent) s += ' --persistent'
      return s
    }
    case 'MASQUERADE':
    case 'REDIRECT': {
      let s = ` -j ${t.kind}`
      if (t.toPorts) s += ` --to-ports ${formatPortRange(t.toPorts, '-')}`
      if (t.random) s += ' --random'
      if (t.kind === 'MASQUERADE' && t.fully) s += ' --random-fully'
      return s
    }
    case 'MARK':
      return ` -j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`
    case 'CONNMARK':
      return t.mode === 'set'
        ? ` -j CONNMARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`
        : ` -j CONNMARK --${t.mode}-mark --nfmask ${hex(t.nfmask)} --ctmask ${hex(t.ctmask)}`
    case 'CT':
      return ` -j CT${t.notrack ? ' --notrack' : ''}${t.zone !== undefined ? ` --zone ${t.zone}` : ''}`
    case 'LOG': {
      let s = ' -j LOG'
      if (t.prefix !== undefined) s += ` --log-prefix ${saveString(t.prefix)}`
      if (t.level !== undefined && t.level !== 4) s += ` --log-level ${t.level}`
      for (const o of t.options) s += ` ${o}`
      return s
    }
    case 'NFLOG': {
      let s = ' -j NFLOG'
      if (t.prefix !== undefined) s += ` --nflog-prefix ${saveString(t.prefix)}`
      if (t.group) s += ` --nflog-group ${t.group}`
      if (t.range) s += ` --nflog-range ${t.range}`
      if (t.threshold !== undefined && t.threshold !== 1) s += ` --nflog-threshold ${t.threshold}`
      return s
    }
    default:
      return ` -j ${t.kind}`
  }
}
