import type { Candidate, Trace } from '@dataplane-sim/cluster'
import { cidrContains, ipToU32 } from '@dataplane-sim/cluster'
import { INGRESS } from '../agent/policy'
import { ipText } from './addr'
import { ctMapOf } from './ctOps'
import { CT } from './ctTable'
import { checkPolicy } from './policyCheck'
import { DROP, type DropReason } from './reasons'
import { type DatapathState, drop, type Flow, NO_CANDIDATES, result } from './state'
import { type Ctx, progId, protoName } from './trace'

export const LXC_POLICY = progId('cil_lxc_policy')

/**
 * The end of a packet's path: local delivery through the destination endpoint's ingress policy
 * (`bpf_lxc.c` tail call into cil_lxc_policy), forwarding out of the node (native routing, or BPF
 * masquerade via `bpf/lib/nat.h` snat_v4_nat), and replies of tracked flows (reverse NAT, no policy).
 */

/** IPV4_LOOPBACK: the source Cilium gives a pod reaching itself through a service. */
const LOOPBACK_TEXT = '169.254.42.1'
export const IPV4_LOOPBACK = ipToU32(LOOPBACK_TEXT)

/** Local delivery (ingress policy of the destination endpoint) or forwarding out of the node. */
export function deliver(
  dp: DatapathState,
  t: Flow,
  ctx: Ctx,
  srcIdentity: number,
  isNew: boolean,
  dnat: Trace['dnat'],
  candidates: Candidate[],
  hairpin: boolean,
  fromPod: boolean,
): Trace {
  const maps = dp.maps
  const dst = lookupLxc(dp, t.daddr, ctx, false)
  if (dst) {
    if (hairpin) {
      // a pod reaching itself through a service: SNAT to IPV4_LOOPBACK, ingress policy skipped (bpf_lxc loopback)
      if (ctx.steps)
        ctx.step(
          'bpf_lxc',
          'hairpin',
          'info',
          `source NAT to ${ipText(IPV4_LOOPBACK)}, ingress policy skipped`,
        )
      return result(ctx, 'forward', dnat, candidates, true, lxcName(dst.endpointId), LOOPBACK_TEXT)
    }
    ctx.prog(LXC_POLICY, ctx.steps ? `ingress policy of endpoint ${dst.endpointId} (tail call)` : '')
    if (isNew) {
      const denied = checkPolicy(maps, dst.endpointId, srcIdentity, INGRESS, t.proto, t.dport, ctx)
      if (denied) return drop(ctx, denied, dnat, [])
    }
    return result(ctx, 'forward', dnat, candidates, false, lxcName(dst.endpointId))
  }
  // the node itself: 'local', unless a service sent it there (a host-network backend), which is a forward
  if (t.daddr === dp.cfg.nodeIp)
    return result(ctx, dnat ? 'forward' : 'local', dnat, candidates, false, 'host')
  // Leaving the node: native routing toward pod CIDRs and nodes; BPF masquerade toward everything else.
  const inCluster =
    cidrContains(dp.cfg.nativeRoutingCidr, t.daddr) || maps.ipcache.peek(32, t.daddr)?.source === 'node'
  if (fromPod && !inCluster) {
    const nat = snat(dp, t, ctx)
    if (nat) return drop(ctx, nat, dnat, [])
    return result(ctx, 'forward', dnat, candidates, true, 'eth0', ctx.lean ? '' : ipText(dp.cfg.nodeIp))
  }
  return result(ctx, 'forward', dnat, candidates, false, 'eth0')
}

/** The destination's endpoint in cilium_lxc (a local pod), with its trace step. */
function lookupLxc(dp: DatapathState, daddr: number, ctx: Ctx, isReply: boolean) {
  const dst = dp.maps.lxc.lookupInto(daddr, ctx.ops)
  if (ctx.steps) {
    const detail = !dst
      ? undefined
      : isReply
        ? `id=${dst.endpointId} (reply: no policy)`
        : `id=${dst.endpointId} sec_id=${dst.identity} ifindex=${dst.ifindex} ${dst.pod}`
    ctx.step('cilium_lxc', ipText(daddr), dst ? 'hit' : 'miss', detail)
  }
  return dst
}

const lxcNames: string[] = []

/** `lxc<id>`, built once per endpoint id. */
function lxcName(endpointId: number): string {
  let s = lxcNames[endpointId]
  if (s === undefined) lxcNames[endpointId] = s = `lxc${endpointId}`
  return s
}

/** A reply of a tracked flow: reverse NAT to the service address when the entry has one; no policy. */
export function reply(dp: DatapathState, t: Flow, slot: number, ctx: Ctx): Trace {
  const maps = dp.maps
  const revNat = ctMapOf(maps, t.proto).get(slot, CT.REV_NAT)
  let snatText: string | undefined
  if (revNat) {
    if (dp.cfg.socketLb)
      if (ctx.steps)
        ctx.step('cilium_lb4_reverse_sk', `rev_nat=${revNat}`, 'info', 'reverse NAT at recvmsg() (socket-LB)')
    const rn = maps.revNat.lookupInto(revNat, ctx.ops)
    if (ctx.steps)
      ctx.step(
        'cilium_lb4_reverse_nat',
        `rev_nat=${revNat}`,
        rn ? 'hit' : 'miss',
        rn ? `${ipText(rn.addr)}:${rn.port}` : undefined,
      )
    if (rn && !ctx.lean) snatText = `${ipText(rn.addr)}:${rn.port}`
  }
  lookupLxc(dp, t.daddr, ctx, true)
  const out = result(
    ctx,
    t.daddr === dp.cfg.nodeIp ? 'local' : 'forward',
    null,
    ctx.lean ? NO_CANDIDATES : [],
    false,
  )
  if (snatText) out.snat = snatText
  return out
}

/** snat_v4_nat: allocate a port for the node address; 32 collisions in a row is DROP_NAT_NO_MAPPING. */
export function snat(dp: DatapathState, t: Flow, ctx: Ctx): DropReason | null {
  const maps = dp.maps
  const nodeIp = dp.cfg.nodeIp
  const key = `${t.proto}|${t.saddr}|${t.sport}|${t.daddr}|${t.dport}`
  const have = maps.snat.lookupInto(key, ctx.ops)
  if (ctx.steps)
    ctx.step(
      'cilium_snat_v4_external',
      `${protoName(t.proto)} OUT ${ipText(t.saddr)}:${t.sport} -> ${ipText(t.daddr)}:${t.dport}`,
      have ? 'hit' : 'miss',
      have ? `to ${ipText(have.toAddr)}:${have.toPort}` : undefined,
    )
  if (have) return null
  const write = maps.snat.costIds.progUpdate
  for (let attempt = 0; attempt < 32; attempt++) {
    const port = 32768 + dp.rng.int(65535 - 32768)
    const rkey = `${t.proto}|${t.daddr}|${t.dport}|${nodeIp}|${port}|r`
    if (maps.snat.lookupInto(rkey, ctx.ops)) continue
    maps.snat.update(key, { toAddr: nodeIp, toPort: port, created: dp.now }, 0)
    ctx.ops.add(write)
    maps.snat.update(rkey, { toAddr: t.saddr, toPort: t.sport, created: dp.now }, 0)
    ctx.ops.add(write)
    if (ctx.steps)
      ctx.step(
        'cilium_snat_v4_external',
        `${protoName(t.proto)} IN ${ipText(t.daddr)}:${t.dport} -> ${ipText(nodeIp)}:${port}`,
        'info',
        'created (reverse entry)',
      )
    return null
  }
  return DROP.NAT_NO_MAPPING
}
