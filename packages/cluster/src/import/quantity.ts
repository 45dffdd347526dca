const SUFFIX: Record<string, number> = {
  '': 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
}

/**
 * A Kubernetes resource.Quantity as bytes (`16Gi`, `16384000Ki`, `1.5G`, `1e9`, `128974848`); null when
 * it is not one. Milli-units (`m`) are rejected: memory is never fractional bytes.
 */
export function parseQuantity(text: string): number | null {
  const m = /^([0-9]+(?:\.[0-9]+)?)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E))?$/.exec(text.trim())
  if (!m) return null
  const base = Number(m[1])
  const value = m[2] ? base * 10 ** Number(m[2].slice(1)) : base * SUFFIX[m[3] ?? '']
  return Number.isFinite(value) ? Math.round(value) : null
}
