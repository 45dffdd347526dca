import type { Candidate, Cidr, CostProfile, Rng, Trace } from '@dataplane-sim/cluster'
import { type BackendText, backendIp } from './addr'
import type { NodeMaps } from './maps'
import type { DropReason } from './reasons'
import type { ConnectedSockets } from './sockets'
import type { Ctx } from './trace'

/**
 * One node's datapath: the programs a packet runs through, in order, and the maps they read — mirroring
 * `bpf/bpf_sock.c` (socket-LB at connect()), `bpf/bpf_lxc.c` (from-container: CT, egress policy, local
 * delivery with the destination's ingress policy), `bpf/bpf_host.c` + `bpf/lib/nodeport.h` (NodePort /
 * LoadBalancer / externalIP from outside, SNAT for externalTrafficPolicy Cluster, source ranges),
 * `bpf/lib/conntrack.h` and `bpf/lib/policy.h`.
 */
export interface DatapathConfig {
  nodeName: string
  nodeIp: number
  /** socket-LB (bpf-lb-sock; on under kube-proxy replacement): services translated at connect() */
  socketLb: boolean
  algorithm: 'random' | 'maglev'
  /** installNoConntrackIptablesRules: pod traffic is NOTRACK in the raw table */
  noTrack: boolean
  /** ipv4-native-routing-cidr: no masquerade toward it */
  nativeRoutingCidr: Cidr
  /** bpf-lb-external-clusterip */
  externalClusterIp: boolean
  profile: CostProfile
}

/** What the datapath's pieces (from-local, from-network, CT, policy, delivery) share. */
export interface DatapathState {
  readonly maps: NodeMaps
  readonly cfg: DatapathConfig
  readonly rng: Rng
  /** node clock, seconds (CT lifetimes, affinity) */
  readonly now: number
  /** connected sockets: socket-LB rewrote their peer at connect(); later packets need no service lookup */
  readonly sockets: ConnectedSockets
}

/** A packet's 5-tuple, numeric. */
export interface Flow {
  proto: number
  saddr: number
  sport: number
  daddr: number
  dport: number
}

/** `f` sent to (daddr, dport), written into `into` (the packet's translated flow, `Ctx.translated`): no record per packet. */
export function flowTo(into: Flow, f: Flow, daddr: number, dport: number): Flow {
  into.proto = f.proto
  into.saddr = f.saddr
  into.sport = f.sport
  into.daddr = daddr
  into.dport = dport
  return into
}

/** A flow record to be filled per packet (`Ctx.flow`, `Ctx.translated`). */
export function emptyFlow(): Flow {
  return { proto: 0, saddr: 0, sport: 0, daddr: 0, dport: 0 }
}

/**
 * A trace record built as one literal (object spread is slow on the per-packet path); cost filled in later.
 * Lean (`Ctx.lean`): the one reused record, its verdict set (nothing else of it is read).
 */
export function result(
  ctx: Ctx,
  verdict: Trace['verdict'],
  dnat: Trace['dnat'],
  candidates: Candidate[],
  masquerade: boolean,
  outInterface?: string,
  snat?: string,
): Trace {
  if (ctx.lean) return leanTrace(verdict)
  const t: Trace = { verdict, dnat, candidates, masquerade, steps: NO_STEPS, cost: NO_COST }
  if (outInterface !== undefined) t.outInterface = outInterface
  if (snat !== undefined) t.snat = snat
  return t
}

/**
 * Shared initial values: `classify` gives every trace its cost before returning it, and its own steps when
 * asked for them; a trace without steps keeps this empty list (frozen: shared by every such trace).
 */
export const NO_STEPS: Trace['steps'] = Object.freeze([]) as unknown as Trace['steps']
const NO_COST: Trace['cost'] = { counts: {}, ns: 0 }
/** An empty candidate list no trace keeps (lean packets): frozen. */
export const NO_CANDIDATES: Candidate[] = Object.freeze([]) as unknown as Candidate[]
/** The translation of a lean packet: it says there was one (`deliver` tests it), its text is never read. */
export const LEAN_DNAT: NonNullable<Trace['dnat']> = Object.freeze({ ip: '', port: 0 })

/** The record every lean packet's path returns (reused: a lean caller reads its verdict and lets it go). */
const LEAN: Trace = {
  verdict: 'forward',
  dnat: null,
  candidates: NO_CANDIDATES,
  masquerade: false,
  steps: NO_STEPS,
  cost: NO_COST,
}

function leanTrace(verdict: Trace['verdict']): Trace {
  LEAN.verdict = verdict
  return LEAN
}

/** A trace's translation to backend `b` (lean: `LEAN_DNAT`, no text read). */
export function dnatOf(ctx: Ctx, b: { addr: number; port: number } & BackendText): Trace['dnat'] {
  return ctx.lean ? LEAN_DNAT : { ip: backendIp(b), port: b.port }
}

export function drop(ctx: Ctx, reason: DropReason, dnat: Trace['dnat'], candidates: Candidate[]): Trace {
  if (ctx.steps) ctx.step('drop', `${reason.code}`, 'verdict', reason.text)
  if (ctx.lean) return leanTrace('drop')
  return {
    verdict: 'drop',
    dnat,
    candidates,
    masquerade: false,
    reason: reason.text,
    steps: NO_STEPS,
    cost: NO_COST,
  }
}
