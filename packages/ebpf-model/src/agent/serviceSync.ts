import type { EndpointSlice, Service } from '@dataplane-sim/cluster'
import type { BackendText } from '../datapath/addr'
import { serviceKey } from '../datapath/maps'
import { BackendIndex } from './backendIndex'
import { IdAllocator } from './idAllocator'
import {
  type LbBackend,
  type LbFrontend,
  type NewBackend,
  type TranslateContext,
  translateService,
} from './services'
import type { AgentSink, ProgrammedBackend, ProgrammedFrontend } from './sink'
import { StagedMap } from './stagedMap'

/** A backend as the agent tracks it: programmed once, referenced by every frontend slot naming it. */
export type TrackedBackend = ProgrammedBackend & BackendText & { refs: number }

const NO_SLICES: EndpointSlice[] = []

/** The slices of the services of one name: those of `namespace` (nearly always the only one), then the rest. */
interface SliceBucket {
  /** the service name (the bucket's key) */
  name: string
  namespace: string
  list: EndpointSlice[]
  more: Map<string, EndpointSlice[]> | null
}

const TYPE_INDEX = { ClusterIP: 0, NodePort: 1, ExternalIPs: 2, LoadBalancer: 3 } as const

/** A frontend's identity within its service: lb4_key (51 bits) · type (2 bits), exact below 2^53. */
function frontendKey(fe: LbFrontend): number {
  return serviceKey(fe.addr, fe.port, fe.proto, fe.scope) * 4 + TYPE_INDEX[fe.type]
}

/**
 * The service half of the agent (cilium/cilium `pkg/service/service.go` UpsertService / DeleteService and
 * `pkg/service/id.go`): a service's frontends are diffed against what was programmed for it, backends and
 * rev NAT IDs are reference-counted across frontends and allocated lowest-free-first. Backends are found
 * through a typed-array index (`BackendIndex`), so programming a million backends builds no key strings and
 * no map entries beyond the BPF map's own.
 */
export class ServiceSync {
  /**
   * frontends by service "namespace/name". Those of services synced `fresh` (the initial sync's, when the agent
   * knows their keys distinct) are staged, entered when the map is first read: a sync of a service never synced
   * before finds nothing under its key, and its key is new to the map. At 100k services the lookup and insert of
   * each new key were ~260 ms of the build (line profile: the Map get of a key not there 218 ms, the set 45), and
   * skipping only the lookup moved its cost to the insert.
   */
  private readonly frontendMap = new StagedMap<string, ProgrammedFrontend[]>()
  /**
   * backend IDs by address, port and protocol. (Tried in session 10 and not kept: the initial sync translating
   * every service first, deduplicating the backends offline — a radix sort, then a bitmap of key hashes with
   * an exact check of the few maybe-repeats — and entering them in the index grouped by table region at the
   * end, so no random probe per backend: the second pass met every backend record again cold, seconds after
   * it was made, and refBackend's self time rose from ~290 to ~470 ms while the grouped insert measured no
   * faster than one by one; with the radix sort's ~80 MB of typed arrays V8 also started a second full
   * collection on the 0.9 GB heap. CPU at 100k × 10 within noise or worse.)
   */
  private readonly index: BackendIndex
  /**
   * backends by ID (IDs are dense from 1), made with room for the slices' backends (`expectedBackends`): a
   * million-element array grown as IDs come copied itself a dozen times through the large-object space
   */
  private readonly backendsById: Array<TrackedBackend | undefined>
  private readonly backendAlloc = new IdAllocator()
  /** rev NAT IDs by frontend address, port and protocol, and their reference counts by ID */
  private readonly revNatIds = new BackendIndex()
  private readonly revNatRefs: number[] = []
  private readonly revNatAlloc = new IdAllocator()
  /**
   * EndpointSlices by service name, then namespace: keyed by the strings the objects carry (their hashes
   * computed once, kept in the strings) rather than a "namespace/name" string made per slice and per lookup.
   * One Map for the cluster (a service name is nearly always in one namespace: its bucket holds that
   * namespace's list, others go in `more`), where a Map per namespace (2000 at 100k services) cost ~2 us an
   * insert or lookup at 100k services, each in a different small table
   */
  private slicesByName: Map<string, SliceBucket> | null = null
  /**
   * The buckets made while the slices came grouped by service name in increasing name order (each name's
   * slices one after another, names sorted: a list sorted by name), when no by-name lookup is needed to find
   * a name's bucket: they enter `slicesByName` when it is first needed (a service the initial sync does not
   * find in order, a watch event), not in the constructor (~170 ms of Map inserts and misses for 100k names
   * in a profiled 100k × 10 build, where the initial sync then met every bucket in order)
   */
  private unindexed: SliceBucket[] | null = null
  /** what `sync`'s read-ahead of index cells read (kept, so the reads are not optimised away) */
  touched = 0
  /**
   * Until the initial sync ends (`endInitialSync`): the buckets in the order of their first slice, and how
   * many of them the services synced in list order have met. The cluster lists a service's slices in the
   * order of its services (the EndpointSlice controller writes them per service), so the next service's
   * bucket is nearly always the next one here: found by comparing one name instead of a lookup in the Map
   * of 100k names (~220 ms of a profiled 100k × 10 build, a cache miss or two each). (Skipping the
   * `frontends` lookup of a service not synced yet the same way saved nothing: `frontends.set` then took
   * the miss.)
   */
  private initialOrder: SliceBucket[] | null = []
  private cursor = 0
  /** at most how many backends the initial sync programs: every (endpoint, port) of the slices given */
  readonly expectedBackends: number
  /** the translation context, one for every sync (its node addresses replaced when the node's address changes) */
  private readonly ctx: TranslateContext & { serviceKey: string }

