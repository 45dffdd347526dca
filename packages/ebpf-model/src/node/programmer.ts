import type { Cidr } from '@dataplane-sim/cluster'
import { u32ToIp } from '@dataplane-sim/cluster'
import { IdAllocator } from '../agent/idAllocator'
import type { Identity } from '../agent/identity'
import type { PolicyEntry } from '../agent/policy'
import type { AgentSink, IpcacheValue, LxcValue, ProgrammedBackend, ProgrammedFrontend } from '../agent/sink'
import { type NodeMaps, policyKeyWords, type ServiceMaster, serviceKey } from '../datapath/maps'
import { protoName } from '../datapath/trace'
import type { MaglevBackend } from '../maglev/table'
import { isBpfMapError } from '../maps/errors'
import { StagedPrefixes } from './stagedPrefixes'

/** A map that could not take what the agent wanted to write, and Cilium's consequence. */
export interface MapOverflow {
  map: string
  /** "namespace/name" of the endpoint, for per-endpoint policy maps; the service for LB maps */
  owner?: string
  needed: number
  max: number
  consequence: string
}

export interface MapOperation {
  map: string
  op: 'update' | 'delete'
  key: string
}

/**
 * Writes what the agent reconciles into the node's BPF maps, as the agent's syscalls would (counted under
 * `bpf.update.<type>:<map>` / `bpf.delete.<type>:<map>`), recording each operation and every overflow.
 * Mirrors the writers of cilium/cilium `pkg/maps/lbmap` (services, backends, rev NAT, source ranges, Maglev),
 * `pkg/maps/ipcache`, `pkg/maps/lxcmap` and `pkg/maps/policymap`.
 */
export class MapProgrammer implements AgentSink {
  /** where map writes are counted; undefined while the initial sync runs (its cost is not a change's) */
  counts: Record<string, number> | undefined = {}
  ops: MapOperation[] | null = null
  readonly overflows = new Map<string, MapOverflow>()
  /** policy entries refused per endpoint (E2BIG/ENOSPC) */
  private readonly refused = new Map<number, number>()
  readonly endpointPods = new Map<number, string>()
  private ipcacheRefused = 0
  /** keys of services-map slot entries, as positive numbers (the key is the negation) */
  private readonly slotIds = new IdAllocator()
  /** scratch LPM key words of a policy entry (the trie copies what it keeps) */
  private readonly words = [0, 0]

  constructor(
    private readonly maps: NodeMaps,
    private readonly maglevTable: ((backends: MaglevBackend[]) => Uint32Array) | null,
  ) {}

  private record(map: string, op: 'update' | 'delete', key: string): void {
    this.ops?.push({ map, op, key })
  }

  /**
   * Starts the initial sync: new /32 ipcache prefixes (pod and node addresses) are staged and written at
   * `endInitialSync`, in address order. The trie that results is the same (a path-compressed trie is a
   * function of its prefixes, not of their insertion order), and so is which prefixes a full trie refused
   * (each write is accepted or refused as it comes, against the trie's entries plus the staged ones); but
   * consecutive addresses walk the same path, where the agent's label-set order jumps across the whole
   * pod CIDR and misses the caches at every level of a half-million-node trie. `hosts`: how many /32s to
   * expect (pods and nodes): the trie's room for them is taken now, one allocation while the heap holds
   * little beyond the cluster. With the CT tables and the backend index that crosses V8's 64 MB of external
   * growth, so its one full collection comes at the start of the sync (~470 MB of heap at 100k × 10) or not
   * at all, instead of late on a heap of 0.8–1 GB (--trace-gc). (e3b4a39 tried this and ea92fee reverted it
   * when the build's heap grew to 1.1 GB, so a second full collection followed; the slot columns and the
   * records' address text brought it under that.) `backends`, `frontends`: at most how many the LB maps will
   * be written (the agent's bounds): the backends map's dense ids and the services map's master keys are
   * given their room at once.
   */
  beginInitialSync(hosts = 0, backends = 0, frontends = 0): void {
    const m = this.maps.ipcache
    const room = Math.max(0, Math.min(hosts, this.maps.max.ipcache - m.size))
    this.staged = new StagedPrefixes(room)
    m.reserve(room)
    // backend ids are taken from 1 up; each frontend's master entry is a wide key (at most max_entries each)
    this.maps.backends.reserve(Math.min(backends, this.maps.max.lb) + 1)
    this.maps.services.reserve(0, Math.min(frontends, this.maps.max.lb))
    // slot entries: one per backend of each frontend, so the backends bound covers them when services have
    // mostly one frontend per port (ClusterIP); the columns grow past it as before
    this.maps.services.reserveSlots(Math.min(backends, this.maps.max.lb))
  }

