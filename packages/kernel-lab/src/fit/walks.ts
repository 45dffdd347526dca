import { type Packet, parsePacket, replyOf } from '@dataplane-sim/cluster'
import {
  Netfilter,
  type PacketBackend,
  parseIptablesSave,
  type WalkCaches,
  type WalkTotals,
  walkCountsAs,
  walkKeys,
} from '@dataplane-sim/iptables-model'
import { ECHO_PORT, SKIP_PORT } from '../measure/probe'
import { forwardRulesTable } from '../rules/forwardRules'
import { firstPacketTable } from '../rules/kubeProxyShape'
import { LAB_ADDRESSES } from '../topology/addressPlan'

/** What iptables-model's engine counts for one packet's walks. */
type Walk = WalkTotals

/**
 * The walks behind one measured per-packet value: the traces of the loaded table minus those of the sweep's
 * baseline (the lab subtracts a baseline run from every point). Each trace is priced on its own, because the
 * cache-resident size applies to one packet's walk.
 */
export interface WalkShape {
  loaded: Walk[]
  baseline: Walk[]
  /** the walks start cache-cold: every byte they read is uncached (cache-resident size 0) */
  cold: boolean
}

const ZERO: Required<Walk> = { rules: 0, matches: 0, chains: 0, bytes: 0, compatMatches: 0 }

/**
 * The counts of a WalkShape under `backend`'s keys with the cache sizes `caches` (walkCost.ts walkCountsAs: a
 * warm walk keeps `cacheBytes` resident, a cold one pays for what its L3 share cannot hold).
 */
export function walkShapeCounts(
  shape: WalkShape,
  backend: PacketBackend,
  caches: WalkCaches,
): Record<string, number> {
  const out: Record<string, number> = {}
  const add = (w: Walk, sign: number) => {
    const c = walkCountsAs(w, backend, caches, shape.cold)
    for (const k in c) out[k] = (out[k] ?? 0) + sign * c[k]
  }
  for (const w of shape.loaded) add(w, 1)
  for (const w of shape.baseline) add(w, -1)
  return out
}

/** The lab node as the engine sees it: its two link addresses are local, nothing is a pod. */
const NODE = { localIps: [LAB_ADDRESSES.nodeClientSide, LAB_ADDRESSES.nodeServerSide], podCidrs: [] }

/**
 * The walks of the packets of `packets` (in order, sharing conntrack) through the rules of `text`, as an
 * iptables-nft node counts them (the same walk as legacy's, plus which matches go through nft_compat).
 */
function engineWalks(text: string, packets: Packet[]): Walk[] {
  const nf = new Netfilter(parseIptablesSave(text, '<lab table>'), NODE, { backend: 'nft' })
  const k = walkKeys('nft')
  return packets.map((p) => {
    const c = nf.classify(p, { steps: false }).cost.counts
    return {
      rules: c[k.rule],
      matches: c[k.match],
      chains: c[k.chain],
      bytes: c[k.bytes],
      compatMatches: c[k.compat],
    }
  })
}

/**
 * The walks of a table of `n` repeated units, from the engine's walks at 1 and 2 units: each unit adds the
 * same rules to the walk, so the totals are linear in n (checked), and a 50k-rule table need not be built.
 */
function linearWalks(table: (n: number) => string, packets: Packet[], n: number): Walk[] {
  const w0 = engineWalks(table(0), packets)
  const w1 = engineWalks(table(1), packets)
  const w2 = engineWalks(table(2), packets)
  return w0.map((a, i) => {
    const out = { ...ZERO }
    for (const k of Object.keys(ZERO) as Array<keyof Walk>) {
      const at = (w: Walk) => w[k] ?? 0
      const step = at(w1[i]) - at(a)
      if (at(w2[i]) - at(w1[i]) !== step) throw new Error(`lab table walk is not linear in its size (${k})`)
      out[k] = at(a) + n * step
    }
    return out
  })
}

const ECHO = parsePacket(`icmp ${LAB_ADDRESSES.client} -> ${LAB_ADDRESSES.server}`)

/**
 * `packet-forward` / `packet-forward-match`: a ping round trip, the echo request and its reply each walking
 * filter FORWARD; the baseline has no rules.
 */
export function forwardWalkShape(rules: number, kind: 'ip' | 'match'): WalkShape {
  const packets = [ECHO, replyOf(ECHO)]
  return {
    loaded: linearWalks((n) => forwardRulesTable(n, kind), packets, rules),
    baseline: engineWalks(forwardRulesTable(0, kind), packets),
    cold: false,
  }
}

/** First packets as the sweep sends them: UDP from a new source port to the echo agent's two ports. */
const FIRST = parsePacket(`udp ${LAB_ADDRESSES.client}:20000 -> ${LAB_ADDRESSES.server}:${ECHO_PORT}`)
const SKIPPED = parsePacket(`udp ${LAB_ADDRESSES.client}:20001 -> ${LAB_ADDRESSES.server}:${SKIP_PORT}`)

/**
 * `packet-nat-first`: the datagram of a new flow to ECHO_PORT walks nat PREROUTING → KUBE-SERVICES (every
 * service rule fails: the lab's services are TCP, and their -d is no lab address) and nat POSTROUTING; its
 * echo belongs to an established connection and skips nat. The baseline is the flows to SKIP_PORT through the
 * same table, accepted before KUBE-SERVICES.
 *
 * Cold for the L2: every byte the walk reads is priced as streamed from beyond it (cache-resident size 0).
 * The sender opens, binds, uses and closes a Node dgram socket per flow, on the CPU that then runs the walk
 * (veth hands the packet to the same CPU's backlog): that user-space work evicts the 512 KiB L2 between two
 * walks, where `ping` between two FORWARD walks does not. Measured (reports/kernel, two quiet runs): 7.2–8.4
 * ns per rule at 5k–20k services and 9.4 at 1k, against 5.6–6.3 and 4.8–5.6 for FORWARD walks of the same
 * 488-byte entries — a 1k walk fits the L2 the FORWARD walk stays in, and the first packet's does not stay.
 * Priced warm, the first packet at 1k was 29–39 % under and FORWARD at 1k 17–31 % over (they share
 * `ipt.rule`); cold, both are within 25 %. The walks find their bytes in L3 (the per-byte price is the
 * L3-streaming one), as back-to-back flows keep the table there — up to one CPU's share of the L3: the bytes
 * beyond it go to DRAM (`ipt.llcMissBytes`; reports/kernel/l3-probe: 9.0 ns per rule at 30k services, 14.6
 * MB, then 19.0 and 28.9 at 40k and 50k, 19.5 and 24.4 MB, against a share of 16.8 MB), the sender's socket
 * work between walks competing for the L3 as it does for the L2.
 */
export function natFirstWalkShape(services: number): WalkShape {
  const table = (n: number) => firstPacketTable(n, SKIP_PORT)
  return {
    loaded: linearWalks(table, [FIRST, replyOf(FIRST)], services),
    baseline: linearWalks(table, [SKIPPED, replyOf(SKIPPED)], services),
    cold: true,
  }
}
