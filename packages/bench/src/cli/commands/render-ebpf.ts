import { parseClusterJson, u32ToIp } from '@dataplane-sim/cluster'
import { buildEbpfNode, type EbpfNode } from '@dataplane-sim/ebpf-model'
import type { Command } from 'commander'
import { emit, readInput, stableJson } from '../_io'
import { UsageError } from '../_run'

interface RenderEbpfOptions {
  node?: string
  json?: boolean
  memory?: string
  map?: string
  output?: string
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  ki: 2 ** 10,
  kib: 2 ** 10,
  m: 2 ** 20,
  mi: 2 ** 20,
  mib: 2 ** 20,
  g: 2 ** 30,
  gi: 2 ** 30,
  gib: 2 ** 30,
  t: 2 ** 40,
  ti: 2 ** 40,
  tib: 2 ** 40,
}

/** "16GiB", "512Mi", "64G", "17179869184" → bytes (binary units, as Kubernetes quantities and free -h). */
export function parseMemory(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined
  if (!m || unit === undefined)
    throw new UsageError(
      `render ebpf: --memory expects a size such as 16GiB, 512MiB or a byte count, got ${JSON.stringify(text)}`,
    )
  return Math.round(Number(m[1]) * unit)
}

function sizingTable(node: EbpfNode): string {
  const rows = node.sizing()
  const head = ['MAP', 'ENTRIES', 'MAX', 'USE %', 'BYTES']
  const body = rows.map((r) => [
    r.map,
    String(r.entries),
    String(r.max),
    r.usePercent.toFixed(2),
    String(r.bytes),
  ])
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')
  const total = rows.reduce((a, r) => a + r.bytes, 0)
  return [line(head), ...body.map(line), `total memlock ${total} bytes`].join('\n')
}

function asJson(node: EbpfNode, memory: number | undefined): unknown {
  const m = node.maps
  const label = (id: number) => node.identities.get(id)?.labels ?? []
  return {
    node: node.node,
    nodeMemoryBytes: memory ?? null,
    mapSizes: node.mapSizes,
    sizing: node.sizing(),
    overflows: node.overflows(),
    identities: [...node.identities.byId.values()].map((i) => ({ id: i.id, kind: i.kind, labels: i.labels })),
    maps: {
      cilium_ipcache: [...m.ipcache.entries()].map((e) => ({
        prefix: `${u32ToIp(e.data[0] ?? 0)}/${e.prefixLen}`,
        identity: e.value.identity,
        source: e.value.source,
      })),
      cilium_lxc: [...m.lxc.entries()].map(([ip, v]) => ({ ip: u32ToIp(ip), ...v })),
      cilium_lb4_backends_v3: [...m.backends.entries()].map(([id, b]) => ({
        id,
        address: `${u32ToIp(b.addr)}:${b.port}`,
        proto: b.proto,
        state: b.state,
      })),
      cilium_lb4_reverse_nat: [...m.revNat.entries()].map(([id, v]) => ({
        id,
        frontend: `${u32ToIp(v.addr)}:${v.port}`,
      })),
      cilium_lb4_services_v2: [...node.agent.frontends.values()].flat().map((pf) => ({
        frontend: `${u32ToIp(pf.frontend.addr)}:${pf.frontend.port}`,
        proto: pf.frontend.proto,
        scope: pf.frontend.scope ? 'internal' : 'external',
        type: pf.frontend.type,
        service: pf.frontend.service,
        revNat: pf.revNat,
        flags: pf.frontend.flags,
        count: pf.frontend.count,
        backendIds: pf.backendIds,
      })),
      cilium_policy: [...node.agent.endpoints.values()].map((ep) => ({
        endpoint: ep.id,
        pod: `${ep.pod.namespace}/${ep.pod.name}`,
        identity: ep.identity,
        entries: ep.policy.entries.map((e) => ({
          ...e,
          labels: e.identity === 0 ? ['ANY'] : label(e.identity),
        })),
      })),
    },
  }
}

/**
 * `dpsim render ebpf CLUSTER --node NAME`: the BPF maps Cilium's agent programs on that node, as the
 * `cilium bpf …` commands list them, and a sizing table (entries, max_entries, use %, memlock bytes).
 */
export function renderEbpfCommand(file: string, opts: RenderEbpfOptions): void {
  if (!opts.node) throw new UsageError('render ebpf: give --node NAME (a node of the cluster)')
  const memory = opts.memory !== undefined ? parseMemory(opts.memory) : undefined
  const cluster = parseClusterJson(readInput(file), file)
  if (!cluster.nodes.some((n) => n.name === opts.node))
    throw new UsageError(
      `render ebpf: no node ${JSON.stringify(opts.node)} in ${file} (nodes: ${cluster.nodes.map((n) => n.name).join(', ')})`,
    )
  const node = buildEbpfNode(cluster, opts.node, memory !== undefined ? { nodeMemoryBytes: memory } : {})
  if (opts.json) {
    emit(stableJson(asJson(node, memory)), opts.output)
    return
  }
  let dump: string
  try {
    dump = node.dump(opts.map)
  } catch (e) {
    throw new UsageError(`render ebpf: ${(e as Error).message}`)
  }
  const overflows = node
    .overflows()
    .map(
      (o) =>
        `overflow: ${o.map}${o.owner ? ` (${o.owner})` : ''} needs ${o.needed} entries, max ${o.max}: ${o.consequence}`,
    )
  emit(
    `${dump}\n# sizing\n${sizingTable(node)}\n${overflows.length ? `${overflows.join('\n')}\n` : ''}`,
    opts.output,
  )
}

export function register(program: Command): void {
  const render =
    program.commands.find((c) => c.name() === 'render') ??
    program.command('render').description("render a node's dataplane configuration from a cluster")
  render
    .command('ebpf')
    .description('the BPF maps Cilium programs on a node (cilium bpf … dumps) and their sizing')
    .argument('<cluster.json>', 'cluster JSON (- for stdin)')
    .option('--node <name>', 'the node to render')
    .option('--json', 'map contents, sizes and overflows as JSON')
    .option('--memory <size>', "node memory for bpf-map-dynamic-size-ratio (default: the node's memoryBytes)")
    .option(
      '--map <name>',
      'one map (cilium_lb4_services_v2, cilium_ipcache, cilium_policy, cilium_lxc, ...)',
    )
    .option('-o, --output <file>', 'write here instead of stdout')
    .action((file: string, opts: RenderEbpfOptions) => renderEbpfCommand(file, opts))
}
