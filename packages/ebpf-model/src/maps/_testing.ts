import { isBpfMapError } from './errors'

/** The errno a map operation fails with, undefined when it succeeds (tests only). */
export function errnoOf(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    if (isBpfMapError(e)) return e.errno
    throw e
  }
  return undefined
}
