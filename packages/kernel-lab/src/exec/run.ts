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

/**
 * bash times the command with its builtin clock (no fork of its own inside the interval): the command's
 * fork, exec and run from a 4 MB shell, not from the calibrating Node process. Forking copies the parent's
 * page tables, so from Node the same command cost 2.6 ms at 45 MB RSS and 7.4 ms at 370 MB (`true`, here):
 * a process start timed from Node measured the lab's heap size at that moment, which differed between runs
 * (`bpftool map update` 4.0–4.6 ms in one quick calibration, 6.2–6.7 in the next), not the tool.
 */
const TIMED =
  'LC_ALL=C; s=$EPOCHREALTIME; "$@"; c=$?; e=$EPOCHREALTIME; echo "dpsim-timed $s $e" >&2; exit $c'

/**
 * Runs argv like `run`, with `seconds` the command's own start-to-exit time measured by a small shell.
 * `wrapped`: argv is `ip netns exec NS cmd ...`, and the shell runs inside the namespace, timing only `cmd`.
 */
export async function runTimed(argv: string[], opts: RunOptions = {}, wrapped = false): Promise<RunResult> {
  const at = wrapped ? argv.indexOf('exec') + 2 : 0
  if (wrapped && at < 2) throw new Error(`runTimed: expected ip netns exec NS ..., got ${argv.join(' ')}`)
  const r = await run([...argv.slice(0, at), 'bash', '-c', TIMED, 'bash', ...argv.slice(at)], opts)
  const m = /dpsim-timed (\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr)
  if (!m) throw new Error(`bash did not time ${argv[0]}: ${r.stderr.slice(-200)}`)
  return {
    ...r,
    stderr: r.stderr.slice(0, m.index),
    seconds: Number(m[2]) - Number(m[1]),
  }
}
