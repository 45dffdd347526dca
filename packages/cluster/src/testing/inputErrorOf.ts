import { InputError } from '../errors/errors'

/** The InputError `fn` throws; fails the test when it throws something else or nothing. */
export function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn()
  } catch (e) {
    if (e instanceof InputError) return e
    throw e
  }
  throw new Error('expected an InputError, nothing was thrown')
}
