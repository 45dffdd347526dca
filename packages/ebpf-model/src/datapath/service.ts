import type { Candidate, Trace } from '@dataplane-sim/cluster'
import { HOST_ID } from '../agent/identity'
import { SVC_FLAG_AFFINITY, SVC_FLAG_SOURCE_RANGE } from '../agent/services'
import type { IpcacheValue, ProgrammedBackend } from '../agent/sink'
import { ipText } from './addr'
import {
  affinityBackend,
  candidateOf,
  enumerateBackends,
  lookupBackend,
  lookupService,
  lookupServiceCell,
  maglevShare,
  newBackend,
  rememberAffinity,
} from './lb'
import { type NodeMaps, type ServiceMaster, serviceKey } from './maps'
import { DROP } from './reasons'
import { type DatapathState, drop, type Flow, NO_CANDIDATES } from './state'
import { type Ctx, protoName } from './trace'

/**
 * The service half of a packet's path (`bpf/lib/lb.h`, `bpf/bpf_sock.c`): which frontend it hit, and the
 * backend chosen for a new connection with its candidates.
 */

/** A backend chosen for a new connection, with the candidates a trace reports. */
export interface Pick {
  backend: ProgrammedBackend
  candidates: Candidate[]
  /** every selectable backend with its probability (enumerate mode only, else empty) */
  all: Array<{ backend: ProgrammedBackend; probability: number }>
}

const NONE: Pick['all'] = []
/**
 * The backend a lean packet's `pick` chose: id, address and port (all a lean path reads of it; reused, its
 * caller takes the fields at once). Not a backends-map record: nothing else of it is filled.
 */
const LEAN_BACKEND = { id: 0, addr: 0, port: 0 } as ProgrammedBackend
/** What `pick` returns to a lean packet (reused: its caller takes the backend at once). */
const LEAN_PICK: Pick = {
  backend: undefined as unknown as ProgrammedBackend,
  candidates: NO_CANDIDATES,
  all: NONE,
}

/** Service lookup; socket-LB also tries the NodePort wildcard frontend for any node address (sock4_wildcard_lookup). */
export function serviceFor(
  dp: DatapathState,
  f: Flow,
  internal: boolean,
  ctx: Ctx,
): ServiceMaster | undefined {
  const maps = dp.maps
  const m = lookupService(maps, f.daddr, f.dport, f.proto, internal, ctx)
  if (m) return m
  if (maps.unprogrammed.has(serviceKey(f.daddr, f.dport, f.proto, 0))) return unprogrammed(f, ctx)
  if (!internal) return undefined
  const info = maps.ipcache.lookupInto(f.daddr, ctx.ops)
  const isNode = nodeEntry(info)
  if (ctx.steps)
    ctx.step(
      'cilium_ipcache',
      `${ipText(f.daddr)}/32`,
      info ? 'hit' : 'miss',
      info
        ? `identity=${info.identity}${isNode ? ' (node address: NodePort wildcard lookup)' : ''}`
        : undefined,
    )
  if (!isNode) return undefined
  return lookupService(maps, 0, f.dport, f.proto, internal, ctx)
}

/** An ipcache entry of a node address (host or remote-node identity): socket-LB's NodePort wildcard applies. */
function nodeEntry(info: IpcacheValue | undefined): boolean {
  return info !== undefined && (info.identity === HOST_ID || info.identity === 6) && info.source === 'node'
}

/**
 * `serviceFor` from inside (socket-LB) for a lean packet (no steps): the master's cell in the services map's
 * hot-field index (`lookupServiceCell`), or −1: the same lookups, counted the same.
 */
export function serviceCellFor(dp: DatapathState, f: Flow, ctx: Ctx): number {
  const maps = dp.maps
  const c = lookupServiceCell(maps, f.daddr, f.dport, f.proto, true, ctx)
  if (c >= 0) return c
  if (maps.unprogrammed.has(serviceKey(f.daddr, f.dport, f.proto, 0))) return -1
  if (!nodeEntry(maps.ipcache.lookupInto(f.daddr, ctx.ops))) return -1
  return lookupServiceCell(maps, 0, f.dport, f.proto, true, ctx)
}

