import { EGRESS } from '../agent/policy'
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
  const name = `cilium_policy_${String(endpointId).padStart(5, '0')}`
  const dir = direction === EGRESS ? 'Egress' : 'Ingress'
  const l4 = proto === 1 ? 'ICMP' : `${protoName(proto)}/${dport}`
  const l3 = trie.lookup(policyKeyWords(remoteId, direction, proto, dport, words), ctx.counts)
  if (ctx.steps)
    ctx.step(
      name,
      `${dir} identity=${remoteId} ${l4}`,
      l3 ? 'hit' : 'miss',
      l3 ? describe(l3.deny, l3.prefixLen) : undefined,
    )
  if (l3?.deny) return DROP.POLICY_DENY
  const any = trie.lookup(policyKeyWords(0, direction, proto, dport, words), ctx.counts)
  if (ctx.steps)
    ctx.step(
      name,
      `${dir} identity=ANY ${l4}`,
      any ? 'hit' : 'miss',
      any ? describe(any.deny, any.prefixLen) : undefined,
    )
  if (any && (any.deny || !l3 || any.prefixLen > l3.prefixLen)) return any.deny ? DROP.POLICY_DENY : null
  if (l3) return null
  return DROP.POLICY
}

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
