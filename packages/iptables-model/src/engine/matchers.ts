import { InputError } from '@dataplane-sim/cluster'
import { ADDR_TYPES } from '../codec/matches'
import type { CompiledIpset, SetProbe } from '../ipset/lookup'
import type { Match } from '../ruleset/types'
import { IfaceMatcher, type Interfaces } from './interfaces'
import type { PacketState } from './packet-state'
import type { RecentLists } from './recent'

/** What compiled matches read besides the packet: the node, the engine's clock and random choices. */
export interface MatchEnv {
  /** a random branch taken with probability p (seeded draw, or the enumerator's choice) */
  decide(p: number): boolean
  /** enumerate mode: look, change nothing (recent lists, nth counters, limit buckets) */
  dry: boolean
  /** seconds, for recent and limit */
  now: number
  recent: RecentLists
  isLocal(addr: number): boolean
  ifaces: Interfaces
  ipsets: Map<string, CompiledIpset>
  probe: SetProbe
}

export type Pred = (p: PacketState) => boolean

const LOCAL = ADDR_TYPES.find(([n]) => n === 'LOCAL')![1]
const UNICAST = ADDR_TYPES.find(([n]) => n === 'UNICAST')![1]
const BROADCAST = ADDR_TYPES.find(([n]) => n === 'BROADCAST')![1]
const MULTICAST = ADDR_TYPES.find(([n]) => n === 'MULTICAST')![1]

function addrType(env: MatchEnv, a: number): number {
  if (env.isLocal(a)) return LOCAL
  if (a === 0xffffffff) return BROADCAST
  if (a >>> 28 === 0xe) return MULTICAST
  return UNICAST
}

const inRange = (v: number, lo: number, hi: number): boolean => v >= lo && v <= hi

const LIMIT_SECONDS = { sec: 1, min: 60, hour: 3600, day: 86400 } as const

/**
 * Compiles one match into a predicate over numbers (net/netfilter/xt_*.c semantics). `source`/`line` name
 * the rule for errors found only now (a set that does not exist).
 */
