import { importKubernetes, serializeCluster } from '@dataplane-sim/cluster'
import type { Command } from 'commander'
import { emit, readInput } from '../_io'

interface ImportFlags {
  serviceCidr?: string
  podCidr?: string
  output?: string
}

/** `dpsim import FILE`: cluster JSON from a kubectl dump; what was skipped goes to stderr as warnings. */
export function importCommand(
  file: string,
  flags: ImportFlags,
  warn: (s: string) => void = (s) => process.stderr.write(s),
): void {
  const { cluster, warnings } = importKubernetes(readInput(file), file, {
    serviceCIDR: flags.serviceCidr,
    podCIDR: flags.podCidr,
  })
  for (const w of warnings) warn(`${file}: warning: ${w}\n`)
  emit(serializeCluster(cluster), flags.output)
}

export function register(program: Command): void {
  program
    .command('import')
    .description(
      'convert `kubectl get nodes,namespaces,pods,services,endpointslices,networkpolicies -A -o yaml|json` to cluster JSON',
    )
    .argument('<file>', 'the kubectl dump (- for stdin)')
    .option('--service-cidr <cidr>', 'service CIDR (default: inferred from the ClusterIPs)')
    .option('--pod-cidr <cidr>', 'cluster pod CIDR (default: inferred from node podCIDRs and pod IPs)')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((file: string, flags: ImportFlags) => importCommand(file, flags))
}
