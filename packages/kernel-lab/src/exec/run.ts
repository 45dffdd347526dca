import { spawn } from 'node:child_process'

/** What one command did: its output, exit code and wall-clock seconds from spawn to exit. */
export interface RunResult {
  stdout: string
  stderr: string
  code: number
  seconds: number
}

export interface RunOptions {
  /** written to the command's stdin, then stdin is closed */
  input?: string
  /** killed (SIGKILL) after this many milliseconds; default 10 minutes */
  timeoutMs?: number
  /** a non-zero exit resolves instead of rejecting */
  allowFail?: boolean
  cwd?: string
}

/** A command that failed: keeps the argv and stderr so the lab can say what the kernel refused. */
export class CommandError extends Error {
  override readonly name = 'CommandError'
  constructor(
    readonly argv: string[],
    readonly result: RunResult,
  ) {
    super(`${argv.join(' ')} exited ${result.code}: ${result.stderr.trim().slice(0, 500)}`)
  }
}

/** Runs argv (no shell), timing it from spawn to exit. */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const result: RunResult = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\nkilled by ${signal}` : ''),
        code: code ?? 128,
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
      }
      if (result.code !== 0 && !opts.allowFail) reject(new CommandError(argv, result))
      else resolve(result)
    })
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input ?? '')
  })
}

/** argv that runs `argv` inside network namespace `ns`. */
export function inNamespace(ns: string, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv]
}
