import { parseClusterJson } from '@dataplane-sim/cluster'
import type { Command } from 'commander'
import { planCapacity } from '../../plan/plan'
import { parseBytes, parseDurationNs } from '../../plan/units'
import { loadProfile } from '../../profiles/load'
import { planMarkdown } from '../../report/readme'
import { defaultBuilders } from '../../suites/default-builders'
import { emit, readInput, stableJson } from '../_io'
import { UsageError } from '../_run'

interface PlanCliOptions {
  services?: string
  endpoints: string
  policies?: string
  nodes?: string
  seed: string
  node?: string
  memory?: string
  connections: string
  latencyBudget: string
  programmingBudget: string
  churnRate: string
  bpfPolicyMapMax?: string
  bpfLbMapMax?: string
  bpfCtGlobalTcpMax?: string
  notrack: boolean
  profile: string
  json?: boolean
  output?: string
}

function int(name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new UsageError(`${name}: expected an integer ≥ ${min}, got ${JSON.stringify(v)}`)
  return Number(v)
}

/** `dpsim plan`: capacity plan of one node for a cluster file or for sizes (thin: parse, plan, format). */
export function register(program: Command): void {
  program
    .command('plan')
    .description('capacity plan for one node: rules, restore time, map use and overflows, latency verdicts')
    .argument('[cluster.json]', 'cluster file (dpsim generate / import); or give --services')
    .option('--services <n>', 'plan for a generated cluster with this many services')
    .option('--endpoints <n>', 'endpoints per service (with --services)', '2')
    .option('--policies <n>', 'NetworkPolicies (with --services; default one per 10 services)')
    .option('--nodes <n>', 'nodes (with --services; default: enough for 110 pods each)')
    .option('--seed <n>', 'seed for the generated cluster and the sampled services', '1')
    .option('--node <name>', 'node to plan for (default: the first)')
    .option(
      '--memory <size>',
      "node memory for Cilium's dynamic map sizing, e.g. 16GiB (default: the node's)",
    )
    .option('--connections <n>', 'concurrent connections through the node (conntrack sizing)', '50000')
    .option('--latency-budget <t>', 'first-packet p99 budget, e.g. 100us', '100us')
    .option('--programming-budget <t>', 'network programming latency p99 budget, e.g. 5s', '5s')
    .option('--churn-rate <n>', 'Service/EndpointSlice changes per second for the programming verdict', '10')
    .option('--bpf-policy-map-max <n>', 'cilium-config bpf-policy-map-max (default 16384)')
    .option('--bpf-lb-map-max <n>', 'cilium-config bpf-lb-map-max (default 65536)')
    .option('--bpf-ct-global-tcp-max <n>', 'cilium-config bpf-ct-global-tcp-max (default: from memory)')
    .option('--no-notrack', 'Cilium without installNoConntrackIptablesRules')
    .option('--profile <name|file>', 'cost profile', 'anchors')
    .option('--json', 'print the plan as JSON')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((file: string | undefined, o: PlanCliOptions) => {
      if (!file && o.services === undefined) throw new UsageError('plan: give a cluster file or --services N')
      if (file && o.services !== undefined)
        throw new UsageError('plan: give a cluster file or --services, not both')
      const memory = o.memory === undefined ? undefined : parseBytes(o.memory)
      if (memory === null)
        throw new UsageError(`--memory: expected a size such as 16GiB, got ${JSON.stringify(o.memory)}`)
      const latency = parseDurationNs(o.latencyBudget)
      if (latency === null)
        throw new UsageError(
          `--latency-budget: expected a duration such as 100us, got ${JSON.stringify(o.latencyBudget)}`,
        )
      const programming = parseDurationNs(o.programmingBudget)
      if (programming === null)
        throw new UsageError(
          `--programming-budget: expected a duration such as 5s, got ${JSON.stringify(o.programmingBudget)}`,
        )
      const churnRate = Number(o.churnRate)
      if (!(churnRate > 0))
        throw new UsageError(`--churn-rate: expected a positive number, got ${JSON.stringify(o.churnRate)}`)
      const ciliumOptions: Record<string, unknown> = { installNoConntrackIptablesRules: o.notrack }
      const set = (k: string, v: number | undefined) => {
        if (v !== undefined) ciliumOptions[k] = v
      }
      set('bpfPolicyMapMax', int('--bpf-policy-map-max', o.bpfPolicyMapMax, 1))
      set('bpfLbMapMax', int('--bpf-lb-map-max', o.bpfLbMapMax, 1))
      set('bpfCtGlobalTcpMax', int('--bpf-ct-global-tcp-max', o.bpfCtGlobalTcpMax, 1))
      const seed = int('--seed', o.seed) ?? 1
      const input = file
        ? parseClusterJson(readInput(file), file)
        : {
            services: int('--services', o.services, 1)!,
            endpoints: int('--endpoints', o.endpoints, 0),
            policies: int('--policies', o.policies),
            nodes: int('--nodes', o.nodes, 1),
            seed,
          }
      const plan = planCapacity(input, {
        profile: loadProfile(o.profile),
        builders: defaultBuilders,
        nodeMemory: memory,
        ciliumOptions,
        connections: int('--connections', o.connections),
        latencyBudgetNs: latency,
        programmingBudgetSeconds: programming / 1e9,
        churnRate,
        node: o.node,
        seed,
      })
      emit(o.json ? stableJson(plan) : `# Capacity plan\n\n${planMarkdown(plan)}`, o.output)
    })
}
