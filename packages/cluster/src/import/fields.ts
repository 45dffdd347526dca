import type { JsonPath } from '../scenario/validate'
import { formatJsonPath } from '../scenario/validate'

/** Typed reads of one object's fields; a wrong type fails with the field's path. */
export interface Fields {
  obj(v: unknown, path: JsonPath): Record<string, unknown>
  /** absent or null → {} */
  optObj(v: unknown, path: JsonPath): Record<string, unknown>
  /** absent or null → [] */
  arr(v: unknown, path: JsonPath): unknown[]
  str(v: unknown, path: JsonPath): string
  optStr(v: unknown, path: JsonPath): string | undefined
  optInt(v: unknown, path: JsonPath, lo: number, hi: number): number | undefined
  int(v: unknown, path: JsonPath, lo: number, hi: number): number
  optBool(v: unknown, path: JsonPath): boolean | undefined
  labels(v: unknown, path: JsonPath): Record<string, string>
  fail(path: JsonPath, message: string): never
}

export function fieldsOf(fail: (path: JsonPath, message: string) => never): Fields {
  const got = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 50))
  const isObj = (v: unknown): v is Record<string, unknown> =>
    !!v && typeof v === 'object' && !Array.isArray(v)
  const f: Fields = {
    fail,
    obj: (v, p) => (isObj(v) ? v : fail(p, `expected a mapping, got ${got(v)}`)),
    optObj: (v, p) => (v === undefined || v === null ? {} : f.obj(v, p)),
    arr: (v, p) =>
      v === undefined || v === null ? [] : Array.isArray(v) ? v : fail(p, `expected a list, got ${got(v)}`),
    str: (v, p) =>
      typeof v === 'string' && v !== '' ? v : fail(p, `expected a non-empty string, got ${got(v)}`),
    optStr: (v, p) =>
      v === undefined || v === null
        ? undefined
        : typeof v === 'string'
          ? v
          : fail(p, `expected a string, got ${got(v)}`),
    optInt: (v, p, lo, hi) => (v === undefined || v === null ? undefined : f.int(v, p, lo, hi)),
    int: (v, p, lo, hi) =>
      typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi
        ? v
        : fail(p, `expected an integer ${lo}-${hi}, got ${got(v)}`),
    optBool: (v, p) =>
      v === undefined || v === null
        ? undefined
        : typeof v === 'boolean'
          ? v
          : fail(p, `expected true or false, got ${got(v)}`),
    labels: (v, p) => {
      const o = f.optObj(v, p)
      const out: Record<string, string> = {}
      for (const k of Object.keys(o)) {
        const x = o[k]
        if (typeof x !== 'string') fail([...p, k], `expected a string label value, got ${got(x)}`)
        out[k] = x as string
      }
      return out
    },
  }
  return f
}

export { formatJsonPath }
