import type { BuildNode, Candidate, Endpoint, NodeDataplane, Trace, Verdict } from '../contract/dataplane'
import { InputError } from '../errors/errors'
import { type ClusterIndex, clusterIndex } from '../index/clusterIndex'
import type { Packet } from '../packet/packet'
import { formatPacket } from '../packet/packet'
import type { Cluster } from '../scenario/types'

/** One node's pass over the packet. */
export interface PathHop {
  node: string
  /** the packet as this node received it (translated, and source-NATed when masqueraded) */
  packet: Packet
  trace: Trace
  /** the backend this hop carries the packet to (absent on the entry hop) */
  candidate?: Candidate
}

/** A packet's end-to-end outcome across the nodes it visits. */
export interface PacketPath {
  /** forward when some backend is reached (or the packet is routed out), else the verdict that stopped it */
  verdict: Verdict
  /** backends reached end to end, with their probability; in enumerate mode, every reachable one */
  candidates: Candidate[]
  /** the translating node masqueraded the connection */
  masquerade: boolean
  hops: PathHop[]
  entryNode: string
  enumerate: boolean
  /** outside enumerate mode: the backend the translating node chose (null when nothing was translated) */
  chosen: Endpoint | null
  reason?: string
}

export interface TracePathOptions {
  /** the node the packet enters on; needed for traffic from outside the cluster */
  node?: string
  /** follow every candidate of the translating node, not only the one it chose */
  enumerate?: boolean
  /** record steps in traces (default true) */
  steps?: boolean
  /**
   * Dataplanes already built for this same cluster, by node name: used, and filled in, instead of building
   * them again (a test or tool tracing many packets builds each node once). Without it, each call builds
   * the nodes it visits once.
   */
  cache?: Map<string, NodeDataplane>
}

/** Packets are forwarded at most this many times between nodes (a loop in a model stops here). */
const MAX_HOPS = 6

/**
 * The node a packet enters on: the source pod's node, else the node owning the source address; null for
 * traffic from outside the cluster.
 */
export function entryNodeOf(cluster: Cluster, packet: Packet): string | null {
  const idx = clusterIndex(cluster)
  return idx.podByIP.get(packet.src)?.nodeName ?? idx.nodeByIP.get(packet.src)?.name ?? null
}

/**
 * Follows `packet` from the node where it enters through that node's dataplane, then to the node of each
 * backend (the chosen one, or all of them with `enumerate`), where that node's dataplane classifies the
 * translated packet (destination = backend, source = the SNAT address when masqueraded) and applies its
 * ingress policy. Untranslated packets are routed by destination: to the node of a destination pod, or to
 * the node owning a destination node address (which may translate a nodePort in turn). Each node's
 * dataplane is built once per call.
 *
 * Contract for models: a trace's candidates are the backends reachable through that node (its own policy
 * applied, so a backend on the same node that policy denies is left out); `dnat` is the chosen one;
 * `masquerade`/`snat` say whether and to what the source was rewritten (per candidate via
 * `candidate.masquerade` when it differs, as for hairpin).
 */
export function tracePath(
  cluster: Cluster,
  buildNode: BuildNode,
  packet: Packet,
  opts: TracePathOptions = {},
): PacketPath {
  const idx = clusterIndex(cluster)
  const entryNode = opts.node ?? entryNodeOf(cluster, packet)
  if (!entryNode)
    throw new InputError(
      `packet ${formatPacket(packet)} comes from outside the cluster: say which node it enters on (node option / --node)`,
      '<packet>',
    )
  if (!idx.nodeByName.has(entryNode))
    throw new InputError(`unknown node ${JSON.stringify(entryNode)}`, '<packet>')
  const enumerate = opts.enumerate ?? false
  const built = opts.cache ?? new Map<string, NodeDataplane>()
  const hops: PathHop[] = []
  const state = { masquerade: false, chosen: null as Endpoint | null, translated: false }

  const dataplane = (name: string): NodeDataplane => {
    let dp = built.get(name)
    if (!dp) built.set(name, (dp = buildNode(cluster, name)))
    return dp
  }

  const follow = (node: string, p: Packet, depth: number, via?: Candidate): Outcome => {
    if (depth > MAX_HOPS) return { verdict: 'drop', candidates: [], reason: 'routing loop: too many hops' }
    const trace = dataplane(node).classify(p, { enumerate, steps: opts.steps ?? true })
    hops.push(via ? { node, packet: p, trace, candidate: via } : { node, packet: p, trace })
    const targets = translatedTargets(trace, enumerate)
    if (targets.length > 0 && !state.translated) {
      state.translated = true
      state.masquerade = trace.masquerade
      state.chosen = enumerate ? null : (trace.dnat ?? { ip: targets[0].ip, port: targets[0].port })
    }
    if (trace.verdict !== 'forward') return { verdict: trace.verdict, candidates: [], reason: trace.reason }
    if (targets.length > 0) return reachTargets(idx, node, p, trace, targets, depth, follow)
    return route(idx, node, p, depth, follow)
  }

  const out = follow(entryNode, packet, 0)
  const path: PacketPath = {
    verdict: out.verdict,
    candidates: out.candidates,
    masquerade: state.masquerade,
    hops,
    entryNode,
    enumerate,
    chosen: state.chosen,
  }
  if (out.reason) path.reason = out.reason
  return path
}

