import { parsePacket, type Step } from '@dataplane-sim/cluster'
import {
  Netfilter,
  type NetfilterTrace,
  parseIpsetSave,
  parseIptablesSave,
  type SourceKind,
} from '@dataplane-sim/iptables-model'
import type { Command } from 'commander'
import { readInput, stableJson } from '../_io'
import { UsageError } from '../_run'
import { type TraceClusterOptions, traceClusterCommand } from './trace-cluster'

export interface TraceRulesetOptions {
  ruleset?: string
  ipsets?: string
  localIp: string[]
  podCidr: string[]
  from?: string
  json?: boolean
  enumerate?: boolean
  verbose?: boolean
  seed?: string
  /** which iptables installed the dump: legacy (default) or nft (its walks are priced by the nft constants) */
  backend?: string
}

const KINDS: readonly SourceKind[] = ['pod', 'host', 'outside']

function stepLine(s: Step): string {
  if (s.outcome === 'policy') return `${s.where}:policy:${s.detail}`
  if (s.where === 'conntrack') return `conntrack: ${s.text} → ${s.detail ?? s.outcome}`
  if (s.where === 'routing') return `routing: ${s.text}`
  if (s.where === 'verdict') return ''
  const mark = s.outcome === 'match' ? 'match   ' : 'no match'
  return `${s.where}:rule:${s.index}  ${mark}  ${s.text}${s.outcome === 'match' && s.detail ? `  → ${s.detail}` : ''}`
}

/**
 * `key` summed over its backend variants: an iptables-nft node counts its walks under `ipt.rule:nft`, ... (the
 * engine's walkKeys), so reading `ipt.rule` alone would say 0 rules evaluated on such a node.
 */
export function countOf(counts: Readonly<Record<string, number>>, key: string): number {
  let total = 0
  for (const k in counts) if (k === key || k.startsWith(`${key}:`)) total += counts[k]
  return total
}

/** The human form: like the kernel's TRACE log (table:chain:rule:N), then the outcome and the cost. */
export function formatTrace(packetText: string, t: NetfilterTrace, verbose: boolean): string {
  const lines = [`packet ${packetText}`]
  for (const s of t.steps) {
    if (s.outcome === 'no-match' && !verbose) continue
    const l = stepLine(s)
    if (l) lines.push(`  ${l}`)
  }
  if (t.outcomes) {
    lines.push(`outcomes (${t.outcomes.length}, every random branch):`)
    for (const o of t.outcomes)
      lines.push(
        `  ${(o.probability * 100).toFixed(2).padStart(6)}%  ${o.verdict.padEnd(7)} ${o.destination.ip}:${o.destination.port}${o.masquerade ? ' masquerade' : ''}${o.reason ? `  (${o.reason})` : ''}`,
      )
  }
  let v = `verdict: ${t.verdict}`
  if (t.outInterface) v += ` out ${t.outInterface}`
  if (t.dnat) v += `, DNAT to ${t.dnat.ip}:${t.dnat.port}`
  if (t.snat) v += `, source now ${t.snat}${t.masquerade ? ' (MASQUERADE)' : ''}`
  if (t.reason) v += ` — ${t.reason}`
  lines.push(v)
  const n = (k: string): string => String(Math.round(countOf(t.cost.counts, k) * 100) / 100)
  lines.push(
    `cost: ${n('ipt.rule')} rules evaluated, ${n('ipt.match')} matches tested, ${n('ipt.chain')} chains entered, ${n('ct.lookup')} conntrack lookups, ${n('ct.create')} created → ${t.cost.ns.toFixed(0)} ns modeled${t.outcomes ? ' (expected over the outcomes)' : ''}`,
  )
  return `${lines.join('\n')}\n`
}

