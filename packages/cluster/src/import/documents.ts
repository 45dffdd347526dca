import { type Document, LineCounter, parseAllDocuments } from 'yaml'
import { InputError } from '../errors/errors'
import type { JsonPath } from '../scenario/validate'

/** One Kubernetes object of a dump, with where it sits (for error lines). */
export interface DumpItem {
  value: unknown
  /** 1-based document number */
  document: number
  /** path of the object inside its document ([] for a bare object, ['items', i] inside a List) */
  path: JsonPath
  /** line and column of `path + field` in the source, or of its closest ancestor */
  locate(field: JsonPath): { line: number; column: number }
}

interface YamlItem extends DumpItem {
  /** line of a path from the document root */
  locateIn(path: JsonPath): { line: number; column: number }
}

/**
 * Splits a kubectl dump into objects: multi-document YAML, a `List` (kind List or any *List with items),
 * or the same as JSON (JSON is YAML flow syntax, so one parser gives lines for both). Syntax errors name
 * the document and line.
 */
export function readDump(text: string, source: string): DumpItem[] {
  const json = tryJson(text)
  if (json !== undefined) return itemsOfJson(text, source, json)
  return readYaml(text, source)
}

function readYaml(text: string, source: string): YamlItem[] {
  const lineCounter = new LineCounter()
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false })
  const docs: Document[] = Array.isArray(parsed) ? parsed : []
  const items: YamlItem[] = []
  docs.forEach((doc, d) => {
    const err = doc.errors[0]
    if (err) {
      const pos = lineCounter.linePos(err.pos[0])
      throw new InputError(`document ${d + 1}: ${firstLine(err.message)}`, source, pos.line, pos.col)
    }
    let value: unknown
    try {
      value = doc.toJS({ maxAliasCount: 100 })
    } catch (e) {
      const pos = lineCounter.linePos(doc.range?.[0] ?? 0)
      throw new InputError(`document ${d + 1}: ${firstLine((e as Error).message)}`, source, pos.line, pos.col)
    }
    const locate = (path: JsonPath) => {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined
        if (node?.range) {
          const { line, col } = lineCounter.linePos(node.range[0])
          return { line, column: col }
        }
      }
      const { line, col } = lineCounter.linePos(doc.range?.[0] ?? 0)
      return { line, column: col }
    }
    eachObject(value, (v, path) => {
      items.push({
        value: v,
        document: d + 1,
        path,
        locate: (field) => locate([...path, ...field]),
        locateIn: locate,
      })
    })
  })
  return items
}

function tryJson(text: string): unknown {
  const first = text.trimStart()[0]
  if (first !== '{' && first !== '[') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Valid JSON (what `kubectl -o json` prints, possibly huge) is read with JSON.parse; lines are looked up
 * through the YAML parser only when an error needs one.
 */
function itemsOfJson(text: string, source: string, value: unknown): DumpItem[] {
  let located: YamlItem[] | undefined
  const lines = () => (located ??= readYaml(text, source))
  const items: DumpItem[] = []
  eachObject(value, (v, path) => {
    items.push({
      value: v,
      document: 1,
      path,
      locate: (field) => lines()[0]?.locateIn([...path, ...field]) ?? { line: 1, column: 1 },
    })
  })
  return items
}

/** The objects of one document: itself, the elements of a bare array, or the items of a List. */
function eachObject(value: unknown, add: (v: unknown, path: JsonPath) => void): void {
  if (value === null || value === undefined) return
  if (Array.isArray(value))
    value.forEach((v, i) => {
      add(v, [i])
    })
  else if (isList(value))
    value.items.forEach((v, i) => {
      add(v, ['items', i])
    })
  else add(value, [])
}

function isList(v: unknown): v is { items: unknown[] } {
  if (!v || typeof v !== 'object') return false
  const o = v as Record<string, unknown>
  return typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)
}

function firstLine(message: string): string {
  return message.split('\n')[0]
}
