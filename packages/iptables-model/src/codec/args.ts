import { InputError } from '@dataplane-sim/cluster'
import type { Tokens } from './tokenize'

/**
 * A cursor over the words of one rule line, for the match and target option parsers. Errors point at the
 * word being read (line and column).
 */
export class Args {
  i = 0
  constructor(
    public tokens: Tokens,
    public source: string,
    public line: number,
  ) {}

  /** Points the cursor at another line (one Args serves every rule of a dump). */
  reset(tokens: Tokens, source: string, line: number): this {
    this.tokens = tokens
    this.source = source
    this.line = line
    this.i = 0
    return this
  }

  get done(): boolean {
    return this.i >= this.tokens.count
  }

  peek(): string | undefined {
    return this.i < this.tokens.count ? this.tokens.words[this.i] : undefined
  }

  /** The value of option `opt` (the next word), or an error saying what was expected. */
  value(opt: string, expected: string): string {
    if (this.i >= this.tokens.count || (this.tokens.words[this.i] === '!' && expected !== '!'))
      this.fail(`${opt} needs ${expected}`, this.i - 1)
    return this.tokens.words[this.i++]
  }

  /** An InputError at word `at` (default: the word just read). */
  fail(message: string, at = this.i - 1): never {
    const k = Math.max(0, Math.min(at, this.tokens.count - 1))
    throw new InputError(message, this.source, this.line, this.tokens.columns[k] ?? 1)
  }
}