  constructor(
    public sink: AgentSink,
    nodeName: string,
    slices: readonly EndpointSlice[],
  ) {
    // indexed loops: this runs once, mostly before the optimiser, where `for…of` allocates per element
    let backends = 0
    // while the slices come grouped by name in increasing order, a name's bucket is the last one made (or a
    // new one): no Map; the first slice out of that order enters the buckets made so far into the Map
    const order = this.initialOrder as SliceBucket[]
    this.unindexed = order
    let last: SliceBucket | null = null
    for (let i = 0; i < slices.length; i++) {
      const sl = slices[i]
      if (this.unindexed !== null && last !== null && sl.serviceName === last.name) addToBucket(last, sl)
      else if (this.unindexed !== null && (last === null || sl.serviceName > last.name)) {
        last = { name: sl.serviceName, namespace: sl.namespace, list: [sl], more: null }
        order.push(last)
      } else this.sliceList(sl.namespace, sl.serviceName, true).push(sl)
      // presized for every (endpoint, port) of the slices: a million-backend index grown by doubling
      // re-placed every entry at each step and allocated each larger array while the heap was at its largest
      backends += sl.endpoints.length * sl.ports.length
    }
    this.index = new BackendIndex(backends)
    this.expectedBackends = backends
    this.backendsById = new Array(backends + 1).fill(undefined)
    this.ctx = { nodeName, nodeAddrs: [], newBackend: trackedBackend, serviceKey: '' }
  }

  /** frontends by service "namespace/name" */
  get frontends(): Map<string, ProgrammedFrontend[]> {
    return this.frontendMap.map
  }

  /**
   * Reconciles one service: its frontends as `translateService` gives them for this node. `fresh`: the caller
   * knows no frontends are programmed under `key` (never synced, or removed since; the initial sync of
   * services whose keys are distinct): its frontends are staged rather than looked up and entered now.
   */
  sync(svc: Service, nodeIp: number | undefined, key = `${svc.namespace}/${svc.name}`, fresh = false): void {
    const ctx = this.ctx
    if (ctx.nodeAddrs[0] !== nodeIp) ctx.nodeAddrs = nodeIp === undefined ? [] : [nodeIp]
    ctx.serviceKey = key
    let slices: EndpointSlice[]
    const order = this.initialOrder
    if (order) {
      let b: SliceBucket | undefined = order[this.cursor]
      if (b !== undefined && b.name === svc.name) this.cursor++
      else b = this.sliceIndex().get(svc.name)
      slices = b === undefined ? NO_SLICES : sliceListIn(b, svc.namespace)
    } else slices = this.sliceList(svc.namespace, svc.name, false)
    const next = translateService(svc, slices, ctx)
    const prev = fresh ? undefined : this.frontends.get(key)
    let prevByKey: Map<number, ProgrammedFrontend> | null = null
    if (prev) {
      prevByKey = new Map()
      for (const p of prev) prevByKey.set(frontendKey(p.frontend), p)
    }
    const out: ProgrammedFrontend[] = []
    // the backends' index cells read first, together (frontends of a port share its list: the first
    // frontend's backends are nearly always all of them)
    if (next.length > 0) {
      const bs = next[0].backends
      let acc = 0
      for (let i = 0; i < bs.length; i++) acc += this.index.touch(bs[i].addr, bs[i].port, bs[i].proto)
      this.touched = acc
    }
    // the last frontend's backend list and its IDs: frontends of a port share the list (`translateService`),
    // and then the IDs, read-only (one array per list, not per frontend)
    let lastList: LbBackend[] | null = null
    let lastIds: number[] = []
    for (let f = 0; f < next.length; f++) {
      const fe = next[f]
      let old: ProgrammedFrontend | undefined
      if (prevByKey) {
        const k = frontendKey(fe)
        old = prevByKey.get(k)
        prevByKey.delete(k)
      }
      let backendIds: number[]
      if (fe.backends === lastList) {
        // the list holds the programmed backends already: a reference each, as `refBackend` of a backend
        // found in the index and unchanged (no probe of the index, no sink call)
        backendIds = lastIds
        for (let i = 0; i < backendIds.length; i++)
          (this.backendsById[backendIds[i]] as TrackedBackend).refs++
      } else {
        backendIds = new Array(fe.backends.length)
        for (let i = 0; i < fe.backends.length; i++) {
          const id = this.refBackend(fe.backends[i])
          backendIds[i] = id
          // the frontend keeps the programmed backend (same address, port and protocol), so the translated
          // copy is garbage at once instead of a second object per backend for the frontend's lifetime
          fe.backends[i] = this.backendsById[id] as TrackedBackend
        }
        lastList = fe.backends
        lastIds = backendIds
      }
      const revNat = old ? old.revNat : this.refRevNat(fe)
      const programmed: ProgrammedFrontend = { frontend: fe, revNat, backendIds }
      if (old) for (const id of old.backendIds) this.unrefBackendId(id)
      if (!old || !sameFrontend(old, programmed)) this.sink.service('update', programmed, old)
      out.push(programmed)
    }
    if (prevByKey) for (const old of prevByKey.values()) this.dropFrontend(old)
    if (fresh) {
      // absent from the map and from the staged keys (the caller's word): a delete would change nothing
      if (out.length > 0) this.frontendMap.stage(key, out)
    } else if (out.length > 0) this.frontends.set(key, out)
    else this.frontends.delete(key)
  }

