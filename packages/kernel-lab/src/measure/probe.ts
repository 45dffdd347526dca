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
 * First-packet round trips: `count` single-echo pings, each with its own ICMP identifier (`ping -e`), so each
 * is a new conntrack entry and walks the nat table, unlike the packets of one ping session. One shell loop in
 * the client namespace runs them (bounded by the count and a 1 s wait each); ping times each echo itself,
 * so process start-up is not in the figure.
 */
export async function pingNewFlows(
  lab: Lab,
  host: string,
  count: number,
  idBase: number,
): Promise<RttResult> {
  const first = Math.max(1, idBase)
  const last = Math.min(65535, first + count - 1)
  const script = `for i in $(seq ${first} ${last}); do ping -n -q -c 1 -W 1 -e "$i" ${host} | grep -o 'rtt [^=]*= [0-9.]*'; done`
  const r = await lab.exec('client', ['sh', '-c', script], {
    allowFail: true,
    timeoutMs: (last - first + 1) * 1500 + 30_000,
  })
  const rtts: number[] = []
  for (const m of r.stdout.matchAll(/= ([\d.]+)/g)) rtts.push(Math.round(Number(m[1]) * 1e6))
  return { rtts, lost: last - first + 1 - rtts.length }
}
