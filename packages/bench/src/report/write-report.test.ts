import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeReportDir } from './write-report'

describe('writeReportDir', () => {
  it('writes every file, nested ones included, and replaces the previous report', () => {
    const base = mkdtempSync(join(tmpdir(), 'dpsim-report-'))
    const out = join(base, 'r')
    writeReportDir(
      out,
      new Map([
        ['README.md', 'one'],
        ['charts/a.svg', '<svg/>'],
      ]),
    )
    writeReportDir(out, new Map([['README.md', 'two']]))
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('two')
    expect(readdirSync(out)).toEqual(['README.md'])
    expect(readdirSync(base)).toEqual(['r'])
  })

  it('leaves the previous report intact and no temp files behind when writing fails', () => {
    const base = mkdtempSync(join(tmpdir(), 'dpsim-report-'))
    const out = join(base, 'r')
    writeReportDir(out, new Map([['README.md', 'good']]))
    expect(() =>
      writeReportDir(
        out,
        new Map([
          ['README.md', 'bad'],
          ['../escape.md', 'x'],
        ]),
      ),
    ).toThrow(/outside/)
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('good')
    expect(readdirSync(base)).toEqual(['r'])
  })

  it('fails cleanly when a file cannot be created, keeping the old report', () => {
    const base = mkdtempSync(join(tmpdir(), 'dpsim-report-'))
    const out = join(base, 'r')
    writeReportDir(out, new Map([['README.md', 'good']]))
    // a file and a directory of the same name cannot both exist
    expect(() =>
      writeReportDir(
        out,
        new Map([
          ['x', 'file'],
          ['x/y', 'nested'],
        ]),
      ),
    ).toThrow()
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('good')
    expect(readdirSync(base)).toEqual(['r'])
    writeFileSync(join(base, 'keep'), '')
  })
})
