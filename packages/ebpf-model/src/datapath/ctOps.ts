import { ipText } from './addr'
import { IPPROTO_TCP } from './conntrack'
import { CT, type CtTable } from './ctTable'
import type { NodeMaps } from './maps'
import type { DatapathState, Flow } from './state'
import { type Ctx, protoName } from './trace'

/**
 * The datapath's conntrack operations (`bpf/lib/conntrack.h`): ct_lookup4 of the tuple and of its reverse,
 * ct_create4, the per-packet refresh of an established entry, and the service CT entry (TUPLE_F_SERVICE)
 * that pins a flow's backend on the tc path and in bpf_host.
 */

export const CT_NEW = 0
export const CT_ESTABLISHED = 1
export const CT_REPLY = 2
export type CtState = typeof CT_NEW | typeof CT_ESTABLISHED | typeof CT_REPLY

export function ctMapOf(maps: NodeMaps, proto: number): CtTable {
  return proto === IPPROTO_TCP ? maps.ct : maps.ctAny
}

function ctName(proto: number): string {
  return proto === IPPROTO_TCP ? 'cilium_ct4_global' : 'cilium_ct_any4_global'
}

function tupleText(f: Flow, dir: string): string {
  return `${protoName(f.proto)} ${dir} ${ipText(f.saddr)}:${f.sport} -> ${ipText(f.daddr)}:${f.dport}`
}

/** The service CT entry that pins an established flow's backend, both directions: its slot or −1. */
export function serviceCt(dp: DatapathState, f: Flow, dir: 'OUT' | 'IN', ctx: Ctx): number {
  const map = ctMapOf(dp.maps, f.proto)
  const e = map.find(f.proto, f.saddr, f.sport, f.daddr, f.dport, true, ctx.ops)
  if (ctx.steps)
    ctx.step(
      ctName(f.proto),
      `${tupleText(f, dir)} service`,
      e >= 0 ? 'hit' : 'miss',
      e >= 0
        ? `backend_id=${map.get(e, CT.BACKEND_ID)}${dir === 'OUT' ? ` rev_nat=${map.get(e, CT.REV_NAT)}` : ''}`
        : undefined,
    )
  return e
}

/**
 * ct_lookup4: the tuple as sent, then reversed (a reply); expired entries count as absent. The slot found
 * is left in `ctx.ctSlot`. `likelyNew`: the packet opens a connection (socket-LB just translated it), so
 * the tuple will most likely miss and the reverse's read is started with it (`findWithReverse`); otherwise
 * the reverse is read only after the tuple missed, as it is counted.
 */
export function ctLookup(dp: DatapathState, t: Flow, ctx: Ctx, likelyNew = false): CtState {
  const map = ctMapOf(dp.maps, t.proto)
  const fwd = likelyNew
    ? map.findWithReverse(t.proto, t.saddr, t.sport, t.daddr, t.dport, false, ctx.ops)
    : map.find(t.proto, t.saddr, t.sport, t.daddr, t.dport, false, ctx.ops)
  const text = ctx.steps ? tupleText(t, 'OUT') : ''
  ctx.ctAbsent = fwd < 0
  if (fwd >= 0 && map.get(fwd, CT.EXPIRES) > dp.now) {
    if (ctx.steps)
      ctx.step(
        ctName(t.proto),
        text,
        'hit',
        `established expires=${map.get(fwd, CT.EXPIRES)} rev_nat=${map.get(fwd, CT.REV_NAT)}`,
      )
    ctx.ctSlot = fwd
    return CT_ESTABLISHED
  }
  const rev = likelyNew
    ? map.findReverse(ctx.ops)
    : map.find(t.proto, t.daddr, t.dport, t.saddr, t.sport, false, ctx.ops)
  if (rev >= 0 && map.get(rev, CT.EXPIRES) > dp.now) {
    if (ctx.steps)
      ctx.step(
        ctName(t.proto),
        text,
        'hit',
        `reply of ${ipText(t.daddr)}:${t.dport} -> ${ipText(t.saddr)}:${t.sport}`,
      )
    ctx.ctSlot = rev
    return CT_REPLY
  }
  if (ctx.steps) ctx.step(ctName(t.proto), text, 'miss', 'new')
  return CT_NEW
}

/**
 * ct_create4 of `t`. `absent`: the caller's `ctLookup` of this very tuple just found no entry (`ctx.ctAbsent`)
 * and nothing wrote conntrack since, so the map's update need not look for the key again.
 */
export function ctCreate(
  dp: DatapathState,
  t: Flow,
  ctx: Ctx,
  service: boolean,
  revNat: number,
  backendId: number,
  srcIdentity: number,
  nonSyn: boolean,
  absent = false,
): void {
  ctx.newFlow = true
  ctMapOf(dp.maps, t.proto).create(
    t.proto,
    t.saddr,
    t.sport,
    t.daddr,
    t.dport,
    service,
    dp.now,
    revNat,
    backendId,
    srcIdentity,
    nonSyn,
    ctx.ops,
    absent,
  )
}

/** A packet of an established flow refreshes its entry in place (written through the lookup pointer). */
export function ctTouch(
  dp: DatapathState,
  slot: number,
  proto: number,
  closing: boolean,
  nonSyn: boolean,
): void {
  ctMapOf(dp.maps, proto).touch(slot, proto, closing, nonSyn, dp.now)
}
