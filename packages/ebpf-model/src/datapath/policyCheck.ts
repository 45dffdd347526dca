import { WORLD_ID } from '../agent/identity'
import { EGRESS, INGRESS } from '../agent/policy'
import { ipText } from './addr'
import { type NodeMaps, policyKeyWords } from './maps'
import { DROP, type DropReason } from './reasons'
import type { Ctx } from './trace'
import { protoName } from './trace'

const words: number[] = [0, 0]

/**
 * `bpf/lib/policy.h` __policy_can_access: an LPM lookup with the remote identity, then one with identity 0
 * (L4-only); a deny from either wins, else the longer L4 prefix, else the identity-specific entry; nothing
 * found is DROP_POLICY. Returns the drop reason, or null when allowed.
 */
export function checkPolicy(
  maps: NodeMaps,
  endpointId: number,
  remoteId: number,
  direction: number,
  proto: number,
  dport: number,
  ctx: Ctx,
): DropReason | null {
  const trie = maps.policy.get(endpointId)
  if (!trie) return DROP.POLICY
  const l3 = trie.lookupInto(policyKeyWords(remoteId, direction, proto, dport, words), ctx.ops)
  if (ctx.steps)
    ctx.step(
      mapName(endpointId),
      `${dirName(direction)} identity=${remoteId} ${l4Name(proto, dport)}`,
      l3 ? 'hit' : 'miss',
      l3 ? describe(l3.deny, l3.prefixLen) : undefined,
    )
  if (l3?.deny) return DROP.POLICY_DENY
  const any = trie.lookupInto(policyKeyWords(0, direction, proto, dport, words), ctx.ops)
  if (ctx.steps)
    ctx.step(
      mapName(endpointId),
      `${dirName(direction)} identity=ANY ${l4Name(proto, dport)}`,
      any ? 'hit' : 'miss',
      any ? describe(any.deny, any.prefixLen) : undefined,
    )
  if (any && (any.deny || !l3 || any.prefixLen > l3.prefixLen)) return any.deny ? DROP.POLICY_DENY : null
  if (l3) return null
  return DROP.POLICY
}

const mapName = (endpointId: number) => `cilium_policy_${String(endpointId).padStart(5, '0')}`
const dirName = (direction: number) => (direction === EGRESS ? 'Egress' : 'Ingress')
const l4Name = (proto: number, dport: number) => (proto === 1 ? 'ICMP' : `${protoName(proto)}/${dport}`)

function describe(deny: boolean, prefixLen: number): string {
  const l4 =
    prefixLen === 0
      ? 'ANY'
      : prefixLen <= 8
        ? 'proto/ANY'
        : prefixLen === 24
          ? 'proto/port'
          : `proto/port-range(/${prefixLen - 8})`
  return `${deny ? 'deny' : 'allow'} ${l4}`
}

/** Source (or destination) identity from the ipcache (a miss is the world). */
export function identityOf(maps: NodeMaps, addr: number, ctx: Ctx): number {
  const info = maps.ipcache.lookupInto(addr, ctx.ops)
  if (ctx.steps)
    ctx.step(
      'cilium_ipcache',
      `${ipText(addr)}/32`,
      info ? 'hit' : 'miss',
      info ? `identity=${info.identity} tunnelendpoint=0.0.0.0` : 'identity=2 (world)',
    )
  return info ? info.identity : WORLD_ID
}

/** Egress policy of the source endpoint toward the destination's identity. */
export function egressPolicy(
  maps: NodeMaps,
  daddr: number,
  proto: number,
  dport: number,
  ctx: Ctx,
  endpointId: number,
): DropReason | null {
  const dstId = identityOf(maps, daddr, ctx)
  return checkPolicy(maps, endpointId, dstId, EGRESS, proto, dport, ctx)
}

/** Egress of the source and ingress of a local destination, for one candidate (enumerate mode). */
export function localPolicy(
  maps: NodeMaps,
  daddr: number,
  proto: number,
  dport: number,
  ctx: Ctx,
  endpointId: number,
  identity: number,
  hairpin: boolean,
): DropReason | null {
  if (endpointId !== 0) {
    const denied = egressPolicy(maps, daddr, proto, dport, ctx, endpointId)
    if (denied) return denied
  }
  const dst = maps.lxc.peek(daddr)
  if (!dst || hairpin) return null
  return checkPolicy(maps, dst.endpointId, identity, INGRESS, proto, dport, ctx)
}
