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

function indexOfByte(buf: Buffer, c: number, s: number, e: number): number {
  for (let i = s; i < e; i++) if (buf[i] === c) return i
  return -1
}

/** Whether a word ends at i (a space, a `\n` or the end e of the line). */
function ends(buf: Buffer, i: number, e: number): boolean {
  return i >= e || buf[i] === 32 || buf[i] === 10
}

/** the value of the digits digitsEnd read last */
let digitValue = 0

/** Where the run of decimal digits from s ends (s when none); their value in digitValue. */
function digitsEnd(buf: Buffer, s: number, e: number): number {
  let v = 0
  let i = s
  for (; i < e; i++) {
    const c = buf[i]
    if (c < 48 || c > 57) break
    v = v * 10 + (c - 48)
  }
  digitValue = v
  return i
}

/** values.ts parseIp over bytes: where the address from s ends, or -1 */
function ipEnd(buf: Buffer, s: number, e: number): number {
  let part = 0
  let digits = 0
  let dots = 0
  let i = s
  for (; i < e; i++) {
    const c = buf[i]
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1
      part = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48)
      if (++digits > 3 || part > 255) return -1
    } else break
  }
  return digits > 0 && dots === 3 ? i : -1
}

/** A port (values.ts parsePort: 1-15 digits, at most 65535) ending at i from s: its value, or -1. */
function portOf(s: number, i: number): number {
  return i > s && i - s <= 15 && digitValue <= 65535 ? digitValue : -1
}

/**
 * The fused readers below check a value word where it starts and find its end as they go (no scan for the
 * end first): each returns where the word ends (a space, `\n` or e follows), or -1 when the full parser
 * must judge it; each accepts a subset of what its values.ts parser accepts.
 */
/** `a.b.c.d[/len]` (a dotted mask goes to the full parser) */
export function addrEnd(buf: Buffer, s: number, e: number): number {
  const i = ipEnd(buf, s, e)
  if (i < 0 || ends(buf, i, e)) return i
  if (buf[i] !== 47) return -1
  const j = digitsEnd(buf, i + 1, e)
  return j > i + 1 && j - i - 1 <= 15 && digitValue <= 32 && ends(buf, j, e) ? j : -1
}

/** values.ts parsePortRange(v, ':') over bytes */
export function portRangeEnd(buf: Buffer, s: number, e: number): number {
  const i = digitsEnd(buf, s, e)
  const lo = i > s ? portOf(s, i) : 0
  if (lo < 0) return -1
  if (ends(buf, i, e)) return i > s ? i : -1
  if (buf[i] !== 58) return -1
  const j = digitsEnd(buf, i + 1, e)
  const hi = j > i + 1 ? portOf(i + 1, j) : 65535
  return hi >= 0 && lo <= hi && ends(buf, j, e) ? j : -1
}

/** multiport's comma-separated ports over bytes [s, e), at most 15 */
export function portListAt(buf: Buffer, s: number, e: number): boolean {
  let items = 0
  for (let i = s; ; ) {
    let j = indexOfByte(buf, 44, i, e)
    if (j < 0) j = e
    if (portRangeEnd(buf, i, j) !== j || ++items > 15) return false
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

/** values.ts parseU32 over bytes: where the number from s ends, or -1 */
function u32End(buf: Buffer, s: number, e: number): number {
  if (s + 1 < e && buf[s] === 48 && (buf[s + 1] | 32) === 120) {
    let i = s + 2
    for (; i < e; i++) {
      const c = buf[i]
      const l = c | 32
      if (!((c >= 48 && c <= 57) || (l >= 97 && l <= 102))) break
    }
    return i > s + 2 && i - s <= 10 ? i : -1
  }
  const i = digitsEnd(buf, s, e)
  return i > s && i - s <= 15 && digitValue <= 0xffffffff ? i : -1
}

/** VALUE[/MASK] */
export function valueMaskEnd(buf: Buffer, s: number, e: number): number {
  const i = u32End(buf, s, e)
  if (i < 0 || ends(buf, i, e)) return i
  if (buf[i] !== 47) return -1
  const j = u32End(buf, i + 1, e)
  return j >= 0 && ends(buf, j, e) ? j : -1
}

/**
 * `IP` or `IP:PORT` (ranges go to the full parser): the end times two, plus 1 with a port; -1 when not
 * understood
 */
export function natEnd(buf: Buffer, s: number, e: number): number {
  const i = ipEnd(buf, s, e)
  if (i < 0) return -1
  if (ends(buf, i, e)) return 2 * i
  if (buf[i] !== 58) return -1
  const j = digitsEnd(buf, i + 1, e)
  const p = portOf(i + 1, j)
  return p >= 1 && ends(buf, j, e) ? 2 * j + 1 : -1
}

/** `[0-9]*.[0-9]*` with a digit, in [0, 1] (a subset of what libxt_statistic reads) */
export function probabilityEnd(buf: Buffer, s: number, e: number): number {
  let intPart = 0
  let digits = 0
  let i = s
  for (; i < e && buf[i] >= 48 && buf[i] <= 57; i++, digits++)
    intPart = Math.min(intPart * 10 + buf[i] - 48, 10)
  let fractionNonZero = false
  if (!ends(buf, i, e)) {
    if (buf[i] !== 46) return -1
    for (i++; i < e; i++, digits++) {
      const c = buf[i]
      if (c < 48 || c > 57) break
      if (c !== 48) fractionNonZero = true
    }
    if (!ends(buf, i, e)) return -1
  }
  return digits > 0 && (intPart === 0 || (intPart === 1 && !fractionNonZero)) ? i : -1
}
