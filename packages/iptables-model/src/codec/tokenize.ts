/**
 * Splits one iptables-restore line into words the way iptables-restore's `add_param_to_argv`
 * (iptables/xshared.c) does: whitespace separates, double quotes group, a backslash escapes `"`, `'` or a
 * backslash inside quotes. Hand-written over char codes because a regex per token is the slowest part of
 * reading a multi-million-line dump.
 *
 * The result lives in reused buffers (`words`, `columns`, `count`) so reading a line allocates only the
 * word strings themselves.
 */
export interface Tokens {
  words: string[]
  /** 1-based column of each word */
  columns: number[]
  count: number
  /** column of an unterminated quote, or 0 */
  unterminated: number
}

export function createTokens(): Tokens {
  return { words: [], columns: [], count: 0, unterminated: 0 }
}

const SPACE = 32
const TAB = 9
const QUOTE = 34
const BACKSLASH = 92
const CR = 13
const APOSTROPHE = 39

export function tokenize(line: string, out: Tokens): Tokens {
  let n = 0
  out.unterminated = 0
  const len = line.length
  let i = 0
  while (i < len) {
    let c = line.charCodeAt(i)
    if (c === SPACE || c === TAB || c === CR) {
      i++
      continue
    }
    const start = i
    if (c !== QUOTE) {
      // fast path: a plain word, the overwhelmingly common case
      while (i < len) {
        c = line.charCodeAt(i)
        if (c === SPACE || c === TAB || c === QUOTE || c === CR) break
        i++
      }
      if (c !== QUOTE || i >= len) {
        out.words[n] = line.slice(start, i)
        out.columns[n] = start + 1
        n++
        continue
      }
    }
    // a whole word in quotes without escapes ("kubernetes service portals"): one slice
    if (i === start) {
      const close = line.indexOf('"', start + 1)
      const after = close < 0 ? -1 : close + 1 < len ? line.charCodeAt(close + 1) : SPACE
      if (
        close > 0 &&
        line.lastIndexOf('\\', close) < start &&
        (after === SPACE || after === TAB || after === CR)
      ) {
        out.words[n] = line.slice(start + 1, close)
        out.columns[n] = start + 1
        n++
        i = close + 1
        continue
      }
    }
    // a word containing quotes: build it piecewise
    let word = line.slice(start, i)
    let quoted = false
    let quoteCol = 0
    while (i < len) {
      c = line.charCodeAt(i)
      if (!quoted && (c === SPACE || c === TAB || c === CR)) break
      if (c === QUOTE) {
        quoted = !quoted
        if (quoted) quoteCol = i + 1
        i++
        continue
      }
      if (quoted && c === BACKSLASH && i + 1 < len) {
        const d = line.charCodeAt(i + 1)
        if (d === QUOTE || d === BACKSLASH || d === APOSTROPHE) {
          word += line[i + 1]
          i += 2
          continue
        }
      }
      word += line[i]
      i++
    }
    if (quoted) out.unterminated = quoteCol
    out.words[n] = word
    out.columns[n] = start + 1
    n++
  }
  out.count = n
  return out
}

const NO_QUOTE = /^[-_0-9a-zA-Z]+$/
const ESCAPE = /["\\']/g

/**
 * A string argument as iptables-save prints it (`xtables_save_string`, libxtables/xtables.c): bare when it is
 * only `[-_0-9a-zA-Z]`, else double-quoted with `"`, `\` and `'` backslash-escaped.
 */
export function saveString(value: string): string {
  if (value.length > 0 && NO_QUOTE.test(value)) return value
  return `"${value.replace(ESCAPE, '\\$&')}"`
}
