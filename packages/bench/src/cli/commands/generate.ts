import {
  type EndpointCount,
  type GenerateOptions,
  generateCluster,
  serializeCluster,
} from '@dataplane-sim/cluster'
import type { Command } from 'commander'
import { emit } from '../_io'
import { UsageError } from '../_run'

interface GenerateFlags {
  services: string
  endpoints: string
  nodes?: string
  namespaces?: string
  policies?: string
  seed: string
  serviceCidr?: string
  podCidr?: string
  output?: string
}

/** `dpsim generate`: a synthetic cluster as stable, sorted JSON (stdout or -o FILE). */
export function generateCommand(flags: GenerateFlags): void {
  const options: GenerateOptions = {
    services: count('--services', flags.services),
    endpoints: endpointCount(flags.endpoints),
    seed: count('--seed', flags.seed),
  }
  if (flags.nodes !== undefined) options.nodes = count('--nodes', flags.nodes, 1)
  if (flags.namespaces !== undefined) options.namespaces = count('--namespaces', flags.namespaces, 1)
  if (flags.policies !== undefined) options.policies = count('--policies', flags.policies)
  if (flags.serviceCidr !== undefined) options.serviceCIDR = flags.serviceCidr
  if (flags.podCidr !== undefined) options.podCIDR = flags.podCidr
  emit(serializeCluster(generateCluster(options)), flags.output)
}

function count(flag: string, text: string, min = 0): number {
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`${flag}: expected an integer >= ${min}, got ${JSON.stringify(text)}`)
  return Number(text)
}

/** `3`, `1-10` (uniform) or `zipf:1-100` (heavy-tailed). */
function endpointCount(text: string): EndpointCount {
  if (/^\d+$/.test(text)) return count('--endpoints', text)
  const m = /^(zipf:)?(\d+)-(\d+)$/.exec(text)
  if (!m || Number(m[2]) > Number(m[3]))
    throw new UsageError(`--endpoints: expected N, MIN-MAX or zipf:MIN-MAX, got ${JSON.stringify(text)}`)
  return { distribution: m[1] ? 'zipf' : 'uniform', min: Number(m[2]), max: Number(m[3]) }
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('generate a synthetic cluster (deterministic by seed) as JSON')
    .option('--services <n>', 'number of services', '100')
    .option('--endpoints <n>', 'endpoints per service: N, MIN-MAX (uniform) or zipf:MIN-MAX', '3')
    .option('--nodes <k>', 'number of nodes (default: enough for 110 pods each, at least 3)')
    .option('--namespaces <n>', 'number of namespaces (default: one per 50 services, at least 2)')
    .option('--policies <p>', 'number of NetworkPolicies (default: one per 10 services)')
    .option('--seed <s>', 'seed of the random generator', '1')
    .option('--service-cidr <cidr>', 'service CIDR (default 10.96.0.0/12)')
    .option('--pod-cidr <cidr>', 'cluster pod CIDR, split per node (default 10.244.0.0/16)')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((flags: GenerateFlags) => generateCommand(flags))
}
