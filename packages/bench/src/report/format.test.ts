import { describe, expect, it } from 'vitest'
import { fmtBytes, fmtInt, fmtNs, fmtPct, fmtRatio, mdTable, textTable } from './format'

describe('format', () => {
  it.each([
    [fmtNs(850), '850 ns'],
    [fmtNs(12_345), '12.3 µs'],
    [fmtNs(2.5e9), '2.5 s'],
    [fmtBytes(1536), '1.5 KiB'],
    [fmtBytes(100), '100 B'],
    [fmtInt(1234567), '1,234,567'],
    [fmtRatio(52.345), '52.3×'],
    [fmtRatio(1234.5), '1235×'],
    [fmtRatio(0), '—'],
    [fmtPct(-12.34), '-12 %'],
    [fmtPct(3.21), '+3.2 %'],
  ])('%s is %s', (got, want) => {
    expect(got).toBe(want)
  })

  it('writes a Markdown table with the first column left-aligned and pipes escaped', () => {
    expect(mdTable(['a', 'b'], [['x|y', '1']])).toBe('| a | b |\n|:---|---:|\n| x\\|y | 1 |\n')
  })

  it('pads a text table to column widths', () => {
    expect(textTable(['name', 'n'], [['ab', '10']])).toBe('name   n\n----  --\nab    10\n')
  })
})