  /** Ends the initial sync's shortcuts (`initialOrder`): every sync after looks its service up. */
  endInitialSync(): void {
    this.initialOrder = null
  }

  remove(key: string): void {
    this.initialOrder = null
    for (const old of this.frontends.get(key) ?? []) this.dropFrontend(old)
    this.frontends.delete(key)
  }

  /** Replaces (or with `next` undefined, drops) one EndpointSlice in its service's bucket. */
  reindexSlice(old: EndpointSlice | undefined, next: EndpointSlice | undefined): void {
    this.initialOrder = null
    const same = (s: EndpointSlice, o: EndpointSlice) => s.name === o.name && s.namespace === o.namespace
    const sliceOf = (next ?? old) as EndpointSlice
    if (old) {
      const list = this.sliceList(old.namespace, old.serviceName, false)
      if (list !== NO_SLICES)
        this.setSliceList(
          old.namespace,
          old.serviceName,
          list.filter((s) => !same(s, sliceOf)),
        )
    }
    if (next) this.sliceList(next.namespace, next.serviceName, true).push(next)
  }

  /** The slices of one service (`create`: the list in the index, made when missing, to push into). */
  private sliceList(namespace: string, service: string, create: boolean): EndpointSlice[] {
    const slices = this.sliceIndex()
    const b = slices.get(service)
    if (!b) {
      if (!create) return NO_SLICES
      const list: EndpointSlice[] = []
      const bucket: SliceBucket = { name: service, namespace, list, more: null }
      slices.set(service, bucket)
      this.initialOrder?.push(bucket)
      return list
    }
    if (b.namespace === namespace) return b.list
    let list = b.more?.get(namespace)
    if (!list) {
      if (!create) return NO_SLICES
      if (!b.more) b.more = new Map()
      b.more.set(namespace, (list = []))
    }
    return list
  }

  /** Replaces the list of one service's slices (`kept` empty: the service has none left). */
  private setSliceList(namespace: string, service: string, kept: EndpointSlice[]): void {
    const slices = this.sliceIndex()
    const b = slices.get(service)
    if (!b) return
    if (b.namespace !== namespace) {
      if (kept.length > 0) b.more?.set(namespace, kept)
      else b.more?.delete(namespace)
    } else if (kept.length > 0) b.list = kept
    else {
      // the bucket's own namespace has no slices left: another namespace's list (if any) takes its place
      const next = b.more?.entries().next()
      if (!next || next.done) slices.delete(service)
      else {
        ;(b.more as Map<string, EndpointSlice[]>).delete(next.value[0])
        b.namespace = next.value[0]
        b.list = next.value[1]
      }
    }
  }

  /** The slices' buckets by service name (made from `unindexed` when first needed). */
  private sliceIndex(): Map<string, SliceBucket> {
    let m = this.slicesByName
    if (m === null) {
      m = new Map()
      const buckets = this.unindexed ?? []
      for (let i = 0; i < buckets.length; i++) m.set(buckets[i].name, buckets[i])
      this.slicesByName = m
      this.unindexed = null
    }
    return m
  }

  backendById(id: number): ProgrammedBackend | undefined {
    return this.backendsById[id]
  }

