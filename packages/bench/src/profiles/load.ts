import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type CostProfile, InputError } from '@dataplane-sim/cluster'

/** Where the named profiles live: `packages/bench/profiles/<name>.json`. */
export const PROFILES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'profiles')

/** Names of the profiles shipped in `PROFILES_DIR` (`anchors`, `calibrated` when the lab committed one). */
export function profileNames(): string[] {
  try {
    return readdirSync(PROFILES_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort()
  } catch {
    return []
  }
}

/** The 1-based line of the first occurrence of `"key"` in JSON text (for error messages), else 1. */
function lineOf(text: string, key: string): number {
  const at = text.indexOf(JSON.stringify(key))
  return at < 0 ? 1 : text.slice(0, at).split('\n').length
}

/**
 * Parses and checks a CostProfile: schema version 1, a name, and every constant a finite, non-negative value
 * with a unit and a source. Errors name the file, the line and what was expected.
 */
export function parseProfile(text: string, source: string): CostProfile {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message)
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : 1
    throw new InputError(`expected a JSON cost profile: ${(e as Error).message}`, source, line)
  }
  const p = raw as Partial<CostProfile>
  if (!p || typeof p !== 'object' || Array.isArray(p))
    throw new InputError('expected a JSON object', source, 1)
  if (p.schemaVersion !== 1) {
    throw new InputError(
      `expected schemaVersion 1, got ${JSON.stringify(p.schemaVersion)}`,
      source,
      lineOf(text, 'schemaVersion'),
    )
  }
  if (typeof p.name !== 'string' || !p.name)
    throw new InputError('expected a "name" string', source, lineOf(text, 'name'))
  if (!p.provenance || typeof p.provenance.method !== 'string') {
    throw new InputError('expected "provenance" with a "method" string', source, lineOf(text, 'provenance'))
  }
  if (!p.constants || typeof p.constants !== 'object') {
    throw new InputError('expected a "constants" object', source, lineOf(text, 'constants'))
  }
  for (const [key, c] of Object.entries(p.constants)) {
    const ok =
      c &&
      typeof c === 'object' &&
      typeof c.value === 'number' &&
      Number.isFinite(c.value) &&
      c.value >= 0 &&
      typeof c.unit === 'string' &&
      typeof c.source === 'string'
    if (!ok) {
      throw new InputError(
        `constant ${key}: expected { value: finite number ≥ 0, unit: string, source: string }`,
        source,
        lineOf(text, key),
      )
    }
  }
  return { description: '', ...p } as CostProfile
}

/**
 * Loads a cost profile by name (`anchors`, `calibrated`: files in `packages/bench/profiles/`) or by path to a
 * JSON file.
 */
export function loadProfile(pathOrName: string): CostProfile {
  const named = /^[a-z0-9-]+$/i.test(pathOrName) && profileNames().includes(pathOrName)
  const path = named ? join(PROFILES_DIR, `${pathOrName}.json`) : pathOrName
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const known = profileNames().join(', ')
    throw new InputError(
      `cannot read cost profile (${(e as NodeJS.ErrnoException).code ?? 'error'}); expected a file or one of: ${known}`,
      pathOrName,
      1,
    )
  }
  return parseProfile(text, path)
}
