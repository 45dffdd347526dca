import type {
  ClassifyOptions,
  Cluster,
  ClusterChange,
  CostProfile,
  Footprint,
  NodeDataplane,
  Packet,
  Trace,
  UpdateReport,
} from '@dataplane-sim/cluster'
import { createRng, InputError, ipToU32, parseCidr } from '@dataplane-sim/cluster'
import { CiliumAgent } from '../agent/agent'
import { type IdentityAllocator, MAX_GLOBAL_IDENTITY, MIN_GLOBAL_IDENTITY } from '../agent/identity'
import { ConntrackGc, type ConntrackGc as Gc, type GcPass } from '../datapath/conntrack'
import { defaultEbpfProfile } from '../datapath/costs'
import { NodeMaps } from '../datapath/maps'
import { Datapath, type KernelConntrackStats } from '../datapath/pipeline'
import { maglevTable } from '../maglev/table'
import type { MapSizes } from '../sizing/sizeMaps'
import { applyClusterChange } from '../update/apply'
import { dumpMaps } from './dump'
import { type EbpfNodeOptions, resolveMaxima, resolveOptions } from './options'
import { type MapOverflow, MapProgrammer } from './programmer'

/** One row of the sizing table: a map's entries against its max_entries, and its memlock bytes. */
export interface SizingRow {
  map: string
  entries: number
  max: number
  usePercent: number
  bytes: number
}

/** A node's eBPF dataplane plus what only the eBPF model has. */
export interface EbpfNode extends NodeDataplane {
  readonly kind: 'ebpf'
  readonly maps: NodeMaps
  readonly identities: IdentityAllocator
  readonly agent: CiliumAgent
  readonly datapath: Datapath
  readonly gc: Gc
  /** the sizes the agent chose (null when the node's memory is unknown: defaults used) */
  readonly mapSizes: MapSizes | null
  readonly profile: CostProfile
  sizing(): SizingRow[]
  /** dumps as `cilium bpf lb list`, `cilium bpf ipcache list`, `cilium bpf policy get --all`, ... */
  dump(mapName?: string): string
  /** maps that could not take what the agent wanted, and the consequence */
  overflows(): MapOverflow[]
  /** moves the node clock forward; the CT garbage collector runs the passes that fall due */
  advance(seconds: number): GcPass[]
  kernelConntrack(): KernelConntrackStats
}

/**
 * Builds the Cilium dataplane of `nodeName`: the agent syncs the cluster into the BPF maps (identities,
 * ipcache, LB maps, per-endpoint policy maps), and `classify` runs packets through the datapath programs.
 * Defaults model the reference deployment (Cilium 1.16.3, kube-proxy replacement, native routing, socket-LB,
 * random backend selection, NOTRACK for pod traffic).
 */
export function buildEbpfNode(cluster: Cluster, nodeName: string, options: EbpfNodeOptions = {}): EbpfNode {
  const node = cluster.nodes.find((n) => n.name === nodeName)
  if (!node) throw new InputError(`unknown node ${JSON.stringify(nodeName)}`, '<cluster>')
  const opts = resolveOptions(options)
  const { maxima, sizes } = resolveMaxima(options, options.nodeMemoryBytes ?? node.memoryBytes)
  const profile = options.profile ?? defaultEbpfProfile()
  const maps = new NodeMaps(maxima, opts.maglevTableSize)
  const programmer = new MapProgrammer(
    maps,
    opts.algorithm === 'maglev' ? (backends) => maglevTable(backends, opts.maglevTableSize) : null,
  )
  const view = opts.kubeProxyReplacement ? cluster : clusterIpOnly(cluster)
  const agent = new CiliumAgent(view, nodeName, programmer)
  programmer.counts = undefined
  programmer.beginInitialSync(
    cluster.pods.length + cluster.nodes.length,
    agent.expectedBackends,
    agent.expectedFrontends,
  )
  agent.start()
  programmer.endInitialSync()
  programmer.counts = {}
  const datapath = new Datapath(
    maps,
    {
      nodeName,
      nodeIp: ipToU32(node.internalIP),
      socketLb: opts.socketLb,
      algorithm: opts.algorithm,
      noTrack: opts.noTrack,
      nativeRoutingCidr: parseCidr(cluster.podCIDR),
      externalClusterIp: opts.externalClusterIp,
      profile,
    },
    createRng(opts.seed),
  )
  const gc = new ConntrackGc(maps)

  const sizing = (): SizingRow[] =>
    maps.all().map(({ name, map }) => {
      const max = map.spec.maxEntries
      const entries = map.size
      return { map: name, entries, max, usePercent: (100 * entries) / max, bytes: map.memlock() }
    })

  return {
    kind: 'ebpf',
    node: nodeName,
    maps,
    identities: agent.identities,
    agent,
    datapath,
    gc,
    mapSizes: sizes,
    profile,
    classify(packet: Packet, o?: ClassifyOptions): Trace {
      return datapath.classify(packet, o)
    },
    apply(change: ClusterChange): UpdateReport {
      const c =
        opts.kubeProxyReplacement || change.kind !== 'Service' || change.op !== 'upsert'
          ? change
          : { ...change, object: clusterIpOnlyService(change.object) }
      return applyClusterChange(agent, programmer, c, profile)
    },
    footprint(): Footprint {
      const items = sizing().map((r) => ({ name: r.map, entries: r.entries, max: r.max, bytes: r.bytes }))
      return {
        kind: 'ebpf',
        items,
        totalEntries: items.reduce((a, i) => a + i.entries, 0),
        totalBytes: items.reduce((a, i) => a + i.bytes, 0),
      }
    },
    sizing,
    dump: (mapName?: string) => dumpMaps(maps, agent, mapName, datapath.now),
    overflows: () => {
      const out = [...programmer.overflows.values()]
      const waiting = agent.podsWithoutIdentity
      if (waiting > 0)
        out.push({
          map: 'identities (global range 256-65535)',
          needed: agent.identities.count('global') + waiting,
          max: MAX_GLOBAL_IDENTITY - MIN_GLOBAL_IDENTITY + 1,
          consequence: `${waiting} pods wait for an identity: no ipcache entry, no endpoint policy, their traffic is not admitted`,
        })
      return out
    },
    advance(seconds: number): GcPass[] {
      datapath.now += seconds
      return gc.advance(datapath.now)
    },
    kernelConntrack: () => ({ ...datapath.kernelCt }),
  }
}

/** Without kube-proxy replacement Cilium load-balances only ClusterIP (from pods, in bpf_lxc). */
function clusterIpOnly(c: Cluster): Cluster {
  return { ...c, services: c.services.map(clusterIpOnlyService) }
}

function clusterIpOnlyService(s: Cluster['services'][number]): Cluster['services'][number] {
  return { ...s, type: 'ClusterIP', externalIPs: [], loadBalancerIPs: [] }
}
