/**
 * Finds the first JSON syntax error in `text`: its offset and what was expected there. Node's JSON.parse
 * does not always report a position (V8 prints a snippet instead), so the error line comes from this small
 * recursive-descent scanner, run only after JSON.parse has failed.
 */
export function jsonSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++
  }
  class Stop extends Error {}
  const fail = (what: string): never => {
    const found = i < text.length ? JSON.stringify(text[i]) : 'the end of the input'
    throw new Stop(`expected ${what}, found ${found}`)
  }
  const value = (): void => {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail('a string key')
        string()
        ws()
        if (text[i] !== ':') fail("':'")
        i++
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === '}') return void i++
        else fail("',' or '}'")
      }
    }
    if (c === '[') {
      i++
      ws()
      if (text[i] === ']') return void i++
      for (;;) {
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === ']') return void i++
        else fail("',' or ']'")
      }
    }
    if (c === '"') {
      string()
      return
    }
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400))
    if (!m) fail('a value')
    i += m![0].length
  }
  const string = () => {
    i++
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        i++
        if (
          text[i] === 'u'
            ? !/^u[0-9a-fA-F]{4}/.test(text.slice(i, i + 5))
            : !'"\\/bfnrt'.includes(text[i] ?? '')
        )
          fail('an escape sequence')
      } else if (text.charCodeAt(i) < 0x20) fail('a closing quote')
      i++
    }
    if (i >= text.length) fail('a closing quote')
    i++
  }
  try {
    value()
    ws()
    if (i < text.length) fail('the end of the input')
    return null
  } catch (e) {
    if (e instanceof Stop) return { offset: i, message: e.message }
    throw e
  }
}
