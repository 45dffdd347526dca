/**
 * Option values as iptables reads and prints them: addresses with a prefix or a dotted mask, ports and
 * port ranges, hex/decimal marks. Parsers return -1 / null on malformed input so the caller can raise an
 * InputError naming the option; they are hand-written because they run millions of times on big dumps.
 */

/** Dotted quad at [start, end) of `s` as uint32, or -1. */
export function parseIp(s: string, start = 0, end = s.length): number {
  let value = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1
      value = value * 256 + part
      part = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48)
      if (++digits > 3 || part > 255) return -1
    } else return -1
  }
  if (digits === 0 || dots !== 3) return -1
  return value * 256 + part
}

export function formatIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

/** Prefix length of a contiguous mask, or -1. */
export function maskPrefix(mask: number): number {
  const inv = ~mask >>> 0
  if ((inv & (inv + 1)) !== 0) return -1
  return Math.clz32(inv)
}

/** `a.b.c.d[/len|/a.b.c.d]` → [addr & mask, mask], or null. */
export function parseAddrMask(s: string): [number, number] | null {
  const slash = s.indexOf('/')
  const end = slash < 0 ? s.length : slash
  const addr = parseIp(s, 0, end)
  if (addr < 0) return null
  let mask = 0xffffffff
  if (slash >= 0) {
    if (s.indexOf('.', slash) > 0) {
      mask = parseIp(s, slash + 1)
      if (mask < 0) return null
    } else {
      const p = parseUint(s, slash + 1, s.length)
      if (p < 0 || p > 32) return null
      mask = prefixMask(p)
    }
  }
  return [(addr & mask) >>> 0, mask >>> 0]
}

/** `-s`/`-d` as iptables-save prints them: always with a prefix (`/32`), a dotted mask when not contiguous. */
export function formatAddrMask(addr: number, mask: number): string {
  const p = maskPrefix(mask)
  return p >= 0 ? `${formatIp(addr)}/${p}` : `${formatIp(addr)}/${formatIp(mask)}`
}

/** conntrack's --ctorigdst and friends: the prefix is left out when it is /32. */
export function formatAddrMaskShort(addr: number, mask: number): string {
  return mask === 0xffffffff ? formatIp(addr) : formatAddrMask(addr, mask)
}

/** Decimal digits at [start, end) of `s`, or -1. */
export function parseUint(s: string, start = 0, end = s.length): number {
  if (end <= start || end - start > 15) return -1
  let v = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return -1
    v = v * 10 + (c - 48)
  }
  return v
}

/** A 32-bit value written in decimal or 0x hex (marks, masks), or -1. */
export function parseU32(s: string, start = 0, end = s.length): number {
  if (end - start > 2 && s.charCodeAt(start) === 48 && (s.charCodeAt(start + 1) | 32) === 120) {
    if (end - start > 10) return -1
    let v = 0
    for (let i = start + 2; i < end; i++) {
      const c = s.charCodeAt(i) | 32
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
      if (d < 0) return -1
      v = v * 16 + d
    }
    return v
  }
  const v = parseUint(s, start, end)
  return v > 0xffffffff ? -1 : v
}

/** `value[/mask]` (mask defaults to 0xffffffff), or null. */
export function parseValueMask(s: string): [number, number] | null {
  const slash = s.indexOf('/')
  const value = parseU32(s, 0, slash < 0 ? s.length : slash)
  if (value < 0) return null
  const mask = slash < 0 ? 0xffffffff : parseU32(s, slash + 1)
  if (mask < 0) return null
  return [value, mask]
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`
}

/** A port 0-65535, or -1. */
export function parsePort(s: string, start = 0, end = s.length): number {
  const p = parseUint(s, start, end)
  return p > 65535 ? -1 : p
}

/**
 * `lo[<sep>hi]` with sep ':' (match ports) or '-' (NAT ports); `:hi` and `lo:` mean 0 and 65535 as
 * iptables reads them. Null when malformed or lo > hi.
 */
export function parsePortRange(s: string, sep: string): { lo: number; hi: number } | null {
  const at = s.indexOf(sep)
  if (at < 0) {
    const p = parsePort(s)
    return p < 0 ? null : { lo: p, hi: p }
  }
  const lo = at === 0 ? 0 : parsePort(s, 0, at)
  const hi = at === s.length - 1 ? 65535 : parsePort(s, at + 1)
  if (lo < 0 || hi < 0 || lo > hi) return null
  return { lo, hi }
}

export function formatPortRange(r: { lo: number; hi: number }, sep: string): string {
  return r.lo === r.hi ? String(r.lo) : `${r.lo}${sep}${r.hi}`
}

/** IP protocol numbers iptables-save prints by name (/etc/protocols as libxtables knows them). */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  udplite: 136,
  icmp: 1,
  esp: 50,
  ah: 51,
  sctp: 132,
  gre: 47,
  dccp: 33,
  ipv6: 41,
  igmp: 2,
  ipip: 4,
}

/** Canonical `-p` name for a name or number ('' for all/0), or null when unknown. */
export function canonicalProtocol(s: string): string | null {
  const lower = s.toLowerCase()
  if (lower === 'all' || lower === '0') return ''
  if (lower in PROTOCOL_NUMBERS) return lower
  const n = parseUint(s)
  if (n < 0 || n > 255) return null
  for (const name in PROTOCOL_NUMBERS) if (PROTOCOL_NUMBERS[name] === n) return name
  return String(n)
}

export function protocolNumber(name: string): number {
  return PROTOCOL_NUMBERS[name] ?? Number(name)
}
