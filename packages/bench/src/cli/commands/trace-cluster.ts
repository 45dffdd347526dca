import {
  type Cluster,
  type NodeDataplane,
  type PacketPath,
  parseClusterJson,
  parsePacket,
  resolveReference,
  type Trace,
  tracePath,
} from '@dataplane-sim/cluster'
import { buildEbpfNode, formatEbpfTrace } from '@dataplane-sim/ebpf-model'
import { buildIptablesNode } from '@dataplane-sim/iptables-model'
import { readInput, stableJson } from '../_io'
import { UsageError } from '../_run'
import { formatTrace } from './trace-ruleset'

export type DataplaneChoice = 'iptables' | 'ebpf' | 'both'

export interface TraceClusterOptions {
  node?: string
  dataplane?: string
  json?: boolean
  enumerate?: boolean
  verbose?: boolean
  notrack?: boolean
  seed?: string
}

const BUILDERS = {
  iptables: (seed: number, notrack: boolean) => (c: Cluster, n: string) =>
    buildIptablesNode(c, n, { seed, notrack }),
  ebpf: (seed: number) => (c: Cluster, n: string) => buildEbpfNode(c, n, { seed }),
} as const

/** The end-to-end modeled cost of a path: every hop's modeled ns, summed. */
function pathNs(path: PacketPath): number {
  return path.hops.reduce((s, h) => s + h.trace.cost.ns, 0)
}

/**
 * Where two dataplanes disagree on the same packet end to end (verdict, the backends reached, masquerade).
 * Outside enumerate mode each side draws its own backend, so only verdicts and masquerade are compared.
 */
export function comparePaths(a: PacketPath, b: PacketPath, names: [string, string]): string[] {
  const out: string[] = []
  if (a.verdict !== b.verdict) out.push(`verdict: ${names[0]} ${a.verdict}, ${names[1]} ${b.verdict}`)
  const set = (p: PacketPath) =>
    p.candidates
      .map((c) => `${c.ip}:${c.port}`)
      .sort()
      .join(', ')
  if (a.enumerate && b.enumerate && set(a) !== set(b))
    out.push(`backends: ${names[0]} [${set(a)}], ${names[1]} [${set(b)}]`)
  if (a.verdict !== 'forward' || b.verdict !== 'forward') return out
  if (!(a.enumerate && b.enumerate)) {
    if (a.masquerade !== b.masquerade)
      out.push(`masquerade: ${names[0]} ${a.masquerade}, ${names[1]} ${b.masquerade}`)
    return out
  }
  // Per backend: a hairpin backend is masqueraded while its siblings are not, on both dataplanes.
  const masq = (p: PacketPath) =>
    new Map(p.candidates.map((c) => [`${c.ip}:${c.port}`, c.masquerade ?? p.masquerade]))
  const mb = masq(b)
  for (const [k, m] of masq(a))
    if (mb.has(k) && mb.get(k) !== m)
      out.push(`masquerade of ${k}: ${names[0]} ${m}, ${names[1]} ${mb.get(k)}`)
  return out
}

function formatHopTrace(
  kind: NodeDataplane['kind'],
  packetText: string,
  trace: Trace,
  verbose: boolean,
): string {
  if (kind === 'ebpf') return formatEbpfTrace(trace)
  return formatTrace(packetText, trace, verbose)
}

function formatPath(kind: NodeDataplane['kind'], path: PacketPath, verbose: boolean): string {
  const lines: string[] = [`== ${kind} ==`]
  for (const hop of path.hops) {
    const p = hop.packet
    const text = `${p.protocol} ${p.src}${p.sport ? `:${p.sport}` : ''} -> ${p.dst}${p.dport ? `:${p.dport}` : ''}`
    lines.push(
      `-- node ${hop.node}${hop.candidate ? ` (to backend ${hop.candidate.ip}:${hop.candidate.port})` : ''}`,
    )
    lines.push(formatHopTrace(kind, text, hop.trace, verbose).trimEnd())
  }
  lines.push(
    `end to end: ${path.verdict}${path.reason ? ` (${path.reason})` : ''}${path.masquerade ? ', masqueraded' : ''}`,
  )
  for (const c of path.candidates)
    lines.push(
      `  backend ${c.ip}:${c.port}  p=${c.probability.toFixed(4)}${c.pod ? `  ${c.pod}` : ''}${c.node ? ` on ${c.node}` : ''}`,
    )
  lines.push(`modeled kernel time over ${path.hops.length} hop(s): ${pathNs(path).toFixed(0)} ns`)
  return lines.join('\n')
}

/** `dpsim trace <cluster.json> '<packet>' [--node N] [--dataplane iptables|ebpf|both]`. */
export function traceClusterCommand(file: string, packetText: string, opts: TraceClusterOptions): string {
  const choice = (opts.dataplane ?? 'iptables') as DataplaneChoice
  if (!['iptables', 'ebpf', 'both'].includes(choice))
    throw new UsageError(`--dataplane: expected iptables, ebpf or both, got ${opts.dataplane}`)
  const seed = opts.seed === undefined ? 1 : Number(opts.seed)
  if (!Number.isInteger(seed)) throw new UsageError(`--seed: expected an integer, got ${opts.seed}`)
  const cluster = parseClusterJson(readInput(file), file)
  const packet = parsePacket(packetText)
  const kinds: Array<'iptables' | 'ebpf'> = choice === 'both' ? ['iptables', 'ebpf'] : [choice]
  const pathOpts = { node: opts.node, enumerate: !!opts.enumerate }
  const paths = kinds.map((k) => {
    const build = k === 'iptables' ? BUILDERS.iptables(seed, !!opts.notrack) : BUILDERS.ebpf(seed)
    return { kind: k, path: tracePath(cluster, build, packet, pathOpts) }
  })
  const entry = paths[0].path.entryNode
  const reference = resolveReference(cluster, packet, { node: entry })
  const disagreements =
    paths.length === 2 ? comparePaths(paths[0].path, paths[1].path, ['iptables', 'ebpf']) : []
  if (opts.json)
    return stableJson({
      packet,
      entryNode: entry,
      reference: {
        verdict: reference.verdict,
        candidates: reference.candidates,
        masquerade: reference.masquerade,
      },
      dataplanes: Object.fromEntries(
        paths.map(({ kind, path }) => [
          kind,
          {
            verdict: path.verdict,
            candidates: path.candidates,
            masquerade: path.masquerade,
            reason: path.reason,
            ns: pathNs(path),
            hops: path.hops,
          },
        ]),
      ),
      disagreements,
    })
  const out = paths.map(({ kind, path }) => formatPath(kind, path, !!opts.verbose))
  out.push(
    `Kubernetes says: ${reference.verdict}${reference.candidates.length ? ` to ${reference.candidates.map((c) => `${c.ip}:${c.port}`).join(', ')}` : ''}${reference.masquerade ? ', masqueraded' : ''}`,
  )
  if (paths.length === 2) {
    const [ipt, bpf] = paths.map((p) => pathNs(p.path))
    out.push(
      `cost: iptables ${ipt.toFixed(0)} ns vs eBPF ${bpf.toFixed(0)} ns modeled (${bpf > 0 ? (ipt / bpf).toFixed(1) : '∞'}×)`,
    )
    out.push(disagreements.length ? `DISAGREE:\n  ${disagreements.join('\n  ')}` : 'the two dataplanes agree')
  }
  return `${out.join('\n\n')}\n`
}
