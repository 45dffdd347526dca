import { isInputError } from '@dataplane-sim/cluster'
import { CommanderError } from 'commander'

/** Exit codes: 0 ok, 2 bad input (`file:line: message`, no stack), 1 internal error. */
export const EXIT_OK = 0
export const EXIT_INTERNAL = 1
export const EXIT_INPUT = 2

/** A command-line mistake that is not tied to a file (bad option value, missing argument). */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Prints an error the way the CLI reports it and returns the exit code it means. */
export function reportError(e: unknown, stderr: (s: string) => void): number {
  if (isInputError(e)) {
    stderr(`${e.format()}\n`)
    return EXIT_INPUT
  }
  if (e instanceof UsageError) {
    stderr(`dpsim: ${e.message}\n`)
    return EXIT_INPUT
  }
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_INPUT
  stderr(`dpsim: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  return EXIT_INTERNAL
}
