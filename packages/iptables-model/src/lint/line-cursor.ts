import { isAscii } from 'node:buffer'
import { HASH_START, hashStep } from './name-table'

/**
 * A cursor over the words of one line, for lint's fast path: the rule reader asks for the next word where
 * it needs it and gets its bounds in place in the read buffer, as iptables-restore's `add_param_to_argv`
 * (iptables/xshared.c) would split the line — for the plain subset only: words separated by spaces, a
 * double-quoted word without escapes. Anything else (tabs, escapes, a quote inside a word) makes `next`
 * give up (-1), and the line goes to the full tokenizer. No word is recorded or hashed unless asked for:
 * option values (addresses, comments, ports) are only found, then checked by the reader that wants them.
 */
export class LineCursor {
  buf: Buffer = Buffer.alloc(0)
  /** the read buffer as little-endian 32-bit blocks at any offset (four bytes compared at a time) */
  dv: DataView = new DataView(new ArrayBuffer(0))
  /** where the region ends: its last line ends there (or at its `\n`) */
  e = 0
  /** the next byte to read */
  i = 0
  /** the word read last: [s, t), without its quotes when `quoted` */
  s = 0
  t = 0
  quoted = false
  private plain = false

  /**
   * The bytes [s, e) whose lines come next: when they are all ASCII without a tab, a carriage return or a
   * backslash (any dump iptables-save wrote without odd comments), words are found four bytes at a time
   * looking only for spaces, quotes and newlines.
   */
  region(buf: Buffer, s: number, e: number): void {
    const r = buf.subarray(s, e)
    this.plain = isAscii(r) && r.indexOf(9) < 0 && r.indexOf(13) < 0 && r.indexOf(92) < 0
    if (this.buf !== buf) {
      this.buf = buf
      this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    }
    this.e = e
  }

  /**
   * Moves past spaces to the next word: true when one is there, false at the end of the line (`i` at its `\n`
   * or at `e`). A reader that needs a value and gets false hands the line to the full parser.
   */
  atWord(): boolean {
    const buf = this.buf
    const e = this.e
    let i = this.i
    while (i < e && buf[i] === 32) i++
    this.i = i
    return i < e && buf[i] !== 10
  }

  /** The next word: 1, 0 at the end of the line, -1 when the line needs the full tokenizer. */
  next(): number {
    if (!this.atWord()) return 0
    return this.word() ? 1 : -1
  }

  /** Reads the word at `i` (possibly empty when `i` is at a space or the line's end); false: give up. */
  word(): boolean {
    const buf = this.buf
    const e = this.e
    let i = this.i
    if (i < e && buf[i] === 34) return this.quotedWord(i + 1)
    this.s = i
    this.quoted = false
    if (this.plain) {
      const dv = this.dv
      // four bytes at a time: a space, `"` and `\n` are all below 35, and (in a plain region) word bytes
      // rarely are; a block with one is looked at exactly
      for (;;) {
        if (i + 4 > e) {
          for (; i < e; i++) {
            const c = buf[i]
            if (c === 32 || c === 10) break
            if (c === 34) return false
          }
          break
        }
        const v = dv.getInt32(i, true)
        if (below35(v) === 0) {
          i += 4
          continue
        }
        const m = zeroByte(v ^ 0x20202020) | zeroByte(v ^ 0x22222222) | zeroByte(v ^ 0x0a0a0a0a)
        if (m === 0) {
          i += 4
          continue
        }
        i += firstByte(m)
        if (buf[i] === 34) return false
        break
      }
    } else
      for (; i < e; i++) {
        const c = buf[i]
        if (c === 32 || c === 10) break
        if (c < 33 || c > 126 || c === 34 || c === 92) return false
      }
    this.t = i
    this.i = i
    return true
  }

  /** A double-quoted word whose text starts at `st`: it must end with `"` before a space or the line's end. */
  private quotedWord(st: number): boolean {
    const buf = this.buf
    const e = this.e
    let j = st
    if (this.plain) {
      // a `"` or `\n` shows as a zero byte of v ^ it
      const dv = this.dv
      while (j + 4 <= e) {
        const v = dv.getInt32(j, true)
        const m = zeroByte(v ^ 0x22222222) | zeroByte(v ^ 0x0a0a0a0a)
        if (m !== 0) {
          j += firstByte(m)
          break
        }
        j += 4
      }
      for (; j < e; j++) {
        const c = buf[j]
        if (c === 34 || c === 10) break
      }
    } else
      for (; j < e; j++) {
        const c = buf[j]
        if (c === 34) break
        if (c === 92 || c < 32 || c > 126) return false
      }
    if (j >= e || buf[j] !== 34) return false
    if (j + 1 < e) {
      const c = buf[j + 1]
      if (c !== 32 && c !== 10) return false
    }
    this.s = st
    this.t = j
    this.quoted = true
    this.i = j + 1
    return true
  }

  /** The hash (`hashBytes`) of the word read last. */
  hash(): number {
    return hashView(this.dv, this.buf, this.s, this.t)
  }

  /** Whether the word read last is the one byte `c`. */
  isByte(c: number): boolean {
    return this.t - this.s === 1 && this.buf[this.s] === c
  }
}

/** `hashBytes` of buf[s, e), reading four bytes at a time through `dv` (a view of the same bytes). */
export function hashView(dv: DataView, buf: Buffer, s: number, e: number): number {
  let h = HASH_START
  let i = s
  for (; i + 4 <= e; i += 4) h = hashStep(h, dv.getInt32(i, true))
  if (i < e) {
    let v = 0
    for (let k = 0; i < e; i++, k += 8) v |= buf[i] << k
    h = hashStep(h, v)
  }
  return h
}

/** 0x80 in each byte of x that is zero, and maybe in bytes above the lowest such (never below it). */
function zeroByte(x: number): number {
  return ((x - 0x01010101) | 0) & ~x & 0x80808080
}

/** The index (0-3) of the lowest byte flagged in a zeroByte mask. */
function firstByte(m: number): number {
  return (31 - Math.clz32(m & -m)) >> 3
}

/** 0x80 in each byte of x below 35 (a byte >= 0x80 never, as the region is ASCII), maybe in bytes above such a one. */
function below35(x: number): number {
  return ((x - 0x23232323) | 0) & ~x & 0x80808080
}