  /** Writes the staged /32 prefixes into the ipcache map; the maps are complete when this returns. */
  endInitialSync(): void {
    const st = this.staged
    if (!st) return
    this.staged = null
    const m = this.maps.ipcache
    m.reserve(st.size)
    // in address order; the trie's prefix index takes them in the order of its buckets (`updateMany`)
    m.updateMany(32, st.bases, st.values, st.identities, st.inAddressOrder(), this.counts)
  }

  private staged: StagedPrefixes | null = null

  ipcache(op: 'update' | 'delete', prefix: Cidr, value?: IpcacheValue, fresh = false): void {
    const m = this.maps.ipcache
    const st = prefix.prefix === 32 ? this.staged : null
    if (st && fresh && op === 'update' && m.size + st.size < this.maps.max.ipcache) {
      st.add(prefix.base, value as IpcacheValue)
      if (this.ops) this.record('cilium_ipcache', op, `${u32ToIp(prefix.base)}/${prefix.prefix}`)
      return
    }
    const at = st && !fresh ? st.find(prefix.base) : -1
    if (op === 'delete') {
      if (at >= 0) (st as StagedPrefixes).remove(prefix.base, at)
      else if (!m.has(prefix.prefix, prefix.base)) return
      else m.delete(prefix.prefix, prefix.base, this.counts)
    } else if (at >= 0) (st as StagedPrefixes).replace(at, value as IpcacheValue)
    else if (
      m.size + (this.staged?.size ?? 0) >= this.maps.max.ipcache &&
      !m.has(prefix.prefix, prefix.base)
    ) {
      // a full trie refuses new prefixes (ENOSPC); checked up front rather than thrown for every entry
      this.ipcacheRefused++
      this.overflow(
        'cilium_ipcache',
        undefined,
        m.size + (this.staged?.size ?? 0) + this.ipcacheRefused,
        this.maps.max.ipcache,
        'address resolves to a shorter prefix or world: policy by identity no longer applies to it',
      )
      return
    } else if (st && !m.has(32, prefix.base)) st.add(prefix.base, value as IpcacheValue)
    else m.update(prefix.prefix, prefix.base, value as IpcacheValue, 0, this.counts)
    if (this.ops) this.record('cilium_ipcache', op, `${u32ToIp(prefix.base)}/${prefix.prefix}`)
  }

  lxc(op: 'update' | 'delete', ip: number, value?: LxcValue): void {
    if (op === 'update') {
      this.maps.lxc.update(ip, value as LxcValue, 0, this.counts)
      this.endpointPods.set((value as LxcValue).endpointId, (value as LxcValue).pod)
    } else if (this.maps.lxc.has(ip)) this.maps.lxc.delete(ip, this.counts)
    if (this.ops) this.record('cilium_lxc', op, u32ToIp(ip))
  }

  backend(op: 'update' | 'delete', b: ProgrammedBackend): void {
    try {
      if (op === 'update') this.maps.backends.update(b.id, b, 0, this.counts)
      else if (this.maps.backends.has(b.id)) this.maps.backends.delete(b.id, this.counts)
      if (this.ops) this.record('cilium_lb4_backends_v3', op, String(b.id))
    } catch (e) {
      if (!isBpfMapError(e)) throw e
      this.overflow(
        'cilium_lb4_backends_v3',
        b.pod,
        this.maps.backends.size + 1,
        this.maps.max.lb,
        'backend not programmed: slots naming it miss in cilium_lb4_backends_v3 (Service backend not found)',
      )
    }
  }

