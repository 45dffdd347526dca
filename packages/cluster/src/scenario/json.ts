import { LineCounter, parseDocument } from 'yaml'
import { InputError } from '../errors/errors'
import { jsonSyntaxError } from './jsonSyntax'
import type { Cluster } from './types'
import { type JsonPath, validateCluster } from './validate'

/**
 * Parses and validates the JSON form of a cluster. Syntax errors and validation errors name `source` and
 * the line; the path-to-line lookup re-reads the text (through the yaml package's node ranges) only when
 * there is an error, so large valid files parse at JSON.parse speed.
 */
export function parseClusterJson(text: string, source = '<cluster>'): Cluster {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    const found = jsonSyntaxError(text)
    const at = found?.offset ?? 0
    const before = text.slice(0, at)
    const line = before.split('\n').length
    throw new InputError(
      `invalid JSON: ${found?.message ?? (e as Error).message}`,
      source,
      line,
      at - before.lastIndexOf('\n'),
    )
  }
  return validateCluster(value, source, (path) => locatePath(text, path))
}

/** The cluster as JSON with sorted object keys and two-space indentation, ending in a newline. */
export function serializeCluster(cluster: Cluster): string {
  return `${JSON.stringify(cluster, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? sorted(v) : v), 2)}\n`
}

function sorted(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(o).sort()) out[k] = o[k]
  return out
}

/** Where `path` sits in `text` (JSON is YAML 1.2 flow syntax); the closest existing ancestor otherwise. */
export function locatePath(text: string, path: JsonPath): { line: number; column: number } | undefined {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false, uniqueKeys: false })
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined
    if (node?.range) {
      const { line, col } = lineCounter.linePos(node.range[0])
      return { line, column: col }
    }
  }
  return undefined
}