/** `dpsim trace --ruleset DUMP '<packet>'`: one packet through any iptables-save dump. */
export function traceRulesetCommand(opts: TraceRulesetOptions, packetText: string | undefined): string {
  if (!opts.ruleset) throw new UsageError('give --ruleset DUMP')
  if (!packetText)
    throw new UsageError("trace: give the packet, e.g. 'tcp 10.244.1.5:40000 -> 10.96.0.10:80'")
  if (opts.from && !KINDS.includes(opts.from as SourceKind))
    throw new UsageError(`--from: expected pod, host or outside, got ${opts.from}`)
  if (opts.backend !== undefined && opts.backend !== 'legacy' && opts.backend !== 'nft')
    throw new UsageError(`--backend: expected legacy or nft, got ${opts.backend}`)
  const seed = opts.seed === undefined ? 1 : Number(opts.seed)
  if (!Number.isInteger(seed)) throw new UsageError(`--seed: expected an integer, got ${opts.seed}`)
  const packet = parsePacket(packetText)
  const ruleset = parseIptablesSave(readInput(opts.ruleset), opts.ruleset)
  const ipsets = opts.ipsets ? parseIpsetSave(readInput(opts.ipsets), opts.ipsets) : undefined
  const nf = new Netfilter(
    ruleset,
    { localIps: opts.localIp, podCidrs: opts.podCidr },
    { source: opts.ruleset, ipsets, seed, backend: opts.backend as 'legacy' | 'nft' | undefined },
  )
  const trace = nf.classify(packet, {
    enumerate: opts.enumerate,
    sourceKind: opts.from as SourceKind | undefined,
  })
  return opts.json ? stableJson(trace) : formatTrace(packetText, trace, !!opts.verbose)
}

const collect = (v: string, acc: string[]): string[] => acc.concat(v)

export function register(program: Command): void {
  program
    .command('trace')
    .description(
      'follow a packet through a cluster (iptables, eBPF or both) or any iptables-save dump, like a TRACE log',
    )
    .argument('[args...]', "the packet, e.g. 'tcp 10.244.1.5:40000 -> 10.96.0.10:80'")
    .option('--ruleset <file>', 'iptables-save output of the node')
    .option('--ipsets <file>', 'ipset save output the rules refer to')
    .option('--local-ip <ip>', "the node's own address (repeatable)", collect, [])
    .option('--pod-cidr <cidr>', "this node's pod CIDR (repeatable)", collect, [])
    .option('--from <kind>', 'source kind: pod, host or outside (default: from the source address)')
    .option('--seed <n>', 'seed of statistic --mode random draws', '1')
    .option('--backend <kind>', 'ruleset mode: legacy (default) or nft, the iptables that installed the dump')
    .option('--enumerate', 'walk every random branch and list each outcome with its probability')
    .option('--verbose', 'also list the rules that did not match')
    .option('--json', 'print the Trace as JSON')
    .option('--node <name>', "cluster mode: the node the packet enters on (default: the source pod's node)")
    .option('--dataplane <kind>', 'cluster mode: iptables, ebpf or both (side by side)', 'iptables')
    .option('--notrack', "cluster mode: install Cilium's raw NOTRACK rules on the iptables side")
    .addHelpText(
      'after',
      `
Two modes:
  dpsim trace --ruleset DUMP [--local-ip IP ...] '<packet>'        any real iptables-save dump
  dpsim trace CLUSTER.json '<packet>' [--node N] [--dataplane iptables|ebpf|both]
                                                                   a cluster, across nodes (tracePath)`,
    )
    .action((args: string[], opts: TraceRulesetOptions & TraceClusterOptions) => {
      if (opts.ruleset) {
        if (args.length > 1)
          throw new UsageError(`trace: expected one packet argument, got ${args.length} (quote it)`)
        process.stdout.write(traceRulesetCommand(opts, args[0]))
        return
      }
      if (args.length !== 2)
        throw new UsageError(
          'trace: give CLUSTER.json and the packet (quoted), or --ruleset DUMP and the packet',
        )
      process.stdout.write(traceClusterCommand(args[0], args[1], opts))
    })
}
