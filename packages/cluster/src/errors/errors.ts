/**
 * Bad input: names the source (a file name or '<stdin>'), the line and column where known, and what was
 * expected. The CLI prints `source:line: message` and exits 2.
 */
export class InputError extends Error {
  override readonly name: string = 'InputError'
  constructor(
    message: string,
    readonly source: string,
    readonly line?: number,
    readonly column?: number,
    readonly path?: string,
  ) {
    super(message)
  }

  /** `source:line:column: message` */
  format(): string {
    const where = [this.source, this.line, this.column].filter((x) => x !== undefined).join(':')
    return `${where}: ${this.message}`
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError
}