export function compileMatch(m: Match, env: MatchEnv, source: string, line: number): Pred {
  switch (m.module) {
    case 'comment':
    case 'nfacct':
      return () => true
    case 'tcp':
    case 'udp':
    case 'sctp': {
      const sp = m.sport
      const dp = m.dport
      const fl = m.tcpFlags
      return (p) =>
        (!sp || inRange(p.sport, sp.lo, sp.hi) !== sp.invert) &&
        (!dp || inRange(p.dport, dp.lo, dp.hi) !== dp.invert) &&
        (!fl || ((p.tcpFlags & fl.mask) === fl.comp) !== fl.invert)
    }
    case 'icmp': {
      const { type, codeLo, codeHi, invert } = m
      return (p) => (type === 255 || (p.icmpType === type && inRange(p.icmpCode, codeLo, codeHi))) !== invert
    }
    case 'multiport': {
      const lo = Int32Array.from(m.ports, (r) => r.lo)
      const hi = Int32Array.from(m.ports, (r) => r.hi)
      const { dir, invert } = m
      return (p) => {
        for (let k = 0; k < lo.length; k++) {
          if (dir !== 'sports' && p.dport >= lo[k] && p.dport <= hi[k]) return !invert
          if (dir !== 'dports' && p.sport >= lo[k] && p.sport <= hi[k]) return !invert
        }
        return invert
      }
    }
    case 'mark': {
      const { value, mask, invert } = m
      return (p) => ((p.mark & mask) >>> 0 === value) !== invert
    }
    case 'connmark': {
      const { value, mask, invert } = m
      return (p) => p.ct !== null && ((p.ctmark & mask) >>> 0 === value) !== invert
    }
    case 'state':
      return (p) => ((p.ctState & m.state.mask) !== 0) !== m.state.invert
    case 'conntrack':
      return compileConntrack(m)
    case 'addrtype': {
      const { srcType, dstType } = m
      return (p) =>
        (!srcType || ((addrType(env, p.src) & srcType.mask) !== 0) !== srcType.invert) &&
        (!dstType || ((addrType(env, p.dst) & dstType.mask) !== 0) !== dstType.invert)
    }
    case 'statistic': {
      if (m.mode === 'random') {
        const { probability, invert } = m
        return () => env.decide(probability) !== invert
      }
      const { every, packet, invert } = m
      let count = 0
      return () => {
        if (env.dry) return env.decide(1 / every) !== invert
        const hit = count % every === packet
        count++
        return hit !== invert
      }
    }
    case 'recent': {
      const { command, name, mask, side, seconds, hitcount, invert } = m
      return (p) => {
        const addr = ((side === 'rsource' ? p.src : p.dst) & mask) >>> 0
        let hit: boolean
        if (command === 'set') {
          if (!env.dry) env.recent.set(name, addr, env.now)
          hit = true
        } else if (command === 'remove')
          hit = env.dry ? env.recent.check(name, addr, env.now, undefined, 1) : env.recent.remove(name, addr)
        else {
          hit = env.recent.check(name, addr, env.now, seconds, hitcount)
          if (hit && command === 'update' && !env.dry) env.recent.set(name, addr, env.now)
        }
        return hit !== invert
      }
    }
    case 'set': {
      const set = env.ipsets.get(m.name)
      if (!set)
        throw new InputError(
          `Set ${m.name} doesn't exist (give the ipset save output with --ipsets)`,
          source,
          line,
          1,
        )
      const { flags, invert } = m
      const probe = env.probe
      return (p) => {
        probe.srcAddr = p.src
        probe.dstAddr = p.dst
        probe.proto = p.proto
        probe.sport = p.sport
        probe.dport = p.dport
        return set.test(probe, flags) !== invert
      }
    }
    case 'iprange': {
      const { src, dst } = m
      return (p) =>
        (!src || inRange(p.src, src.lo, src.hi) !== src.invert) &&
        (!dst || inRange(p.dst, dst.lo, dst.hi) !== dst.invert)
    }
    case 'limit': {
      // token bucket of xt_limit: `burst` tokens, refilled at rate/unit
      const perSecond = m.rate / LIMIT_SECONDS[m.unit]
      let tokens = m.burst
      let last = Number.NEGATIVE_INFINITY
      return () => {
        const now = env.now
        const refill = Number.isFinite(last) ? (now - last) * perSecond : m.burst
        const available = Math.min(m.burst, tokens + refill)
        if (available < 1) return false
        if (!env.dry) {
          tokens = available - 1
          last = now
        }
        return true
      }
    }
    case 'physdev': {
      // packets in this model do not cross a bridge: physdev names are empty and is-bridged is false
      const { physdevIn, physdevOut, isIn, isOut, isBridged } = m
      const pin = physdevIn && new IfaceMatcher(physdevIn, env.ifaces)
      const pout = physdevOut && new IfaceMatcher(physdevOut, env.ifaces)
      return () =>
        (!pin || pin.test(0)) &&
        (!pout || pout.test(0)) &&
        (!isIn || !!m.isInInvert) &&
        (!isOut || !!m.isOutInvert) &&
        (!isBridged || !!m.isBridgedInvert)
    }
  }
}

function compileConntrack(m: Extract<Match, { module: 'conntrack' }>): Pred {
  const { ctstate, ctproto, ctorigsrc, ctorigdst, ctreplsrc, ctrepldst, ctdir } = m
  const { ctorigsrcport, ctorigdstport, ctreplsrcport, ctrepldstport } = m
  const am = (a: { addr: number; mask: number; invert: boolean } | undefined, v: number): boolean =>
    !a || ((v & a.mask) >>> 0 === a.addr) !== a.invert
  const pm = (r: { lo: number; hi: number; invert: boolean } | undefined, v: number): boolean =>
    !r || inRange(v, r.lo, r.hi) !== r.invert
  return (p) => {
    if (ctstate && ((p.ctState & ctstate.mask) !== 0) === ctstate.invert) return false
    const e = p.ct
    const needsEntry = ctproto || ctorigsrc || ctorigdst || ctreplsrc || ctrepldst || ctdir
    const needsPort = ctorigsrcport || ctorigdstport || ctreplsrcport || ctrepldstport
    if (!needsEntry && !needsPort) return true
    if (!e) return false
    if (ctproto && (e.proto === ctproto.proto) === ctproto.invert) return false
    if (ctdir && (ctdir === 'REPLY') !== (p.ctDir === 1)) return false
    return (
      am(ctorigsrc, e.origSrc) &&
      am(ctorigdst, e.origDst) &&
      am(ctreplsrc, e.replSrc) &&
      am(ctrepldst, e.replDst) &&
      pm(ctorigsrcport, e.origSport) &&
      pm(ctorigdstport, e.origDport) &&
      pm(ctreplsrcport, e.replSport) &&
      pm(ctrepldstport, e.replDport)
    )
  }
}
