import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Lab } from '../topology/lab'

const AGENTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'agents')
// `--import tsx` resolves from the working directory: the package's own folder finds the workspace's tsx
const PACKAGE_DIR = join(AGENTS, '..', '..')

/** What the probe agent does in the client namespace (see agents/probe.ts). */
export interface ProbeRequest {
  deadlineMs: number
  timeoutMs?: number
  targets: Array<{ host: string; port: number; protocol: 'udp' | 'tcp'; sourcePort: number }>
}

export interface RttResult {
  /** round-trip times in nanoseconds, in send order */
  rtts: number[]
  lost: number
}

function agentArgv(ns: string, agent: string, args: string[]): string[] {
  return ['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', join(AGENTS, agent), ...args]
}

/** Runs the probe agent in the client namespace: one packet per target; returns how many were answered. */
export async function probe(lab: Lab, req: ProbeRequest): Promise<{ sent: number; replies: number }> {
  const argv = agentArgv(lab.ns.client, 'probe.ts', [JSON.stringify(req)])
  const r = await lab.run(argv, { cwd: PACKAGE_DIR, timeoutMs: req.deadlineMs + 30_000 })
  const line = r.stdout.trim().split('\n').pop() ?? ''
  return JSON.parse(line)
}

/** Per-reply times of `ping` output, in nanoseconds ("time=0.034 ms" lines). */
export function parsePingTimes(output: string): number[] {
  const out: number[] = []
  for (const m of output.matchAll(/time=([\d.]+) ms/g)) out.push(Math.round(Number(m[1]) * 1e6))
  return out
}

/**
 * ICMP echo round trips from the client to `host` with `ping -i 0` (back-to-back, root only), the anchors'
 * method: the lowest-overhead round trip available, so per-rule costs of a few nanoseconds stand out.
 * Bounded by count and by `-w` seconds.
 */
export async function pingRtt(
  lab: Lab,
  host: string,
  count: number,
  deadlineSeconds = 20,
): Promise<RttResult> {
  const r = await lab.exec(
    'client',
    ['ping', '-n', '-i', '0', '-c', String(count), '-w', String(deadlineSeconds), host],
    {
      allowFail: true,
      timeoutMs: (deadlineSeconds + 10) * 1000,
    },
  )
  const rtts = parsePingTimes(r.stdout)
  return { rtts, lost: count - rtts.length }
}

/**
 * The echo agent's UDP ports in the server namespace (first-packet sweeps): flows to ECHO_PORT walk the nat
 * table's services, flows to SKIP_PORT are accepted before them (rules/kubeProxyShape.ts firstPacketTable).
 */
export const ECHO_PORT = 7007
export const SKIP_PORT = 7008

/**
 * Starts the echo agent (agents/echo.ts) in the server namespace and resolves once it is bound. Its life is
 * bounded (`lifeMs`), it is stopped by the returned function, and the lab stops it on destroy.
 */
export async function startEcho(lab: Lab, lifeMs = 3_600_000): Promise<() => void> {
  const argv = agentArgv(lab.ns.server, 'echo.ts', [`${ECHO_PORT},${SKIP_PORT}`, String(lifeMs)])
  const child = spawn(argv[0], argv.slice(1), { cwd: PACKAGE_DIR, stdio: ['pipe', 'pipe', 'pipe'] })
  const stop = () => {
    child.stdin.end()
    child.kill('SIGTERM')
  }
  lab.onDestroy(stop)
  await new Promise<void>((resolve, reject) => {
    const tm = setTimeout(() => reject(new Error('echo agent did not start within 30 s')), 30_000)
    let err = ''
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString()
    })
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) {
        clearTimeout(tm)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(tm)
      reject(new Error(`echo agent exited ${code}: ${err.trim().slice(0, 300)}`))
    })
  })
  return stop
}

/**
 * First-packet round trips: UDP datagrams from one persistent sender (agents/newFlows.ts) in the client
 * namespace, each from a new source port (`firstPort` on), so each is a new conntrack entry and walks the nat
 * table, back to back, to the echo agent (startEcho): `count` flows to each of `ports`, interleaved. The
 * sender times each round trip itself, so no process start is in the figure. Bounded by the count and
 * `deadlineSeconds`. Returns the round trips per port.
 */
export async function udpNewFlows(
  lab: Lab,
  host: string,
  ports: number[],
  count: number,
  firstPort: number,
  deadlineSeconds = 60,
): Promise<{ rtts: number[][]; lost: number }> {
  const req = { host, ports, count, firstPort, deadlineMs: deadlineSeconds * 1000, timeoutMs: 200 }
  const argv = agentArgv(lab.ns.client, 'newFlows.ts', [JSON.stringify(req)])
  const r = await lab.run(argv, { cwd: PACKAGE_DIR, timeoutMs: deadlineSeconds * 1000 + 30_000 })
  const line = r.stdout.trim().split('\n').pop() ?? ''
  return JSON.parse(line)
}
