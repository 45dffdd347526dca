import type { Candidate, Rng } from '@dataplane-sim/cluster'
import { SCOPE_EXT, SCOPE_INT, SVC_FLAG_TWO_SCOPES } from '../agent/services'
import type { ProgrammedBackend } from '../agent/sink'
import { maglevFlowHash } from '../maglev/flowHash'
import { decodeMaglevSeed } from '../maglev/seed'
import { backendIp, backendNames, ipText } from './addr'
import { type NodeMaps, type ServiceMaster, type ServiceSlot, serviceKey } from './maps'
import type { Flow } from './state'
import { type Ctx, protoName } from './trace'

/**
 * Service lookup and backend selection, mirroring `bpf/lib/lb.h`: lb4_lookup_service (scope switch for
 * two-scope services), lb4_select_backend_id_random (a random slot 1..count, then the slot entry) or
 * lb4_select_backend_id_maglev (the service's Maglev table indexed by the tuple hash), session affinity
 * (lb4_affinity_backend_id / lb4_update_affinity) and lb4_lookup_backend.
 */

export function lookupService(
  maps: NodeMaps,
  addr: number,
  port: number,
  proto: number,
  internal: boolean,
  ctx: Ctx,
): ServiceMaster | undefined {
  const m = maps.services.lookupInto(serviceKey(addr, port, proto, SCOPE_EXT), ctx.ops) as
    | ServiceMaster
    | undefined
  if (ctx.steps)
    ctx.step(
      'cilium_lb4_services_v2',
      `${ipText(addr)}:${port}/${protoName(proto)} (slot 0, scope ext)`,
      m ? 'hit' : 'miss',
      m ? masterDetail(m) : undefined,
    )
  if (!m || !internal || !(m.flags & SVC_FLAG_TWO_SCOPES)) return m
  const mi = maps.services.lookupInto(serviceKey(addr, port, proto, SCOPE_INT), ctx.ops) as
    | ServiceMaster
    | undefined
  if (ctx.steps)
    ctx.step(
      'cilium_lb4_services_v2',
      `${ipText(addr)}:${port}/${protoName(proto)} (slot 0, scope int)`,
      mi ? 'hit' : 'miss',
      mi ? masterDetail(mi) : undefined,
    )
  return mi ?? m
}

/**
 * `lookupService` for a lean packet (no steps), answering the master's cell in the services map's hot-field
 * index (`ServicesMap.lookupMaster`) instead of the record, or −1: the same lookups, counted the same.
 */
export function lookupServiceCell(
  maps: NodeMaps,
  addr: number,
  port: number,
  proto: number,
  internal: boolean,
  ctx: Ctx,
): number {
  const services = maps.services
  const c = services.lookupMaster(serviceKey(addr, port, proto, SCOPE_EXT), ctx.ops)
  if (c < 0 || !internal || !(services.masterFlags(c) & SVC_FLAG_TWO_SCOPES)) return c
  const ci = services.lookupMaster(serviceKey(addr, port, proto, SCOPE_INT), ctx.ops)
  // (a key the index cannot hold answers in its scratch cell: the second lookup's when it hit, else the first's)
  return ci >= 0 ? ci : c
}

export function masterDetail(m: ServiceMaster): string {
  const f = m.frontend
  return `count=${m.count} rev_nat=${m.revNat} [${f.type}${m.affinityTimeout ? `, affinity ${m.affinityTimeout}s` : ''}] service=${f.service}`
}

export function lookupBackend(maps: NodeMaps, id: number, ctx: Ctx): ProgrammedBackend | undefined {
  const b = maps.backends.lookupInto(id, ctx.ops)
  if (ctx.steps)
    ctx.step(
      'cilium_lb4_backends_v3',
      `backend_id=${id}`,
      b ? 'hit' : 'miss',
      b ? `${ipText(b.addr)}:${b.port}/${protoName(b.proto)} ${b.state}` : undefined,
    )
  return b
}

const HASH_INIT4_SEED = decodeMaglevSeed().jhash0

/** Whether one of the selectable slots 1..count of `m` holds `backendId` (control-plane reads, uncounted). */
function hasSlotFor(maps: NodeMaps, m: ServiceMaster, backendId: number): boolean {
  const keys = m.slotKeys
  const n = Math.min(m.count, keys.length)
  for (let i = 0; i < n; i++) if (maps.services.peekSlot(keys[i]) === backendId) return true
  return false
}

