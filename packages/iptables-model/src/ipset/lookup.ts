import type { Ipsets, IpsetType } from './types'

/** What a set is tested with: the address and (for ,port types) protocol and port picked by the flags. */
export interface SetProbe {
  srcAddr: number
  dstAddr: number
  proto: number
  sport: number
  dport: number
}

/**
 * A set compiled for lookups on numbers: hash types keep a Set of keys per prefix length present (the kernel's
 * hash:net also probes each prefix length it holds, most specific first, so a `nomatch` inside a larger net
 * wins), list:set tests its members in order.
 */
export class CompiledIpset {
  private readonly byPrefix: Array<{
    prefix: number
    mask: number
    match: Set<number>
    nomatch: Set<number>
  }> = []
  members: CompiledIpset[] = []

  constructor(
    readonly name: string,
    readonly type: IpsetType,
  ) {}

  add(addr: number, prefix: number, proto: number, port: number, nomatch: boolean): void {
    let slot = this.byPrefix.find((b) => b.prefix === prefix)
    if (!slot) {
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
      slot = { prefix, mask, match: new Set(), nomatch: new Set() }
      this.byPrefix.push(slot)
      this.byPrefix.sort((a, b) => b.prefix - a.prefix)
    }
    ;(nomatch ? slot.nomatch : slot.match).add(key(addr, proto, port))
  }

  get size(): number {
    let n = this.members.length
    for (const b of this.byPrefix) n += b.match.size + b.nomatch.size
    return n
  }

  /** `--match-set NAME flags`: flags[0] picks the address side, flags[1] the port side. */
  test(p: SetProbe, flags: ReadonlyArray<'src' | 'dst'>): boolean {
    if (this.type === 'list:set') {
      for (const m of this.members) if (m.test(p, flags)) return true
      return false
    }
    const addr = flags[0] === 'src' ? p.srcAddr : p.dstAddr
    const ported = this.type === 'hash:ip,port' || this.type === 'hash:net,port'
    if (ported && flags.length < 2) return false
    const proto = ported ? p.proto : 0
    const port = ported ? (flags[1] === 'src' ? p.sport : p.dport) : 0
    for (const b of this.byPrefix) {
      const k = key((addr & b.mask) >>> 0, proto, port)
      if (b.nomatch.has(k)) return false
      if (b.match.has(k)) return true
    }
    return false
  }
}

/** A number key of address, protocol and port (exact up to 2^53). */
function key(addr: number, proto: number, port: number): number {
  return addr * 2 ** 21 + ((proto & 31) << 16) + port
}

export function compileIpsets(sets: Ipsets): Map<string, CompiledIpset> {
  const out = new Map<string, CompiledIpset>()
  for (const s of sets.values()) {
    const c = new CompiledIpset(s.name, s.type)
    for (const e of s.entries) if (!e.member) c.add(e.addr, e.prefix, e.proto, e.port, !!e.nomatch)
    out.set(s.name, c)
  }
  for (const s of sets.values())
    if (s.type === 'list:set') out.get(s.name)!.members = s.entries.map((e) => out.get(e.member!)!)
  return out
}
