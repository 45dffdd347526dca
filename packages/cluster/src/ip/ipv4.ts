import ipaddr from 'ipaddr.js'

/**
 * IPv4 helpers. Parsing and validation go through ipaddr.js; hot paths use the uint32 form (`ipToU32`,
 * `Cidr.base`/`Cidr.mask`) so that a match is two integer operations.
 */

export interface Cidr {
  /** network address as uint32 (host bits cleared) */
  base: number
  prefix: number
  /** netmask as uint32 */
  mask: number
}

/**
 * Strict dotted-quad parse; null when not an IPv4 address: four decimal parts of one to three digits, no
 * leading zero, each at most 255. Scans char codes instead of a regular expression: the agent and the
 * renderers parse every pod and backend address of a 100k-service cluster through here.
 */
export function tryIpToU32(text: string): number | null {
  const len = text.length
  if (len < 7 || len > 15) return null
  let n = 0
  let part = 0
  let digits = 0
  let first = 0
  let dots = 0
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || dots === 3) return null
      n = n * 256 + part
      part = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) first = c
      else if (first === 48 || digits === 3) return null
      part = part * 10 + (c - 48)
      if (part > 255) return null
      digits++
    } else return null
  }
  if (digits === 0 || dots !== 3) return null
  return n * 256 + part
}

export function ipToU32(text: string): number {
  const n = tryIpToU32(text)
  if (n === null) throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`)
  return n
}

export function u32ToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

export function prefixToMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

/**
 * Parses "a.b.c.d/len" (or a bare address, read as /32). Host bits are cleared as iptables and Kubernetes
 * do (`10.0.0.1/8` is `10.0.0.0/8`); null when malformed.
 */
export function tryParseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/')
  const addr = slash < 0 ? text : text.slice(0, slash)
  const ip = tryIpToU32(addr)
  if (ip === null) return null
  let prefix = 32
  if (slash >= 0) {
    const p = text.slice(slash + 1)
    if (!/^\d{1,2}$/.test(p)) return null
    prefix = Number(p)
    if (prefix > 32) return null
  }
  const mask = prefixToMask(prefix)
  return { base: (ip & mask) >>> 0, prefix, mask }
}

export function parseCidr(text: string): Cidr {
  const c = tryParseCidr(text)
  if (!c) throw new RangeError(`not an IPv4 CIDR: ${JSON.stringify(text)}`)
  return c
}

export function formatCidr(c: Cidr): string {
  return `${u32ToIp(c.base)}/${c.prefix}`
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return (ip & c.mask) >>> 0 === c.base
}

/** The i-th address of a CIDR (0 is the network address). */
export function cidrAddress(c: Cidr, i: number): number {
  return (c.base + i) >>> 0
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix)
}

/** Splits `c` into consecutive subnets of `prefix` bits. */
export function subnet(c: Cidr, prefix: number, index: number): Cidr {
  if (prefix < c.prefix) throw new RangeError(`subnet /${prefix} is larger than ${formatCidr(c)}`)
  const count = 2 ** (prefix - c.prefix)
  if (index >= count) throw new RangeError(`${formatCidr(c)} has only ${count} /${prefix} subnets`)
  const mask = prefixToMask(prefix)
  return { base: (c.base + index * 2 ** (32 - prefix)) >>> 0, prefix, mask }
}

/** True when `text` is a valid IPv4 or IPv6 address (ipaddr.js). */
export function isIP(text: string): boolean {
  return ipaddr.isValid(text)
}

export function ipFamily(text: string): 'IPv4' | 'IPv6' | null {
  if (tryIpToU32(text) !== null) return 'IPv4'
  return ipaddr.IPv6.isValid(text) ? 'IPv6' : null
}
