import { parseClusterJson } from '@dataplane-sim/cluster'
import { nodeIpsetText, nodeSaveText, renderNode } from '@dataplane-sim/iptables-model'
import type { Command } from 'commander'
import { emit, readInput, writeAtomic } from '../_io'
import { UsageError } from '../_run'

interface RenderIptablesOptions {
  node?: string
  notrack?: boolean
  ipsets?: string
  backend?: string
  policy?: boolean
  output?: string
}

/**
 * `dpsim render iptables CLUSTER --node NAME`: the iptables-save text kube-proxy (iptables mode) and Calico's
 * Felix install on that node, loadable with `iptables-restore` (legacy or nft), and with `--ipsets FILE` the
 * `ipset save` text of the sets the Calico rules match on (restore those first).
 */
export function renderIptablesCommand(file: string, opts: RenderIptablesOptions): void {
  if (!opts.node) throw new UsageError('render iptables: give --node NAME (a node of the cluster)')
  const backend = opts.backend ?? 'legacy'
  if (backend !== 'legacy' && backend !== 'nft')
    throw new UsageError(`render iptables: --backend must be legacy or nft, got ${JSON.stringify(backend)}`)
  const cluster = parseClusterJson(readInput(file), file)
  if (!cluster.nodes.some((n) => n.name === opts.node))
    throw new UsageError(
      `render iptables: no node ${JSON.stringify(opts.node)} in ${file} (nodes: ${cluster.nodes.map((n) => n.name).join(', ')})`,
    )
  const r = renderNode(cluster, opts.node, { notrack: opts.notrack ?? false, policy: opts.policy ?? true })
  if (opts.ipsets) writeAtomic(opts.ipsets, nodeIpsetText(r))
  emit(nodeSaveText(r, backend), opts.output)
}

export function register(program: Command): void {
  // `render` may be shared with other dataplanes' render subcommands
  const render =
    program.commands.find((c) => c.name() === 'render') ??
    program.command('render').description("render a node's dataplane configuration from a cluster")
  render
    .command('iptables')
    .description('iptables-save text kube-proxy (iptables mode) and Calico-style policy install on a node')
    .argument('<cluster.json>', 'cluster JSON (- for stdin)')
    .option('--node <name>', 'the node to render')
    .option('--notrack', "add Cilium's raw-table NOTRACK rules for pod traffic")
    .option('--ipsets <file>', 'also write the ipsets (ipset save text) the policy rules use')
    .option('--backend <legacy|nft>', 'chain order of iptables-legacy-save or iptables-nft-save', 'legacy')
    .option('--no-policy', 'kube-proxy only, without the Calico NetworkPolicy rules')
    .option('-o, --output <file>', 'write the rules here instead of stdout')
    .action((file: string, opts: RenderIptablesOptions) => renderIptablesCommand(file, opts))
}
