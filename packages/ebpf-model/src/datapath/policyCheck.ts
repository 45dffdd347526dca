import { WORLD_ID } from '../agent/identity'
import { EGRESS, INGRESS } from '../agent/policy'
import { ipText } from './addr'
import { type NodeMaps, policyKeyWord1 } from './maps'
import { DROP, type DropReason } from './reasons'
import type { Ctx } from './trace'
import { protoName } from './trace'

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
  const trie = maps.policy.byId(endpointId)
  if (!trie) return DROP.POLICY
  // entries as their `policyNum` (prefix length · deny bit), −1 for a miss: no value object read; the key's
  // data words as `policyKeyWords` makes them
  const w1 = policyKeyWord1(direction, proto, dport)
  const l3 = trie.lookupNumWordsInto(remoteId >>> 0, w1, ctx.ops)
  if (ctx.steps)
    ctx.step(
      mapName(endpointId),
      `${dirName(direction)} identity=${remoteId} ${l4Name(proto, dport)}`,
      l3 >= 0 ? 'hit' : 'miss',
      l3 >= 0 ? describe(l3) : undefined,
    )
  if (l3 >= 0 && l3 & 1) return DROP.POLICY_DENY
  const any = trie.lookupNumWordsInto(0, w1, ctx.ops)
  if (ctx.steps)
    ctx.step(
      mapName(endpointId),
      `${dirName(direction)} identity=ANY ${l4Name(proto, dport)}`,
      any >= 0 ? 'hit' : 'miss',
      any >= 0 ? describe(any) : undefined,
    )
  if (any >= 0 && (any & 1 || l3 < 0 || any >>> 1 > l3 >>> 1)) return any & 1 ? DROP.POLICY_DENY : null
  if (l3 >= 0) return null
  return DROP.POLICY
}

const mapName = (endpointId: number) => `cilium_policy_${String(endpointId).padStart(5, '0')}`
const dirName = (direction: number) => (direction === EGRESS ? 'Egress' : 'Ingress')
const l4Name = (proto: number, dport: number) => (proto === 1 ? 'ICMP' : `${protoName(proto)}/${dport}`)

function describe(num: number): string {
  const deny = (num & 1) === 1
  const prefixLen = num >>> 1
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
  // the trie keeps each entry's identity beside it (`numeric`): −1 for a miss
  const ipcache = maps.ipcache
  let id: number
  const slot = ctx.slotHint
  if (slot !== 0) {
    // the backend's address, whose ipcache answer its services-map slot keeps a copy of (`ServicesMap.slotCopy`):
    // a valid copy answers the lookup (counted the same); else the lookup, and the copy renewed (for this address)
    ctx.slotHint = 0
    const services = maps.services
    if (services.ipcacheCopyFor(slot, addr))
      id = ipcache.answeredNumWordsInto(
        addr,
        0,
        services.foundIpcacheNum,
        services.foundIpcachePrefixLen,
        ctx.ops,
      )
    else {
      id = ipcache.lookupNumWordsInto(addr, 0, ctx.ops)
      maps.services.refreshIpcacheCopy(slot, addr, id, ipcache.lastPrefixLen)
    }
  } else id = ipcache.lookupNumWordsInto(addr, 0, ctx.ops)
  if (ctx.steps)
    ctx.step(
      'cilium_ipcache',
      `${ipText(addr)}/32`,
      id >= 0 ? 'hit' : 'miss',
      id >= 0 ? `identity=${id} tunnelendpoint=0.0.0.0` : 'identity=2 (world)',
    )
  return id >= 0 ? id : WORLD_ID
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
