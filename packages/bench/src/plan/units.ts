/** Parses `16GiB`, `512MiB`, `8G`, `1073741824` into bytes; null when it is not a size. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\s*$/i.exec(text)
  if (!m) return null
  const unit = (m[2] ?? 'B').toUpperCase()
  const pow = { B: 0, K: 1, M: 2, G: 3, T: 4 }[unit[0] as 'B' | 'K' | 'M' | 'G' | 'T']
  const base = unit.length > 1 && unit[1] === 'I' ? 1024 : unit === 'B' ? 1 : 1000
  return Math.round(Number(m[1]) * base ** pow)
}

/** Parses `100us`, `100µs`, `2ms`, `5s`, `250ns` into nanoseconds; null when it is not a duration. */
export function parseDurationNs(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m)\s*$/.exec(text)
  if (!m) return null
  const mult = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9 }[m[2] as 'ns']
  return Number(m[1]) * mult
}
