import { formatSummary, parseClusterJson, summarizeCluster } from '@dataplane-sim/cluster'
import type { Command } from 'commander'
import { readInput, stableJson } from '../_io'

/** `dpsim summary CLUSTER.json [--json]`: counts by kind, service types, endpoints per service, policy shapes. */
export function summaryCommand(file: string, flags: { json?: boolean }): void {
  const summary = summarizeCluster(parseClusterJson(readInput(file), file))
  process.stdout.write(flags.json ? stableJson(summary) : formatSummary(summary, file))
}

export function register(program: Command): void {
  program
    .command('summary')
    .description(
      'summarize a cluster JSON: counts by kind, service types, endpoints per service, policies by shape',
    )
    .argument('<cluster>', 'cluster JSON (from generate or import; - for stdin)')
    .option('--json', 'print the summary as JSON')
    .action((file: string, flags: { json?: boolean }) => summaryCommand(file, flags))
}