/**
 * A backend of `m` chosen anew for a new connection (Maglev, or a random slot), past session affinity's lookup
 * (`affinityBackend`); its id, or −1. The caller looks the backend up and then, for an affinity service,
 * remembers it for the client (`rememberAffinity`), in that order: bpf_sock.c __sock4_xlate_fwd writes the
 * entry (lb4_update_affinity_by_netns) after __lb4_lookup_backend found the backend, as lb.h lb4_local does
 * (lb4_update_affinity_by_addr after lb4_lookup_backend); a backend not found writes nothing.
 */
export function newBackend(
  maps: NodeMaps,
  m: ServiceMaster,
  algorithm: 'random' | 'maglev',
  rng: Rng,
  tuple: Flow,
  ctx: Ctx,
): number {
  let backendId = 0
  if (algorithm === 'maglev') {
    const inner = maps.maglev.lookupInto(m.revNat * 2 + m.frontend.scope, ctx.ops)
    const table = inner?.lookupInto(0, ctx.ops)
    if (!table || table.length === 0) return -1
    const idx =
      maglevFlowHash(tuple.saddr, tuple.daddr, tuple.sport, tuple.dport, HASH_INIT4_SEED) % table.length
    backendId = table[idx]
    if (ctx.steps)
      ctx.step('cilium_lb4_maglev', `rev_nat=${m.revNat} [${idx}]`, 'hit', `backend_id=${backendId}`)
  } else {
    const slot = rng.int(m.count) + 1
    backendId = maps.services.lookupSlotOf(m, slot, ctx.ops)
    if (ctx.steps)
      ctx.step(
        'cilium_lb4_services_v2',
        `${ipText(m.frontend.addr)}:${m.frontend.port}/${protoName(m.frontend.proto)} (slot ${slot}/${m.count})`,
        backendId >= 0 ? 'hit' : 'miss',
        backendId >= 0 ? `backend_id=${backendId}` : undefined,
      )
    if (backendId < 0) return -1
  }
  return backendId
}

/**
 * lb4_affinity_backend_id: the backend `client` last used on service `m` (an affinity service), when its
 * entry is fresh and the backend still holds a selectable slot (its `last_used` renewed), else −1, an entry
 * found stale deleted (`forgetAffinity`). Counted.
 */
export function affinityBackend(
  maps: NodeMaps,
  m: ServiceMaster,
  client: number,
  now: number,
  ctx: Ctx,
): number {
  const table = maps.affinity
  const e = table.find(client, m.revNat, ctx.ops)
  const fresh = e >= 0 && freshAffinity(maps, e, now, m.affinityTimeout)
  const kept = fresh && hasSlotFor(maps, m, table.backendId(e))
  if (ctx.steps)
    ctx.step(
      'cilium_lb4_affinity',
      `client=${ipText(client)} rev_nat=${m.revNat}`,
      e >= 0 ? 'hit' : 'miss',
      e >= 0
        ? `backend_id=${table.backendId(e)} last_used=${table.lastUsed(e)}${fresh ? (kept ? '' : " (not the service's backend: deleted)") : ' (expired: deleted)'}`
        : undefined,
    )
  if (kept) {
    table.touch(e, now)
    return table.backendId(e)
  }
  if (e >= 0) forgetAffinity(maps, e, ctx)
  return -1
}

/**
 * lb.h __lb4_affinity_backend_id's map_delete_elem: an entry found expired (last_used + timeout ≤ now), or
 * whose backend the service no longer has, is deleted by the program (counted as its write), and the backend
 * chosen anew. Cilium learns the second from cilium_lb_affinity_match ({rev NAT id, backend id}, written by
 * the agent for every backend of an affinity service: pkg/service/service.go); the model asks the service's
 * slots instead (`hasSlotFor`, `ServicesMap.slotRunHolding`), and that map and its lookup are not modeled.
 * A lean packet's counts leave their fixed sequence here: settled first.
 */
function forgetAffinity(maps: NodeMaps, e: number, ctx: Ctx): void {
  ctx.ops.settle()
  maps.affinity.deleteSlot(e, ctx.ops, 'prog')
}

/**
 * Whether the affinity entry in slot `e` is still fresh at `now`: lb.h __lb4_affinity_backend_id holds it
 * expired once last_used + timeout ≤ now (so at exactly `timeout` seconds after its last use, it is).
 */
function freshAffinity(maps: NodeMaps, e: number, now: number, timeout: number): boolean {
  return now - maps.affinity.lastUsed(e) < timeout
}