/**
 * `pick` for a lean packet, under random selection, to the master in cell `c` (`serviceCellFor`): a plain
 * master (`masterPlain`) with backends, its slots in one run (`slotBase`), no source range and no affinity, is
 * picked from the cell alone: the same draw and slot lookup `newBackend` makes (`lookupSlotOf` of a run),
 * without reading the master record (a dependent cache miss at 100k services); any other through its record.
 */
export function pickCell(dp: DatapathState, c: number, f: Flow, ctx: Ctx): Trace | Pick {
  const services = dp.maps.services
  if (services.masterPlain(c)) {
    const count = services.masterCount(c)
    const base = services.masterSlotBase(c)
    if (count > 0 && base > 0 && !(services.masterFlags(c) & (SVC_FLAG_SOURCE_RANGE | SVC_FLAG_AFFINITY))) {
      const id = randomSlotBackend(dp, c, count, base, ctx)
      if (id < 0) return drop(ctx, DROP.NO_SERVICE, null, [])
      return leanFound(id, dp.maps.backends)
    }
  }
  return pick(dp, services.masterAt(c), f, ctx, false)
}

/**
 * lb4_select_backend_id_random for the plain master in cell `c`, whose `count` (> 0) slots run from `base`
 * (`masterSlotBase`): the draw, then the slot's and its backend's lookups, both counted, from the copy of the
 * slot's record in the master's cell, or the record (`ServicesMap.lookupSlotBackendAt`, as `newBackend` and
 * `leanPicked` would make them). The backend id, its address and port in the backends map's `foundAddr` /
 * `foundPort` and its slot in `ctx.slotHint` (the ipcache's answer for the address kept with it, for egress
 * policy's `identityOf`); −1 when either lookup missed.
 */
export function randomSlotBackend(
  dp: DatapathState,
  c: number,
  count: number,
  base: number,
  ctx: Ctx,
): number {
  const services = dp.maps.services
  const id = services.lookupSlotBackendAt(c, base + dp.rng.int(count), ctx.ops)
  if (id >= 0) ctx.slotHint = services.foundSlot
  return id
}

/**
 * Slot `slot`'s backend from the slot's record (`ServicesMap.lookupSlotBackendInto`: the slot's lookup, unless
 * not `slotRead`, then the backend's, counted), its slot in `ctx.slotHint` as `randomSlotBackend` leaves it;
 * −1 when a lookup missed.
 */
export function slotBackend(dp: DatapathState, slot: number, ctx: Ctx, slotRead: boolean): number {
  const services = dp.maps.services
  const id = services.lookupSlotBackendInto(-slot, ctx.ops, slotRead)
  if (id >= 0) ctx.slotHint = services.foundSlot
  return id
}

/**
 * A lean packet's backend `id` (−1: none chosen): the same backends-map lookup, reading only the address and
 * port a lean packet goes on with (one column element, not the id's element and then the record); no
 * candidate is read: no probability (a Maglev share scans its table), no address text or names.
 */
export function leanPicked(dp: DatapathState, id: number, ctx: Ctx): Trace | Pick {
  const b = dp.maps.backends
  if (id < 0 || !b.lookupAddrPortInto(id, ctx.ops)) return drop(ctx, DROP.NO_SERVICE, null, [])
  return leanFound(id, b)
}

/** The lean pick of backend `id`, which the backends map's last lookup found (`foundAddr`, `foundPort`). */
function leanFound(id: number, b: NodeMaps['backends']): Pick {
  LEAN_BACKEND.id = id
  LEAN_BACKEND.addr = b.foundAddr
  LEAN_BACKEND.port = b.foundPort
  LEAN_PICK.backend = LEAN_BACKEND
  return LEAN_PICK
}

