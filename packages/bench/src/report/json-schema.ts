/**
 * The subset of JSON Schema (2020-12) that `results.schema.json` uses: type (one or a list), properties,
 * required, additionalProperties, items, enum, const, minimum, maximum, minItems, pattern, anyOf and local
 * `$ref`s into `$defs`. Small on purpose: the report's schema is ours, and a dependency such as ajv would be
 * the only reason to pull in a code generator.
 */
export interface JsonSchema {
  $schema?: string
  $id?: string
  $ref?: string
  $defs?: Record<string, JsonSchema>
  title?: string
  description?: string
  type?: JsonType | JsonType[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  minimum?: number
  maximum?: number
  minItems?: number
  pattern?: string
  anyOf?: JsonSchema[]
}

type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null'

/** Where a value breaks the schema: a JSON path (`$.scaling[2].iptables.match`) and what was expected. */
export interface SchemaError {
  path: string
  message: string
}

const KNOWN = new Set([
  '$schema',
  '$id',
  '$ref',
  '$defs',
  'title',
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'minimum',
  'maximum',
  'minItems',
  'pattern',
  'anyOf',
])

/** Every violation of `schema` by `value` (empty when it validates). Unknown keywords are an error. */
export function validateJson(value: unknown, schema: JsonSchema, root: JsonSchema = schema): SchemaError[] {
  const errors: SchemaError[] = []
  check(value, schema, root, '$', errors)
  return errors
}

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v as JsonType
}

function check(v: unknown, s: JsonSchema, root: JsonSchema, path: string, errors: SchemaError[]): void {
  for (const k of Object.keys(s)) {
    if (!KNOWN.has(k)) errors.push({ path, message: `schema uses unsupported keyword ${k}` })
  }
  if (s.$ref) {
    const m = /^#\/\$defs\/(.+)$/.exec(s.$ref)
    const target = m ? root.$defs?.[m[1]] : undefined
    if (!target) errors.push({ path, message: `unresolvable $ref ${s.$ref}` })
    else check(v, target, root, path, errors)
  }
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type]
    const t = typeOf(v)
    const ok = types.includes(t) || (t === 'integer' && types.includes('number'))
    if (!ok) {
      errors.push({ path, message: `expected ${types.join(' or ')}, got ${t}` })
      return
    }
    if (typeof v === 'number' && !Number.isFinite(v))
      errors.push({ path, message: 'expected a finite number' })
  }
  if (s.enum && !s.enum.some((e) => e === v))
    errors.push({ path, message: `expected one of ${JSON.stringify(s.enum)}` })
  if ('const' in s && s.const !== v) errors.push({ path, message: `expected ${JSON.stringify(s.const)}` })
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) errors.push({ path, message: `expected ≥ ${s.minimum}` })
    if (s.maximum !== undefined && v > s.maximum) errors.push({ path, message: `expected ≤ ${s.maximum}` })
  }
  if (typeof v === 'string' && s.pattern && !new RegExp(s.pattern).test(v)) {
    errors.push({ path, message: `expected to match /${s.pattern}/` })
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) {
      errors.push({ path, message: `expected at least ${s.minItems} items` })
    }
    if (s.items) {
      for (let i = 0; i < v.length; i++) check(v[i], s.items, root, `${path}[${i}]`, errors)
    }
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    for (const r of s.required ?? [])
      if (!(r in o)) errors.push({ path, message: `missing required property ${r}` })
    for (const [k, val] of Object.entries(o)) {
      const sub = s.properties?.[k]
      if (sub) check(val, sub, root, `${path}.${k}`, errors)
      else if (s.additionalProperties === false) errors.push({ path, message: `unexpected property ${k}` })
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        check(val, s.additionalProperties, root, `${path}.${k}`, errors)
      }
    }
  }
  if (s.anyOf) {
    const ok = s.anyOf.some((alt) => validateJson(v, alt, root).length === 0)
    if (!ok) errors.push({ path, message: 'matches none of the allowed shapes' })
  }
}
