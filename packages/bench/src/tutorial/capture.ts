import { runCli } from '../cli/program'

/** What one dpsim command printed and how it exited. */
export interface CommandRun {
  argv: string[]
  exitCode: number
  stdout: string
  stderr: string
}

/**
 * Runs `dpsim <argv>` in this process (the CLI's own `runCli`) and captures what it writes. Commands write
 * through process.stdout/stderr, so both are swapped for the duration of the call.
 */
export async function runDpsim(argv: string[]): Promise<CommandRun> {
  let stdout = ''
  let stderr = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  }) as typeof process.stderr.write
  let exitCode: number
  try {
    exitCode = await runCli(argv)
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
  return { argv, exitCode, stdout, stderr }
}