function unprogrammed(f: Flow, ctx: Ctx): undefined {
  if (ctx.steps)
    ctx.step(
      'cilium_lb4_services_v2',
      `${ipText(f.daddr)}:${f.dport}/${protoName(f.proto)}`,
      'info',
      'frontend not programmed: cilium_lb4_services_v2 was full',
    )
  return undefined
}

/**
 * A new connection to a service without backends: service-no-backend-response=reject answers ICMP unreachable
 * when the service has none at all; a Local traffic policy that left this node without one drops.
 */
export function noBackend(ctx: Ctx, svc: ServiceMaster): Trace {
  return noBackendOf(ctx, svc.filteredOut)
}

/** `noBackend` of a master whose `filteredOut` is given (read from its cell: `ServicesMap.masterFilteredOut`). */
export function noBackendOf(ctx: Ctx, filteredOut: boolean): Trace {
  const t = drop(ctx, DROP.NO_SERVICE, null, [])
  if (!filteredOut) t.verdict = 'reject'
  return t
}

/**
 * Source-range check, then a backend for a new connection (random slot or Maglev, affinity first). A new
 * choice for an affinity service is remembered here (bpf_sock.c) unless `lb4Local`: lb.h lb4_local's callers
 * (the tc path, nodeport_lb4) write the entry themselves once the packet's backend is known, new or not
 * (`rememberAffinity`).
 */
export function pick(
  dp: DatapathState,
  svc: ServiceMaster,
  f: Flow,
  ctx: Ctx,
  enumerate: boolean,
  external = false,
  lb4Local = false,
): Trace | Pick {
  const maps = dp.maps
  if (svc.flags & SVC_FLAG_SOURCE_RANGE) {
    const hit = maps.sourceRange.lookupInto([svc.revNat, f.saddr], ctx.ops)
    if (ctx.steps)
      ctx.step('cilium_lb4_source_range', `rev_nat=${svc.revNat} ${ipText(f.saddr)}/32`, hit ? 'hit' : 'miss')
    if (!hit) return drop(ctx, DROP.NOT_IN_SRC_RANGE, null, [])
  }
  if (svc.count === 0) return noBackend(ctx, svc)
  const algorithm = dp.cfg.algorithm
  // session affinity's entry for the client first, else a backend chosen anew
  const affinity = (svc.flags & SVC_FLAG_AFFINITY) !== 0
  const kept = affinity ? affinityBackend(maps, svc, f.saddr, dp.now, ctx) : -1
  const id = kept >= 0 ? kept : newBackend(maps, svc, algorithm, dp.rng, f, ctx)
  // the backend's lookup, then a new choice remembered for the client (`newBackend`)
  const remember = affinity && kept < 0 && !lb4Local
  if (ctx.lean) {
    const picked = leanPicked(dp, id, ctx)
    if (remember && !('verdict' in picked)) rememberAffinity(maps, svc.revNat, f.saddr, id, dp.now, ctx)
    return picked
  }
  const backend = id >= 0 ? lookupBackend(maps, id, ctx) : undefined
  if (!backend) return drop(ctx, DROP.NO_SERVICE, null, [])
  if (remember) rememberAffinity(maps, svc.revNat, f.saddr, id, dp.now, ctx)
  if (enumerate) {
    const all = enumerateBackends(maps, svc, algorithm)
    return {
      backend,
      candidates: all.map((c) =>
        candidateOf(c.backend, c.probability, masqueraded(dp, c.backend, f, external)),
      ),
      all,
    }
  }
  const p = algorithm === 'random' ? 1 / svc.count : maglevShare(maps, svc, backend.id)
  return { backend, candidates: [candidateOf(backend, p, masqueraded(dp, backend, f, external))], all: NONE }
}

/** SNAT toward remote backends for external traffic (nodeport.h); from inside only a hairpin is NATed. */
function masqueraded(dp: DatapathState, b: ProgrammedBackend, f: Flow, external: boolean): boolean {
  return external ? !dp.maps.lxc.peek(b.addr) : b.addr === f.saddr
}