/**
 * `affinityBackend` for a lean packet (no steps) to a plain master whose `count` slots run from `base`
 * (`ServicesMap.masterSlotBase`), with its rev NAT id and timeout from the master's cell: the same lookup,
 * count, touch and delete, answering the slot holding the entry's backend (0: no fresh entry, or its backend
 * in no slot), whose record the backend's lookup then reads (`lookupSlotBackendInto` without the slot read).
 */
export function affinitySlot(
  maps: NodeMaps,
  revNat: number,
  timeout: number,
  base: number,
  count: number,
  client: number,
  now: number,
  ctx: Ctx,
): number {
  const table = maps.affinity
  const e = table.find(client, revNat, ctx.ops)
  if (e < 0) return 0
  const slot = freshAffinity(maps, e, now, timeout)
    ? maps.services.slotRunHolding(base, count, table.backendId(e))
    : 0
  if (slot > 0) table.touch(e, now)
  else forgetAffinity(maps, e, ctx)
  return slot
}

/**
 * lb4_update_affinity_by_addr: `client` now goes to `backendId` on service `m` (a program write, counted).
 * bpf_sock.c writes it for a backend chosen anew (`pick`); lb.h lb4_local, the tc path's and nodeport_lb4's,
 * on every packet it translates to an affinity service (a new choice, an entry kept, an established flow),
 * after the service CT entry's create or update: its callers write it then.
 */
export function rememberAffinity(
  maps: NodeMaps,
  revNat: number,
  client: number,
  backendId: number,
  now: number,
  ctx: Ctx,
): void {
  maps.affinity.write(client, revNat, backendId, now, ctx.ops)
}

/** Every selectable backend of `m` with its probability (random: 1/count each; Maglev: its table share). */
export function enumerateBackends(
  maps: NodeMaps,
  m: ServiceMaster,
  algorithm: 'random' | 'maglev',
): Array<{ backend: ProgrammedBackend; probability: number }> {
  const out: Array<{ backend: ProgrammedBackend; probability: number }> = []
  if (algorithm === 'maglev') {
    const table = maps.maglev.peek(m.revNat * 2 + m.frontend.scope)?.peek(0)
    if (!table || table.length === 0) return out
    const share = new Map<number, number>()
    for (const id of table) share.set(id, (share.get(id) ?? 0) + 1)
    for (const [id, n] of [...share].sort((a, b) => a[0] - b[0])) {
      const b = maps.backends.peek(id)
      if (b) out.push({ backend: b, probability: n / table.length })
    }
    return out
  }
  for (let i = 0; i < m.count; i++) {
    const s = maps.services.peek(m.slotKeys[i]) as ServiceSlot | undefined
    const b = s && maps.backends.peek(s.backendId)
    if (b) out.push({ backend: b, probability: 1 / m.count })
  }
  return out
}

/** A candidate; `masquerade` is always explicit, since it differs per backend (hairpin, remote vs local). */
export function candidateOf(b: ProgrammedBackend, probability: number, masquerade: boolean): Candidate {
  const c: Candidate = { ip: backendIp(b), port: b.port, probability, masquerade }
  const names = backendNames(b)
  if (names & 1) c.pod = b.pod
  if (names & 2) c.node = b.node
  return c
}

/** Each backend's share of a Maglev table, computed once per table (the agent writes a new table on change). */
const maglevShares = new WeakMap<Uint32Array, Map<number, number>>()

/** Tables up to this size are counted per call instead of memoised. */
const SCAN_MAX = 4096

/** The probability Maglev sends a new flow of `m` to `backendId` (its share of the table); 0 when absent. */
export function maglevShare(maps: NodeMaps, m: ServiceMaster, backendId: number): number {
  const table = maps.maglev.peek(m.revNat * 2 + m.frontend.scope)?.peek(0)
  if (!table || table.length === 0) return 0
  if (table.length <= SCAN_MAX) {
    // a small table is counted in place: first packets to random services would each build a shares map
    let n = 0
    for (let i = 0; i < table.length; i++) if (table[i] === backendId) n++
    return n / table.length
  }
  let shares = maglevShares.get(table)
  if (!shares) {
    shares = new Map()
    for (const id of table) shares.set(id, (shares.get(id) ?? 0) + 1)
    for (const [id, n] of shares) shares.set(id, n / table.length)
    maglevShares.set(table, shares)
  }
  return shares.get(backendId) ?? 0
}
