import { describe, expect, it } from 'vitest'
import { parseBytes, parseDurationNs } from './units'

describe('parseBytes / parseDurationNs', () => {
  it.each([
    ['16GiB', 16 * 2 ** 30],
    ['512MiB', 512 * 2 ** 20],
    ['8G', 8e9],
    ['1024', 1024],
    ['1.5KiB', 1536],
    ['lots', null],
  ])('bytes %s → %s', (t, v) => {
    expect(parseBytes(t)).toBe(v)
  })
  it.each([
    ['100us', 1e5],
    ['100µs', 1e5],
    ['2ms', 2e6],
    ['5s', 5e9],
    ['250ns', 250],
    ['5', null],
  ])('duration %s → %s', (t, v) => {
    expect(parseDurationNs(t)).toBe(v)
  })
})
