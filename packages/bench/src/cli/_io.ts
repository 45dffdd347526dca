import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { InputError } from '@dataplane-sim/cluster'

/** Reads a file for a command, turning a missing file into an input error that names it. */
export function readInput(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8')
  } catch (e) {
    throw new InputError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path, 1)
  }
}

/** Writes `text` atomically (temp file in the same directory, then rename), creating the directory. */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = join(dirname(path), `.${Date.now()}.${process.pid}.tmp`)
  writeFileSync(tmp, text)
  renameSync(tmp, path)
}

/** Writes to `-o file` when given, else to stdout. */
export function emit(text: string, out?: string): void {
  if (out) writeAtomic(out, text)
  else process.stdout.write(text)
}

/** JSON with sorted object keys and a final newline, so two runs can be diffed. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? sortKeys(v) : v), 2)}\n`
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(o).sort()) out[k] = o[k]
  return out
}