  service(op: 'update' | 'delete', pf: ProgrammedFrontend, previous?: ProgrammedFrontend): void {
    const fe = pf.frontend
    const key = serviceKey(fe.addr, fe.port, fe.proto, fe.scope)
    const text = this.ops ? frontendText(pf) : ''
    const old = this.maps.services.peek(key) as ServiceMaster | undefined
    const oldSlots = old ? old.slotKeys.length : 0
    if (op === 'delete') {
      this.removeService(key, old, text, pf)
      this.maps.unprogrammed.delete(key)
      return
    }
    const needed = 1 + pf.backendIds.length
    const present = old ? 1 + oldSlots : 0
    if (this.maps.services.size - present + needed > this.maps.max.lb) {
      // lbmap refuses the whole frontend: Cilium logs the error and the service stays unprogrammed
      if (old && previous) this.removeService(key, old, text, previous)
      this.maps.unprogrammed.add(key)
      this.overflow(
        'cilium_lb4_services_v2',
        fe.service,
        this.maps.services.size + needed,
        this.maps.max.lb,
        `frontend ${frontendText(pf)} not programmed: its traffic is not load-balanced`,
      )
      return
    }
    this.maps.unprogrammed.delete(key)
    const n = pf.backendIds.length
    const slotKeys: number[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const k = i < oldSlots ? (old as ServiceMaster).slotKeys[i] : -this.slotIds.take()
      slotKeys[i] = k
      this.maps.services.updateSlot(k, pf.backendIds[i], 0, this.counts)
      if (this.ops) this.record('cilium_lb4_services_v2', 'update', `${text} slot ${i + 1}`)
    }
    for (let i = n; i < oldSlots; i++) {
      const k = (old as ServiceMaster).slotKeys[i]
      this.maps.services.delete(k, this.counts)
      this.slotIds.give(-k)
      if (this.ops) this.record('cilium_lb4_services_v2', 'delete', `${text} slot ${i + 1}`)
    }
    const master: ServiceMaster = {
      count: fe.count,
      revNat: pf.revNat,
      flags: fe.flags,
      affinityTimeout: fe.affinityTimeout,
      filteredOut: fe.filteredOut,
      // datapath/maps.ts sets it when the master is written (its slots' run in the slot column); in the
      // literal so V8 keeps the field in-object
      slotBase: 0,
      slotKeys,
      frontend: fe,
    }
    // the master entry is written last so the datapath never sees a count beyond the written slots
    this.maps.services.update(key, master, 0, this.counts)
    if (this.ops) this.record('cilium_lb4_services_v2', 'update', `${text} slot 0`)
    if (fe.sourceRanges.length > 0 || (previous && previous.frontend.sourceRanges.length > 0))
      this.syncSourceRanges(pf, previous)
    if (this.maglevTable && fe.count > 0) {
      const inner = this.maps.newMaglevInner()
      inner.update(
        0,
        this.maglevTable(
          fe.backends.slice(0, fe.count).map((b, i) => ({
            id: pf.backendIds[i],
            address: b.addr,
            port: b.port,
            protocol: protoName(b.proto),
          })),
        ),
        0,
        this.counts,
      )
      this.maps.maglev.update(maglevKey(pf), inner, 0, this.counts)
      this.record('cilium_lb4_maglev', 'update', `rev_nat=${pf.revNat}`)
    } else if (this.maglevTable && this.maps.maglev.has(maglevKey(pf))) {
      this.maps.maglev.delete(maglevKey(pf), this.counts)
      this.record('cilium_lb4_maglev', 'delete', `rev_nat=${pf.revNat}`)
    }
  }

  private removeService(
    key: number,
    old: ServiceMaster | undefined,
    text: string,
    pf: ProgrammedFrontend,
  ): void {
    if (!old) return
    this.maps.services.delete(key, this.counts)
    if (this.ops) this.record('cilium_lb4_services_v2', 'delete', `${text} slot 0`)
    for (let i = 0; i < old.slotKeys.length; i++) {
      this.maps.services.delete(old.slotKeys[i], this.counts)
      this.slotIds.give(-old.slotKeys[i])
      if (this.ops) this.record('cilium_lb4_services_v2', 'delete', `${text} slot ${i + 1}`)
    }
    this.syncSourceRanges({ ...pf, frontend: { ...pf.frontend, sourceRanges: [] } }, pf)
    if (this.maps.maglev.has(maglevKey(pf))) {
      this.maps.maglev.delete(maglevKey(pf), this.counts)
      this.record('cilium_lb4_maglev', 'delete', `rev_nat=${pf.revNat}`)
    }
  }

  /** (rev NAT, CIDR) entries are shared by the two scopes of a frontend: reference-counted */
  private readonly rangeRefs = new Map<string, number>()

  private syncSourceRanges(pf: ProgrammedFrontend, previous?: ProgrammedFrontend): void {
    const key = (revNat: number, c: Cidr) => `${revNat}|${c.base}/${c.prefix}`
    for (const c of pf.frontend.sourceRanges) {
      const k = key(pf.revNat, c)
      const n = this.rangeRefs.get(k) ?? 0
      this.rangeRefs.set(k, n + 1)
      if (n === 0) {
        this.maps.sourceRange.update(32 + c.prefix, [pf.revNat, c.base], true, 0, this.counts)
        this.record(
          'cilium_lb4_source_range',
          'update',
          `rev_nat=${pf.revNat} ${u32ToIp(c.base)}/${c.prefix}`,
        )
      }
    }
    for (const c of previous?.frontend.sourceRanges ?? []) {
      const revNat = previous?.revNat ?? 0
      const k = key(revNat, c)
      const n = (this.rangeRefs.get(k) ?? 1) - 1
      if (n > 0) {
        this.rangeRefs.set(k, n)
        continue
      }
      this.rangeRefs.delete(k)
      if (this.maps.sourceRange.has(32 + c.prefix, [revNat, c.base])) {
        this.maps.sourceRange.delete(32 + c.prefix, [revNat, c.base], this.counts)
        this.record('cilium_lb4_source_range', 'delete', `rev_nat=${revNat} ${u32ToIp(c.base)}/${c.prefix}`)
      }
    }
  }

