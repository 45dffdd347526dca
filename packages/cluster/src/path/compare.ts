import type { ReferenceCandidate, ReferenceResult } from '../reference/types'
import type { PacketPath } from './tracePath'

export interface CompareOptions {
  /** compare each candidate's probability within this absolute tolerance (enumerate mode only) */
  probabilityTolerance?: number
}

/**
 * Where a dataplane's end-to-end path disagrees with the reference: verdict, candidate set, masquerade.
 * Empty when they agree. In enumerate mode the allowed candidate sets must be equal; otherwise the chosen
 * backend must be one the reference lists, and the verdict must be what the reference says of that backend
 * (a denied choice drops even when another backend would have been allowed). Masquerade is compared only
 * when the reference forwards, per backend (a candidate's own flag, else the path's: hairpin differs).
 */
export function compareWithReference(
  path: PacketPath,
  ref: ReferenceResult,
  opts: CompareOptions = {},
): string[] {
  const out: string[] = []
  const key = (c: { ip: string; port: number }) => `${c.ip}:${c.port}`
  const refByKey = new Map<string, ReferenceCandidate>(ref.eligible.map((c) => [key(c), c]))
  const pathKeys = path.candidates.map(key).sort()

  if (!path.enumerate && path.chosen && ref.frontend) {
    const chosen = refByKey.get(key(path.chosen))
    if (!chosen) {
      out.push(
        `chosen backend ${key(path.chosen)} is not an eligible endpoint (reference: ${listOf(ref.eligible.map(key))})`,
      )
      return out
    }
    const expected = chosen.allowed ? 'forward' : 'drop'
    if (path.verdict !== expected)
      out.push(
        `verdict: path ${path.verdict}, reference ${expected} for chosen backend ${key(path.chosen)}${chosen.reason ? ` (${chosen.reason})` : ''}`,
      )
    if (chosen.allowed && path.masquerade !== chosen.masquerade && !hairpinMixed(path, chosen))
      out.push(`masquerade: path ${path.masquerade}, reference ${chosen.masquerade} for ${key(path.chosen)}`)
    return out
  }

  // Forwarding without translating what the reference translates; a path stopped before translation
  // (policy on the way to the addressed node, say) is judged by its verdict below.
  if (
    !path.enumerate &&
    ref.frontend &&
    ref.eligible.length > 0 &&
    !path.chosen &&
    path.verdict === 'forward'
  ) {
    out.push(`no backend chosen: the reference translates to one of ${listOf(ref.eligible.map(key))}`)
    return out
  }
  if (path.verdict !== ref.verdict)
    out.push(
      `verdict: path ${path.verdict}${path.reason ? ` (${path.reason})` : ''}, reference ${ref.verdict} (${ref.reasons.join('; ')})`,
    )
  const refKeys = ref.candidates.map(key).sort()
  if (path.enumerate || !ref.frontend) {
    if (pathKeys.join(',') !== refKeys.join(','))
      out.push(`candidates: path ${listOf(pathKeys)}, reference ${listOf(refKeys)}`)
  } else if (pathKeys.some((k) => !refKeys.includes(k)))
    out.push(`candidates: path ${listOf(pathKeys)} not within reference ${listOf(refKeys)}`)

  if (path.enumerate && opts.probabilityTolerance !== undefined)
    for (const c of path.candidates) {
      const r = refByKey.get(key(c))
      if (r && Math.abs(r.probability - c.probability) > opts.probabilityTolerance)
        out.push(`probability of ${key(c)}: path ${c.probability}, reference ${r.probability}`)
    }

  if (ref.verdict === 'forward' && path.verdict === 'forward') {
    if (path.candidates.length === 0 && path.masquerade !== ref.masquerade)
      out.push(`masquerade: path ${path.masquerade}, reference ${ref.masquerade}`)
    for (const c of path.candidates) {
      const r = refByKey.get(key(c))
      const m = c.masquerade ?? path.masquerade
      if (r && m !== r.masquerade) out.push(`masquerade of ${key(c)}: path ${m}, reference ${r.masquerade}`)
    }
  }
  return out
}

/** A hairpin choice is masqueraded per backend; the path's service-level flag may say either. */
function hairpinMixed(path: PacketPath, chosen: ReferenceCandidate): boolean {
  const c = path.candidates.find((x) => x.ip === chosen.ip && x.port === chosen.port)
  return c?.masquerade === chosen.masquerade
}

function listOf(keys: string[]): string {
  return keys.length ? `[${keys.join(', ')}]` : '[]'
}