  /** Every backend, by ID. */
  backends(): Map<number, TrackedBackend> {
    const out = new Map<number, TrackedBackend>()
    for (const b of this.backendsById) if (b) out.set(b.id, b)
    return out
  }

  get size(): number {
    return this.index.size
  }

  private dropFrontend(old: ProgrammedFrontend): void {
    this.sink.service('delete', old)
    for (const id of old.backendIds) this.unrefBackendId(id)
    this.unrefRevNat(old.frontend)
  }

  private refBackend(b: LbBackend): number {
    // one probe: the address's ID, or the next free ID entered for it
    const next = this.backendAlloc.peek()
    const known = this.index.getOrSet(b.addr, b.port, b.proto, next)
    if (known !== 0) {
      const have = this.backendsById[known] as TrackedBackend
      have.refs++
      if (have.state !== b.state || have.node !== b.node || have.pod !== b.pod) {
        have.state = b.state
        have.node = b.node
        have.pod = b.pod
        this.sink.backend('update', have)
      }
      return have.id
    }
    // a backend seen for the first time: the translated record (made by `trackedBackend`) becomes the tracked
    // one, rather than a copy per backend of a million-backend initial sync
    const pb = b as TrackedBackend
    pb.id = this.backendAlloc.take()
    pb.refs = 1
    this.backendsById[pb.id] = pb
    this.sink.backend('update', pb)
    return pb.id
  }

  private unrefBackendId(id: number): void {
    const b = this.backendsById[id]
    if (!b || --b.refs > 0) return
    this.index.delete(b.addr, b.port, b.proto)
    this.backendsById[id] = undefined
    this.backendAlloc.give(id)
    this.sink.backend('delete', b)
  }

  private refRevNat(fe: LbFrontend): number {
    const have = this.revNatIds.get(fe.addr, fe.port, fe.proto)
    if (have !== 0) {
      this.revNatRefs[have]++
      return have
    }
    const id = this.revNatAlloc.take()
    this.revNatIds.set(fe.addr, fe.port, fe.proto, id)
    this.revNatRefs[id] = 1
    this.sink.revNat('update', id, fe.addr, fe.port)
    return id
  }

  private unrefRevNat(fe: LbFrontend): void {
    const id = this.revNatIds.get(fe.addr, fe.port, fe.proto)
    if (id === 0 || --this.revNatRefs[id] > 0) return
    this.revNatIds.delete(fe.addr, fe.port, fe.proto)
    this.revNatAlloc.give(id)
    this.sink.revNat('delete', id, fe.addr, fe.port)
  }
}

/** Adds a slice of the bucket's name to it (its namespace's list). */
function addToBucket(b: SliceBucket, sl: EndpointSlice): void {
  if (b.namespace === sl.namespace) {
    b.list.push(sl)
    return
  }
  if (!b.more) b.more = new Map()
  const list = b.more.get(sl.namespace)
  if (list) list.push(sl)
  else b.more.set(sl.namespace, [sl])
}

/** The slices of service `namespace`/`b.name` in its name's bucket. */
function sliceListIn(b: SliceBucket, namespace: string): EndpointSlice[] {
  return b.namespace === namespace ? b.list : (b.more?.get(namespace) ?? NO_SLICES)
}

/** The translation's backends, made in the tracked shape (id and refs set when the agent adopts one). */
const trackedBackend: NewBackend = (addr, port, proto, state, pod, node, text): TrackedBackend => ({
  addr,
  port,
  proto,
  state,
  pod,
  node,
  id: 0,
  refs: 0,
  // what datapath/addr rememberBackendIp would remember when the backend is written to
  // cilium_lb4_backends_v3, known here already: the slice's own address text (the strict parse accepted it,
  // so it is what u32ToIp(addr) would make) instead of a million new strings in the 100k-service build
  text,
  textAddr: addr,
  names: (pod ? 1 : 0) | (node ? 2 : 0),
})

function sameFrontend(a: ProgrammedFrontend, b: ProgrammedFrontend): boolean {
  const fa = a.frontend
  const fb = b.frontend
  if (
    a.revNat !== b.revNat ||
    fa.count !== fb.count ||
    fa.flags !== fb.flags ||
    fa.filteredOut !== fb.filteredOut ||
    fa.affinityTimeout !== fb.affinityTimeout ||
    a.backendIds.length !== b.backendIds.length ||
    fa.sourceRanges.length !== fb.sourceRanges.length
  )
    return false
  for (let i = 0; i < a.backendIds.length; i++) if (a.backendIds[i] !== b.backendIds[i]) return false
  for (let i = 0; i < fa.sourceRanges.length; i++)
    if (
      fa.sourceRanges[i].base !== fb.sourceRanges[i].base ||
      fa.sourceRanges[i].prefix !== fb.sourceRanges[i].prefix
    )
      return false
  return true
}