  revNat(op: 'update' | 'delete', id: number, addr: number, port: number): void {
    try {
      if (op === 'update') this.maps.revNat.update(id, { addr, port }, 0, this.counts)
      else if (this.maps.revNat.has(id)) this.maps.revNat.delete(id, this.counts)
      if (this.ops) this.record('cilium_lb4_reverse_nat', op, String(id))
    } catch (e) {
      if (!isBpfMapError(e)) throw e
      this.overflow(
        'cilium_lb4_reverse_nat',
        undefined,
        this.maps.revNat.size + 1,
        this.maps.max.lb,
        'replies of this frontend are not reverse-translated',
      )
    }
  }

  policyMap(op: 'update' | 'delete', endpointId: number): void {
    if (op === 'update') this.maps.policy.set(endpointId, this.maps.newPolicyMap())
    else {
      this.maps.policy.delete(endpointId)
      this.refused.delete(endpointId)
      this.overflows.delete(`cilium_policy_${pad(endpointId)}`)
    }
    if (this.ops)
      this.record(`cilium_policy_${pad(endpointId)}`, op, op === 'update' ? 'map created' : 'map removed')
  }

  policy(op: 'update' | 'delete', endpointId: number, e: PolicyEntry): void {
    const trie = this.maps.policy.get(endpointId)
    if (!trie) return
    const prefix = 40 + e.prefixLen
    const words = policyKeyWords(e.identity, e.direction, e.proto, e.port, this.words)
    if (op === 'delete') {
      if (trie.has(prefix, words)) {
        trie.delete(prefix, words, this.counts)
        if (this.ops) this.record(policyMapName(endpointId), 'delete', policyEntryText(e))
      } else if (this.refused.get(endpointId))
        this.refused.set(endpointId, (this.refused.get(endpointId) ?? 1) - 1)
      return
    }
    try {
      trie.update(prefix, words, { deny: e.deny, prefixLen: e.prefixLen }, 0, this.counts)
      if (this.ops) this.record(policyMapName(endpointId), 'update', policyEntryText(e))
    } catch (err) {
      if (!isBpfMapError(err)) throw err
      const n = (this.refused.get(endpointId) ?? 0) + 1
      this.refused.set(endpointId, n)
      this.overflow(
        policyMapName(endpointId),
        this.endpointPods.get(endpointId),
        trie.size + n,
        this.maps.max.policy,
        'entries that did not fit are missing: their traffic is dropped (Policy denied)',
      )
    }
  }

  identity(op: 'update' | 'delete', identity: Identity): void {
    const c = this.counts
    if (op === 'update' && c) c['agent.identity.allocate'] = (c['agent.identity.allocate'] ?? 0) + 1
    if (this.ops) this.record('identity', op, `${identity.id} ${identity.labels.join(' ')}`)
  }

  private overflow(
    map: string,
    owner: string | undefined,
    needed: number,
    max: number,
    consequence: string,
  ): void {
    const k = map === 'cilium_lb4_services_v2' ? `${map}|${owner}` : map
    const have = this.overflows.get(k)
    // a full map refuses entry after entry (a full ipcache, every further pod): one record, kept current
    if (have && have.owner === owner && have.consequence === consequence) {
      have.needed = needed
      have.max = max
      return
    }
    const o: MapOverflow = { map, needed, max, consequence }
    if (owner) o.owner = owner
    this.overflows.set(k, o)
  }
}

function pad(id: number): string {
  return String(id).padStart(5, '0')
}

function policyMapName(endpointId: number): string {
  return `cilium_policy_${pad(endpointId)}`
}

/** A frontend as operations name it: `10.96.0.10:53/UDP (int)`. */
function frontendText(pf: ProgrammedFrontend): string {
  const fe = pf.frontend
  return `${u32ToIp(fe.addr)}:${fe.port}/${protoName(fe.proto)}${fe.scope ? ' (int)' : ''}`
}

/** A policy entry as operations name it: `Ingress identity=256 TCP/80`. */
function policyEntryText(e: PolicyEntry): string {
  const l4 =
    e.prefixLen === 0
      ? 'ANY'
      : `${protoName(e.proto)}/${e.prefixLen > 8 ? e.port : 'ANY'}${e.prefixLen > 8 && e.prefixLen < 24 ? `/${e.prefixLen - 8}` : ''}`
  return `${e.direction ? 'Egress' : 'Ingress'} identity=${e.identity || 'ANY'} ${l4}`
}

function maglevKey(pf: ProgrammedFrontend): number {
  return pf.revNat * 2 + pf.frontend.scope
}