interface Outcome {
  verdict: Verdict
  candidates: Candidate[]
  reason?: string
}

type Follow = (node: string, p: Packet, depth: number, via?: Candidate) => Outcome

function translatedTargets(trace: Trace, enumerate: boolean): Candidate[] {
  if (enumerate) {
    if (trace.candidates.length > 0) return trace.candidates
    return trace.dnat ? [{ ...trace.dnat, probability: 1 }] : []
  }
  if (!trace.dnat) return []
  const { ip, port } = trace.dnat
  const c = trace.candidates.find((x) => x.ip === ip && x.port === port)
  return [c ?? { ip, port, probability: 1 }]
}

function reachTargets(
  idx: ClusterIndex,
  node: string,
  p: Packet,
  trace: Trace,
  targets: Candidate[],
  depth: number,
  follow: Follow,
): Outcome {
  const reached: Candidate[] = []
  let reason: string | undefined
  for (const c of targets) {
    const masquerade = c.masquerade ?? trace.masquerade
    const backendNode = c.node ?? idx.podByIP.get(c.ip)?.nodeName ?? idx.nodeByIP.get(c.ip)?.name
    const withMasq: Candidate = { ...c, masquerade }
    if (!backendNode || backendNode === node) {
      reached.push(withMasq)
      continue
    }
    const src = masquerade ? (trace.snat ?? idx.nodeByName.get(node)!.internalIP) : p.src
    const next: Packet = { ...p, src, dst: c.ip, dport: c.port }
    const sub = follow(backendNode, next, depth + 1, withMasq)
    if (sub.verdict === 'forward' || sub.verdict === 'local') {
      const same =
        sub.candidates.length === 1 && sub.candidates[0].ip === c.ip && sub.candidates[0].port === c.port
      if (same || sub.candidates.length === 0) reached.push({ ...withMasq, node: backendNode })
      else for (const s of sub.candidates) reached.push({ ...s, probability: s.probability * c.probability })
    } else reason ??= sub.reason ?? `${c.ip}:${c.port}: ${sub.verdict} on ${backendNode}`
  }
  if (reached.length > 0) return { verdict: 'forward', candidates: reached }
  return { verdict: 'drop', candidates: [], reason }
}

/** An untranslated packet: delivered to a pod here, carried to another node, or routed out of the cluster. */
function route(idx: ClusterIndex, node: string, p: Packet, depth: number, follow: Follow): Outcome {
  const dstPod = idx.podByIP.get(p.dst)
  if (dstPod) {
    const c: Candidate = {
      ip: p.dst,
      port: p.dport,
      probability: 1,
      pod: `${dstPod.namespace}/${dstPod.name}`,
      node: dstPod.nodeName,
    }
    if (dstPod.nodeName === node) return { verdict: 'forward', candidates: [c] }
    const sub = follow(dstPod.nodeName, p, depth + 1, c)
    return sub.verdict === 'forward' ? { verdict: 'forward', candidates: [c] } : sub
  }
  const dstNode = idx.nodeByIP.get(p.dst)
  if (dstNode && dstNode.name !== node) return follow(dstNode.name, p, depth + 1)
  if (dstNode) return { verdict: 'local', candidates: [] }
  return { verdict: 'forward', candidates: [] }
}
