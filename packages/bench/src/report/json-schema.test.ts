import { describe, expect, it } from 'vitest'
import { type JsonSchema, validateJson } from './json-schema'

const schema: JsonSchema = {
  $defs: { point: { type: 'object', required: ['x'], properties: { x: { type: 'number', minimum: 0 } } } },
  type: 'object',
  required: ['schemaVersion', 'points'],
  additionalProperties: false,
  properties: {
    schemaVersion: { const: 1 },
    mode: { enum: ['quick', 'full'] },
    points: { type: 'array', minItems: 1, items: { $ref: '#/$defs/point' } },
    limit: { type: ['integer', 'null'] },
  },
}

describe('validateJson', () => {
  it('accepts a value that follows the schema', () => {
    expect(
      validateJson({ schemaVersion: 1, mode: 'quick', points: [{ x: 1.5 }], limit: null }, schema),
    ).toEqual([])
  })

  it.each([
    [{ schemaVersion: 2, points: [{ x: 1 }] }, '$.schemaVersion', /expected 1/],
    [{ schemaVersion: 1, points: [] }, '$.points', /at least 1/],
    [{ schemaVersion: 1, points: [{ x: -1 }] }, '$.points[0].x', /≥ 0/],
    [{ schemaVersion: 1, points: [{}] }, '$.points[0]', /missing required property x/],
    [{ schemaVersion: 1, points: [{ x: 1 }], extra: 1 }, '$', /unexpected property extra/],
    [{ schemaVersion: 1, points: [{ x: 1 }], limit: 1.5 }, '$.limit', /integer or null/],
    [{ schemaVersion: 1, points: [{ x: 1 }], mode: 'slow' }, '$.mode', /one of/],
    [{ schemaVersion: 1, points: [{ x: Number.NaN }] }, '$.points[0].x', /finite/],
  ])('rejects %j at %s', (value, path, message) => {
    const errors = validateJson(value, schema)
    expect(errors.some((e) => e.path === path && message.test(e.message))).toBe(true)
  })

  it('reports schema keywords it does not implement instead of ignoring them', () => {
    expect(validateJson(1, { type: 'number', multipleOf: 2 } as JsonSchema)[0].message).toMatch(/unsupported/)
  })
})
