import type { NameTable } from './name-table'

/**
 * Option values read in place from the bytes of a line, for lint's fast path: each mirrors a parser of
 * codec/values.ts (or the option check that calls it) and accepts a subset of what that parser accepts, so
 * that a value the fast path takes is one the full parser takes too; what it does not take goes to the full
 * parser, which names the error.
 */
/** values.ts parseUint over bytes: 1-15 decimal digits, or -1 */
export function uintAt(buf: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 15) return -1
  let v = 0
  for (let i = s; i < e; i++) {
    const c = buf[i]
    if (c < 48 || c > 57) return -1
    v = v * 10 + (c - 48)
  }
  return v
}

/** values.ts parseIp over bytes */
function ipAt(buf: Buffer, s: number, e: number): boolean {
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = s; i < e; i++) {
    const c = buf[i]
    if (c === 46) {
      if (digits === 0 || dots === 3) return false
      part = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48)
      if (++digits > 3 || part > 255) return false
    } else return false
  }
  return digits > 0 && dots === 3
}

function indexOfByte(buf: Buffer, c: number, s: number, e: number): number {
  for (let i = s; i < e; i++) if (buf[i] === c) return i
  return -1
}

/** `a.b.c.d[/len]` (a dotted mask goes to the full parser) */
export function addrAt(buf: Buffer, s: number, e: number): boolean {
  const slash = indexOfByte(buf, 47, s, e)
  if (slash < 0) return ipAt(buf, s, e)
  if (!ipAt(buf, s, slash)) return false
  // a dotted mask has a dot, which uintAt refuses
  const p = uintAt(buf, slash + 1, e)
  return p >= 0 && p <= 32
}

function portAt(buf: Buffer, s: number, e: number): number {
  const p = uintAt(buf, s, e)
  return p > 65535 ? -1 : p
}

/** values.ts parsePortRange(v, ':') over bytes */
export function portRangeAt(buf: Buffer, s: number, e: number): boolean {
  const at = indexOfByte(buf, 58, s, e)
  if (at < 0) return portAt(buf, s, e) >= 0
  const lo = at === s ? 0 : portAt(buf, s, at)
  const hi = at === e - 1 ? 65535 : portAt(buf, at + 1, e)
  return lo >= 0 && hi >= 0 && lo <= hi
}

/** multiport's comma-separated ports, at most 15 */
export function portListAt(buf: Buffer, s: number, e: number): boolean {
  let items = 0
  for (let i = s; ; ) {
    let j = indexOfByte(buf, 44, i, e)
    if (j < 0) j = e
    if (!portRangeAt(buf, i, j) || ++items > 15) return false
    if (j === e) return true
    i = j + 1
  }
}

/** a comma-separated list of known names (flag[id] set), at most `max` */
export function listAt(
  buf: Buffer,
  s: number,
  e: number,
  words: NameTable,
  flag: Uint8Array,
  max: number,
): boolean {
  let items = 0
  for (let i = s; ; ) {
    let j = indexOfByte(buf, 44, i, e)
    if (j < 0) j = e
    const id = words.find(buf, i, j)
    if (id < 0 || !flag[id] || ++items > max) return false
    if (j === e) return true
    i = j + 1
  }
}

/** values.ts parseU32 over bytes */
function u32At(buf: Buffer, s: number, e: number): boolean {
  if (e - s > 2 && buf[s] === 48 && (buf[s + 1] | 32) === 120) {
    if (e - s > 10) return false
    for (let i = s + 2; i < e; i++) {
      const c = buf[i] | 32
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
    }
    return true
  }
  const v = uintAt(buf, s, e)
  return v >= 0 && v <= 0xffffffff
}

/** VALUE[/MASK] */
export function valueMaskAt(buf: Buffer, s: number, e: number): boolean {
  const slash = indexOfByte(buf, 47, s, e)
  if (slash < 0) return u32At(buf, s, e)
  return u32At(buf, s, slash) && u32At(buf, slash + 1, e)
}

/** `IP` or `IP:PORT` (ranges go to the full parser): 0, 1 with a port, -1 when not understood */
export function natAt(buf: Buffer, s: number, e: number): number {
  const colon = indexOfByte(buf, 58, s, e)
  // an address or port range has a dash, which ipAt and portAt refuse
  if (!ipAt(buf, s, colon < 0 ? e : colon)) return -1
  if (colon < 0) return 0
  const p = portAt(buf, colon + 1, e)
  return p >= 1 ? 1 : -1
}

/** `[0-9]*.[0-9]*` with a digit, in [0, 1] (a subset of what libxt_statistic reads) */
export function probabilityAt(buf: Buffer, s: number, e: number): boolean {
  let intPart = 0
  let digits = 0
  let i = s
  for (; i < e && buf[i] >= 48 && buf[i] <= 57; i++, digits++)
    intPart = Math.min(intPart * 10 + buf[i] - 48, 10)
  let fractionNonZero = false
  if (i < e) {
    if (buf[i] !== 46) return false
    for (i++; i < e; i++, digits++) {
      const c = buf[i]
      if (c < 48 || c > 57) return false
      if (c !== 48) fractionNonZero = true
    }
  }
  return digits > 0 && (intPart === 0 || (intPart === 1 && !fractionNonZero))
}
