import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

/** The files of one report: path relative to the report directory → contents. */
export type ReportFiles = ReadonlyMap<string, string>

/**
 * Writes a whole report directory atomically: every file goes into a fresh sibling temp directory first, then
 * the old directory is renamed away, the new one renamed into place, and the old one removed. If anything
 * fails before the swap, the temp directory is removed and the previous report is left exactly as it was.
 */
export function writeReportDir(outDir: string, files: ReportFiles): void {
  const out = resolve(outDir)
  const parent = dirname(out)
  mkdirSync(parent, { recursive: true })
  const stamp = `${process.pid}.${Date.now()}`
  const tmp = join(parent, `.${basename(out)}.new-${stamp}`)
  const old = join(parent, `.${basename(out)}.old-${stamp}`)
  try {
    mkdirSync(tmp)
    for (const [rel, text] of files) {
      if (rel.startsWith('/') || rel.split(/[\\/]/).includes('..'))
        throw new Error(`report file outside the report: ${rel}`)
      const path = join(tmp, rel)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, text)
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  const hadOld = existsSync(out)
  if (hadOld) renameSync(out, old)
  try {
    renameSync(tmp, out)
  } catch (e) {
    if (hadOld) renameSync(old, out)
    rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  if (hadOld) rmSync(old, { recursive: true, force: true })
}
