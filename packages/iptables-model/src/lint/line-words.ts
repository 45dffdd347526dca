import { isAscii } from 'node:buffer'
import { HASH_START, hashStep } from './name-table'

/**
 * The words of one line for lint's fast path, found in place in the read buffer as iptables-restore's
 * `add_param_to_argv` (iptables/xshared.c) would split them — for the plain subset only: words separated by
 * spaces, a double-quoted word without escapes — and FNV-1a-hashed on the way, so looking a word up costs
 * no second pass over its bytes. Anything else (tabs, escapes, a quote inside a word) makes `split` give up.
 */
export class LineWords {
  /** start, end (exclusive) and hash of each word (0 for a quoted one, whose bounds exclude the quotes) */
  readonly ws: Int32Array
  readonly we: Int32Array
  readonly hs: Int32Array
  readonly quoted: Uint8Array
  /** where the line split last ends (its `\n`, or the end of the region) */
  end = 0
  private plain = false
  /** the read buffer as little-endian 32-bit blocks at any offset (four bytes compared at a time) */
  private view: DataView = new DataView(new ArrayBuffer(0))

  constructor(private readonly max: number) {
    this.ws = new Int32Array(max)
    this.we = new Int32Array(max)
    this.hs = new Int32Array(max)
    this.quoted = new Uint8Array(max)
  }

  /**
   * Tells the reader about the bytes [s, e) whose lines come next: when they are all ASCII without a tab,
   * a carriage return or a backslash (any dump iptables-save wrote without odd comments), the word splitter
   * looks only for spaces, quotes and newlines.
   */
  region(buf: Buffer, s: number, e: number): void {
    const r = buf.subarray(s, e)
    this.plain = isAscii(r) && r.indexOf(9) < 0 && r.indexOf(13) < 0 && r.indexOf(92) < 0
    if (this.view.buffer !== buf.buffer || this.view.byteOffset !== buf.byteOffset)
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  /** Words separated by spaces up to the end of the line, each hashed; -1 when it needs the full tokenizer. */
  split(buf: Buffer, s: number, e: number): number {
    const { ws, we, hs, quoted } = this
    const plain = this.plain
    let n = 0
    let i = s
    let c = 0
    // the name of `:NAME` starts after the colon
    let skip = buf[s] === 58 ? 1 : 0
    while (i < e) {
      c = buf[i]
      if (c === 32) {
        i++
        continue
      }
      if (c === 10) break
      if (n === this.max) return -1
      if (c === 34) {
        const st = i + 1
        let j = st
        if (plain) {
          // four bytes at a time while they are all before e: a `"` or `\n` shows as a zero byte of v ^ it
          const dv = this.view
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
            c = buf[j]
            if (c === 34 || c === 10) break
          }
        } else
          for (; j < e; j++) {
            c = buf[j]
            if (c === 34) break
            if (c === 92 || c < 32 || c > 126) return -1
          }
        if (j >= e || buf[j] !== 34) return -1
        if (j + 1 < e && (c = buf[j + 1]) !== 32 && c !== 10) return -1
        ws[n] = st
        we[n] = j
        hs[n] = 0
        quoted[n++] = 1
        i = j + 1
        continue
      }
      i += skip
      skip = 0
      const st = i
      let h = HASH_START
      if (plain) {
        const dv = this.view
        let found = false
        // four bytes at a time: a space, `"` and `\n` are all below 35, and (in a plain region) word bytes
        // rarely are; a block with one is looked at byte by byte up to it
        while (i + 4 <= e) {
          const v = dv.getInt32(i, true)
          let m = below35(v)
          if (m === 0) {
            h = hashStep(h, v)
            i += 4
            continue
          }
          m = zeroByte(v ^ 0x20202020) | zeroByte(v ^ 0x22222222) | zeroByte(v ^ 0x0a0a0a0a)
          if (m === 0) {
            h = hashStep(h, v)
            i += 4
            continue
          }
          const k = firstByte(m)
          if (k > 0) h = hashStep(h, v & ((1 << (8 * k)) - 1))
          i += k
          found = true
          break
        }
        // fewer than four bytes left before e: one at a time
        if (!found) {
          let v = 0
          let k = 0
          for (; i < e; i++, k += 8) {
            c = buf[i]
            if (c === 32 || c === 34 || c === 10) break
            v |= c << k
          }
          if (k > 0) h = hashStep(h, v)
        }
        if (i < e && buf[i] === 34) return -1
      } else {
        let v = 0
        let k = 0
        for (; i < e; i++) {
          c = buf[i]
          if (c === 32 || c === 10) break
          if (c < 33 || c > 126 || c === 34 || c === 92) return -1
          v |= c << k
          k += 8
          if (k === 32) {
            h = hashStep(h, v)
            v = 0
            k = 0
          }
        }
        if (k > 0) h = hashStep(h, v)
      }
      ws[n] = st
      we[n] = i
      hs[n] = h
      quoted[n++] = 0
    }
    this.end = i
    return n
  }
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
