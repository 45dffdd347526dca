import type {
  Cidr,
  Cluster,
  ClusterChange,
  EndpointSlice,
  Namespace,
  NetworkPolicy,
  Node,
  Pod,
  ResourceByKind,
  ResourceKind,
  Service,
} from '@dataplane-sim/cluster'
import { formatCidr, ipToU32, objectKey, parseCidr, tryIpToU32 } from '@dataplane-sim/cluster'
import {
  cidrIdentityLabels,
  HOST_ID,
  type Identity,
  IdentityAllocator,
  podIdentityLabels,
  REMOTE_NODE_ID,
  WORLD_ID,
} from './identity'
import { computeEndpointPolicy, type EndpointPolicy, type PolicyContext, policyEntryKey } from './policy'
import { SelectorCache } from './selectorCache'
import { backendKey, frontendAddrKey, indexSlices, type LbFrontend, translateService } from './services'
import type { AgentSink, IpcacheValue, ProgrammedBackend, ProgrammedFrontend } from './sink'

/**
 * The Cilium agent of one node: it watches the cluster (pods, namespaces, nodes, services, EndpointSlices,
 * NetworkPolicies) and reconciles BPF map entries through an `AgentSink`. Everything is incremental and keyed
 * by indexes (pods by namespace and identity, policies by namespace, selector → endpoints, frontends by
 * service), so one change costs work proportional to what it touches — the property the eBPF dataplane is
 * known for. Mirrors the roles of cilium/cilium `daemon/cmd` watchers, `pkg/identity/cache`,
 * `pkg/ipcache`, `pkg/service` and `pkg/endpoint` regeneration.
 */
export interface LocalEndpoint {
  id: number
  pod: Pod
  ip: number
  identity: number
  policy: EndpointPolicy
}

const podKeyOf = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`

class IdAllocator {
  private next = 1
  private readonly free: number[] = []
  take(): number {
    if (this.free.length > 0) return this.free.pop() as number
    return this.next++
  }
  give(id: number): void {
    this.free.push(id)
    this.free.sort((a, b) => b - a)
  }
}

export class CiliumAgent {
  readonly identities = new IdentityAllocator()
  readonly selectors: SelectorCache
  readonly nodeName: string
  /** the cluster of the initial sync; watch events then update `objects`, never a copy of the whole cluster */
  private readonly cluster: Cluster
  /** every object the agent has seen, by kind and "namespace/name" (insertion order, as the API lists them) */
  private readonly objects: { [K in ResourceKind]: Map<string, ResourceByKind[K]> }
  private sink: AgentSink
  private readonly nsByName = new Map<string, Namespace>()
  private readonly pods = new Map<string, Pod>()
  private readonly podsByNs = new Map<string, Set<string>>()
  private readonly podIdentity = new Map<string, number>()
  private readonly podsByIdentity = new Map<number, Set<Pod>>()
  private readonly policiesByNs = new Map<string, NetworkPolicy[]>()
  private readonly cidrRefs = new Map<string, { cidr: Cidr; identity: number; refs: number }>()
  private readonly nodeIps = new Map<string, number>()
  readonly endpoints = new Map<string, LocalEndpoint>()
  /** pods that got no identity because the global range 256–65535 was exhausted */
  readonly withoutIdentity = new Set<string>()
  private readonly endpointsBySelector = new Map<string, Set<string>>()
  private readonly endpointIds = new IdAllocator()
  /** frontends by service "namespace/name" */
  readonly frontends = new Map<string, ProgrammedFrontend[]>()
  private readonly revNatIds = new Map<string, { id: number; refs: number }>()
  private readonly revNatAlloc = new IdAllocator()
  readonly backends = new Map<string, ProgrammedBackend & { refs: number }>()
  private readonly backendAlloc = new IdAllocator()
  private slices: Map<string, Cluster['endpointSlices']>
  private readonly policyCtx: PolicyContext

  constructor(cluster: Cluster, nodeName: string, sink: AgentSink) {
    if (!cluster.nodes.some((n) => n.name === nodeName))
      throw new RangeError(`no node ${nodeName} in the cluster`)
    this.cluster = cluster
    this.objects = {
      Node: keyed('Node', cluster.nodes),
      Namespace: keyed('Namespace', cluster.namespaces),
      Pod: keyed('Pod', cluster.pods),
      Service: keyed('Service', cluster.services),
      EndpointSlice: keyed('EndpointSlice', cluster.endpointSlices),
      NetworkPolicy: keyed('NetworkPolicy', cluster.networkPolicies),
    }
    this.nodeName = nodeName
    this.sink = sink
    this.selectors = new SelectorCache(() => this.identities.byId.values())
    this.slices = indexSlices(cluster.endpointSlices)
    this.policyCtx = {
      selectors: this.selectors,
      policiesIn: (ns) => this.policiesByNs.get(ns) ?? [],
      podsOf: (id) => this.podsByIdentity.get(id) ?? [],
      allPods: () => this.pods.values(),
    }
  }

  setSink(sink: AgentSink): void {
    this.sink = sink
  }

  /** Initial sync: everything in an order that allocates identities deterministically. */
  start(): void {
    const c = this.cluster
    for (const ns of c.namespaces) this.nsByName.set(ns.name, ns)
    this.ipcacheSet(parseCidr('0.0.0.0/0'), { identity: WORLD_ID, tunnelEndpoint: 0, source: 'world' })
    for (const n of c.nodes) this.addNode(n)
    for (const np of c.networkPolicies) this.indexPolicy(np)
    // Global identities in sorted label order (CRD mode allocates in order here), then CIDR identities.
    const withLabels = c.pods
      .filter((p) => !p.hostNetwork)
      .map((p) => {
        const labels = podIdentityLabels(p, this.nsByName.get(p.namespace))
        return { p, labels, key: `${labels.join(',')}\u0000${podKeyOf(p)}` }
      })
      .sort((a, b) => cmp(a.key, b.key))
    for (const { p, labels } of withLabels) this.addPod(p, null, labels)
    // CIDR identities in address order, one reference per mention (a policy delete drops its own)
    const cidrs = new Map<string, { cidr: Cidr; mentions: number }>()
    for (const np of c.networkPolicies)
      for (const cidr of policyCidrs(np)) {
        const k = formatCidr(cidr)
        const have = cidrs.get(k)
        if (have) have.mentions++
        else cidrs.set(k, { cidr, mentions: 1 })
      }
    for (const key of [...cidrs.keys()].sort(compareCidrText)) {
      const { cidr, mentions } = cidrs.get(key) as { cidr: Cidr; mentions: number }
      for (let i = 0; i < mentions; i++) this.refCidr(cidr, null)
    }
    for (const ep of [...this.endpoints.values()].sort((a, b) => a.id - b.id)) this.regenerate(ep)
    for (const svc of c.services) this.syncService(svc)
  }

  /** Applies one watch event; `touched` collects endpoints to regenerate once at the end. */
  apply(change: ClusterChange): void {
    const key =
      change.op === 'upsert' ? objectKey(change.kind, change.object) : objectKey(change.kind, change)
    const known = this.objects[change.kind] as Map<string, ResourceByKind[ResourceKind]>
    // All-or-nothing, as a watch never deletes what it did not add: refuse before anything changes.
    if (change.op === 'delete' && !known.has(key)) throw new Error(`no ${change.kind} ${key} to delete`)
    const previous = known.get(key)
    if (change.op === 'upsert') known.set(key, change.object)
    else known.delete(key)
    const affected = new Set<string>()
    switch (change.kind) {
      case 'Pod': {
        this.withoutIdentity.delete(key)
        const old = this.pods.get(key)
        if (old) this.removePod(old, affected)
        if (change.op === 'upsert' && !change.object.hostNetwork) this.addPod(change.object, affected)
        break
      }
      case 'Namespace': {
        const ns = change.op === 'upsert' ? change.object : undefined
        if (ns) this.nsByName.set(ns.name, ns)
        else this.nsByName.delete(key)
        // Namespace labels are part of every pod identity in it: re-identify those pods.
        for (const pk of [...(this.podsByNs.get(key) ?? [])]) {
          const pod = this.pods.get(pk) as Pod
          this.removePod(pod, affected)
          this.addPod(pod, affected)
        }
        break
      }
      case 'Node': {
        const old = previous as Node | undefined
        if (old) this.removeNode(old)
        if (change.op === 'upsert') this.addNode(change.object)
        if (key === this.nodeName) for (const svc of this.objects.Service.values()) this.syncService(svc)
        break
      }
      case 'Service': {
        if (change.op === 'upsert') this.syncService(change.object)
        else this.removeService(key)
        break
      }
      case 'EndpointSlice': {
        const old = previous as EndpointSlice | undefined
        this.reindexSlices(old, change)
        const ns = key.split('/')[0]
        const sliceSvc = change.op === 'upsert' ? change.object.serviceName : old?.serviceName
        const svc = this.objects.Service.get(`${ns}/${sliceSvc}`)
        if (svc) this.syncService(svc)
        break
      }
      case 'NetworkPolicy': {
        const old = previous as NetworkPolicy | undefined
        if (old) {
          this.unindexPolicy(old)
          this.markSelected(old, affected)
        }
        if (change.op === 'upsert') {
          this.indexPolicy(change.object)
          this.markSelected(change.object, affected)
          for (const cidr of policyCidrs(change.object)) this.refCidr(cidr, affected)
        }
        if (old) for (const cidr of policyCidrs(old)) this.unrefCidr(cidr, affected)
        break
      }
    }
    for (const k of [...affected].sort()) {
      const ep = this.endpoints.get(k)
      if (ep) this.regenerate(ep)
    }
  }

  private reindexSlices(old: EndpointSlice | undefined, change: ClusterChange): void {
    // Only the slices of the one service change: update that bucket in place.
    const { namespace, name } = (change.op === 'upsert' ? change.object : change) as EndpointSlice
    const same = (s: { namespace: string; name: string }) => s.name === name && s.namespace === namespace
    const drop = (svcKey: string) => {
      const list = this.slices.get(svcKey)
      if (list)
        this.slices.set(
          svcKey,
          list.filter((s) => !same(s)),
        )
    }
    if (old) drop(`${old.namespace}/${old.serviceName}`)
    if (change.op === 'upsert' && change.kind === 'EndpointSlice') {
      const s = change.object
      const k = `${s.namespace}/${s.serviceName}`
      this.slices.set(k, [...(this.slices.get(k) ?? []), s])
    }
  }

  // ---- nodes -------------------------------------------------------------------------------------------

  private addNode(n: Cluster['nodes'][number]): void {
    const ip = tryIpToU32(n.internalIP)
    if (ip === null) return
    this.nodeIps.set(n.name, ip)
    const identity = n.name === this.nodeName ? HOST_ID : REMOTE_NODE_ID
    this.ipcacheSet(host32(ip), { identity, tunnelEndpoint: 0, source: 'node' })
  }

  private removeNode(n: Cluster['nodes'][number]): void {
    const ip = this.nodeIps.get(n.name)
    if (ip === undefined) return
    this.nodeIps.delete(n.name)
    this.ipcacheUnset(host32(ip), 'node')
  }

  /**
   * ipcache metadata layer (`pkg/ipcache/metadata.go`): several sources may claim one prefix (a node or pod
   * address that a policy also names as a /32); the map holds the one of highest priority.
   */
  private readonly ipcacheClaims = new Map<string, Partial<Record<IpcacheValue['source'], IpcacheValue>>>()

  private ipcacheSet(prefix: Cidr, value: IpcacheValue): void {
    const k = `${prefix.base}/${prefix.prefix}`
    let claims = this.ipcacheClaims.get(k)
    if (!claims) this.ipcacheClaims.set(k, (claims = {}))
    const before = winner(claims)
    claims[value.source] = value
    const after = winner(claims)
    if (after !== before) this.sink.ipcache('update', prefix, after as IpcacheValue)
  }

  private ipcacheUnset(prefix: Cidr, source: IpcacheValue['source']): void {
    const k = `${prefix.base}/${prefix.prefix}`
    const claims = this.ipcacheClaims.get(k)
    if (!claims?.[source]) return
    const before = winner(claims)
    delete claims[source]
    const after = winner(claims)
    if (!after) {
      this.ipcacheClaims.delete(k)
      this.sink.ipcache('delete', prefix)
    } else if (after !== before) this.sink.ipcache('update', prefix, after)
  }

  // ---- pods, identities, endpoints ---------------------------------------------------------------------

  private addPod(pod: Pod, affected: Set<string> | null, podLabels?: string[]): void {
    const key = podKeyOf(pod)
    const ip = tryIpToU32(pod.ip)
    if (ip === null) return
    const ns = this.nsByName.get(pod.namespace)
    const labels = podLabels ?? podIdentityLabels(pod, ns)
    if (!this.identities.canAcquireGlobal(labels)) {
      // Global identity range exhausted: the endpoint waits for an identity (no ipcache entry, no policy).
      this.withoutIdentity.add(key)
      return
    }
    const { identity, created } = this.identities.acquire('global', labels, {
      namespace: pod.namespace,
      podLabels: pod.labels,
      namespaceLabels: ns?.labels ?? {},
    })
    this.pods.set(key, pod)
    let set = this.podsByNs.get(pod.namespace)
    if (!set) this.podsByNs.set(pod.namespace, (set = new Set()))
    set.add(key)
    this.podIdentity.set(key, identity.id)
    let holders = this.podsByIdentity.get(identity.id)
    if (!holders) this.podsByIdentity.set(identity.id, (holders = new Set()))
    holders.add(pod)
    if (created) this.identityAdded(identity, affected)
    else if (affected && pod.ports.length > 0) this.markNamedPortUsers(affected)
    this.ipcacheSet(host32(ip), {
      identity: identity.id,
      tunnelEndpoint: 0,
      source: 'pod',
      pod: key,
    })
    if (pod.nodeName === this.nodeName) {
      const id = this.endpointIds.take()
      const ep: LocalEndpoint = {
        id,
        pod,
        ip,
        identity: identity.id,
        policy: {
          ingressIsolated: false,
          egressIsolated: false,
          entries: [],
          selectors: new Set(),
          usesNamedPorts: false,
        },
      }
      this.endpoints.set(key, ep)
      this.sink.policyMap('update', id)
      this.sink.lxc('update', ip, { endpointId: id, identity: identity.id, ifindex: 100 + id, pod: key })
      affected?.add(key)
    }
  }

  private removePod(pod: Pod, affected: Set<string>): void {
    const key = podKeyOf(pod)
    const ip = ipToU32(pod.ip)
    const ep = this.endpoints.get(key)
    if (ep) {
      for (const e of ep.policy.entries) this.sink.policy('delete', ep.id, e)
      this.sink.policyMap('delete', ep.id)
      this.sink.lxc('delete', ip)
      for (const s of ep.policy.selectors) this.endpointsBySelector.get(s)?.delete(key)
      this.endpoints.delete(key)
      this.endpointIds.give(ep.id)
      affected.delete(key)
    }
    this.ipcacheUnset(host32(ip), 'pod')
    this.pods.delete(key)
    this.podsByNs.get(pod.namespace)?.delete(key)
    const id = this.podIdentity.get(key) as number
    this.podIdentity.delete(key)
    this.podsByIdentity.get(id)?.delete(pod)
    const released = this.identities.release(id)
    if (released) {
      this.sink.identity?.('delete', released)
      this.podsByIdentity.delete(id)
      for (const s of this.selectors.removeIdentity(id)) this.markSelector(s, affected)
    } else if (pod.ports.length > 0) this.markNamedPortUsers(affected)
  }

  private identityAdded(identity: Identity, affected: Set<string> | null): void {
    this.sink.identity?.('update', identity)
    const changed = this.selectors.addIdentity(identity)
    if (affected) {
      for (const s of changed) this.markSelector(s, affected)
      this.markNamedPortUsers(affected)
    }
  }

  private markSelector(selectorKey: string, affected: Set<string> | null): void {
    if (!affected) return
    for (const k of this.endpointsBySelector.get(selectorKey) ?? []) affected.add(k)
  }

  private markNamedPortUsers(affected: Set<string>): void {
    for (const [k, ep] of this.endpoints) if (ep.policy.usesNamedPorts) affected.add(k)
  }

  private markSelected(np: NetworkPolicy, affected: Set<string>): void {
    for (const pk of this.podsByNs.get(np.namespace) ?? []) if (this.endpoints.has(pk)) affected.add(pk)
  }

  /** Endpoint regeneration: recompute its policy, write the difference into its policy map. */
  private regenerate(ep: LocalEndpoint): void {
    const key = podKeyOf(ep.pod)
    const next = computeEndpointPolicy(ep.pod, this.policyCtx)
    const before = new Map(ep.policy.entries.map((e) => [policyEntryKey(e), e]))
    const after = new Map(next.entries.map((e) => [policyEntryKey(e), e]))
    for (const [k, e] of before) if (!after.has(k)) this.sink.policy('delete', ep.id, e)
    for (const [k, e] of after) {
      const b = before.get(k)
      if (!b || b.deny !== e.deny) this.sink.policy('update', ep.id, e)
    }
    for (const s of ep.policy.selectors)
      if (!next.selectors.has(s)) this.endpointsBySelector.get(s)?.delete(key)
    for (const s of next.selectors) {
      let set = this.endpointsBySelector.get(s)
      if (!set) this.endpointsBySelector.set(s, (set = new Set()))
      set.add(key)
    }
    ep.policy = next
  }

  // ---- policies and CIDR identities --------------------------------------------------------------------

  private indexPolicy(np: NetworkPolicy): void {
    const list = this.policiesByNs.get(np.namespace) ?? []
    this.policiesByNs.set(
      np.namespace,
      [...list.filter((p) => p.name !== np.name), np].sort((a, b) => cmp(a.name, b.name)),
    )
  }

  private unindexPolicy(np: NetworkPolicy): void {
    const list = this.policiesByNs.get(np.namespace) ?? []
    this.policiesByNs.set(
      np.namespace,
      list.filter((p) => p.name !== np.name),
    )
  }

  private refCidr(cidr: Cidr, affected: Set<string> | null): void {
    const k = formatCidr(cidr)
    const have = this.cidrRefs.get(k)
    if (have) {
      have.refs++
      return
    }
    if (cidr.prefix === 0) {
      this.cidrRefs.set(k, { cidr, identity: WORLD_ID, refs: 1 })
      return
    }
    const { identity } = this.identities.acquire('cidr', cidrIdentityLabels(cidr), { cidr })
    this.cidrRefs.set(k, { cidr, identity: identity.id, refs: 1 })
    this.identityAdded(identity, affected)
    this.ipcacheSet(cidr, { identity: identity.id, tunnelEndpoint: 0, source: 'cidr' })
  }

  private unrefCidr(cidr: Cidr, affected: Set<string>): void {
    const k = formatCidr(cidr)
    const have = this.cidrRefs.get(k)
    if (!have) return
    if (--have.refs > 0) return
    this.cidrRefs.delete(k)
    if (cidr.prefix === 0) return
    const released = this.identities.release(have.identity)
    if (released) this.sink.identity?.('delete', released)
    for (const s of this.selectors.removeIdentity(have.identity)) this.markSelector(s, affected)
    this.ipcacheUnset(cidr, 'cidr')
  }

  // ---- services ----------------------------------------------------------------------------------------

  private syncService(svc: Service): void {
    const key = `${svc.namespace}/${svc.name}`
    const nodeIp = this.nodeIps.get(this.nodeName)
    const next = translateService(svc, this.slices.get(key) ?? [], {
      nodeName: this.nodeName,
      nodeAddrs: nodeIp === undefined ? [] : [nodeIp],
    })
    const prev = this.frontends.get(key) ?? []
    const prevByKey = new Map<string, ProgrammedFrontend>()
    for (const p of prev) prevByKey.set(feKey(p.frontend), p)
    const out: ProgrammedFrontend[] = []
    for (const fe of next) {
      const old = prevByKey.get(feKey(fe))
      prevByKey.delete(feKey(fe))
      const backendIds: number[] = []
      for (const b of fe.backends) backendIds.push(this.refBackend(b))
      const revNat = old ? old.revNat : this.refRevNat(fe)
      const programmed: ProgrammedFrontend = { frontend: fe, revNat, backendIds }
      if (old) for (const id of old.backendIds) this.unrefBackendId(id)
      if (!old || !sameFrontend(old, programmed)) this.sink.service('update', programmed, old)
      out.push(programmed)
    }
    for (const old of prevByKey.values()) this.dropFrontend(old)
    if (out.length > 0) this.frontends.set(key, out)
    else this.frontends.delete(key)
  }

  private removeService(key: string): void {
    for (const old of this.frontends.get(key) ?? []) this.dropFrontend(old)
    this.frontends.delete(key)
  }

  private dropFrontend(old: ProgrammedFrontend): void {
    this.sink.service('delete', old)
    for (const id of old.backendIds) this.unrefBackendId(id)
    this.unrefRevNat(old.frontend)
  }

  private refBackend(b: LbFrontend['backends'][number]): number {
    const k = backendKey(b)
    const have = this.backends.get(k)
    if (have) {
      have.refs++
      if (have.state !== b.state || have.node !== b.node || have.pod !== b.pod) {
        Object.assign(have, { state: b.state, node: b.node, pod: b.pod })
        this.sink.backend('update', have)
      }
      return have.id
    }
    const pb = { ...b, id: this.backendAlloc.take(), refs: 1 }
    this.backends.set(k, pb)
    this.backendsById.set(pb.id, pb)
    this.sink.backend('update', pb)
    return pb.id
  }

  private readonly backendsById = new Map<number, ProgrammedBackend & { refs: number }>()

  private unrefBackendId(id: number): void {
    const b = this.backendsById.get(id)
    if (!b || --b.refs > 0) return
    this.backends.delete(backendKey(b))
    this.backendsById.delete(id)
    this.backendAlloc.give(id)
    this.sink.backend('delete', b)
  }

  backendById(id: number): ProgrammedBackend | undefined {
    return this.backendsById.get(id)
  }

  private refRevNat(fe: LbFrontend): number {
    const k = frontendAddrKey(fe)
    const have = this.revNatIds.get(k)
    if (have) {
      have.refs++
      return have.id
    }
    const id = this.revNatAlloc.take()
    this.revNatIds.set(k, { id, refs: 1 })
    this.sink.revNat('update', id, fe.addr, fe.port)
    return id
  }

  private unrefRevNat(fe: LbFrontend): void {
    const k = frontendAddrKey(fe)
    const have = this.revNatIds.get(k)
    if (!have || --have.refs > 0) return
    this.revNatIds.delete(k)
    this.revNatAlloc.give(have.id)
    this.sink.revNat('delete', have.id, fe.addr, fe.port)
  }

  /** The identity of a pod "namespace/name". */
  identityOfPod(key: string): number | undefined {
    return this.podIdentity.get(key)
  }

  /** CIDR identities currently allocated, by prefix text. */
  cidrIdentities(): Array<{ cidr: string; identity: number }> {
    return [...this.cidrRefs].map(([cidr, v]) => ({ cidr, identity: v.identity }))
  }
}

const IPCACHE_PRIORITY: ReadonlyArray<IpcacheValue['source']> = ['node', 'pod', 'cidr', 'world']

function winner(claims: Partial<Record<IpcacheValue['source'], IpcacheValue>>): IpcacheValue | undefined {
  for (const s of IPCACHE_PRIORITY) if (claims[s]) return claims[s]
  return undefined
}

function host32(ip: number): Cidr {
  return { base: ip, prefix: 32, mask: 0xffffffff }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareCidrText(a: string, b: string): number {
  const pa = parseCidr(a)
  const pb = parseCidr(b)
  return pa.base - pb.base || pa.prefix - pb.prefix
}

function feKey(fe: LbFrontend): string {
  return `${fe.type}|${fe.addr}|${fe.port}|${fe.proto}|${fe.scope}`
}

function sameFrontend(a: ProgrammedFrontend, b: ProgrammedFrontend): boolean {
  const fa = a.frontend
  const fb = b.frontend
  return (
    a.revNat === b.revNat &&
    fa.count === fb.count &&
    fa.flags === fb.flags &&
    fa.filteredOut === fb.filteredOut &&
    fa.affinityTimeout === fb.affinityTimeout &&
    a.backendIds.length === b.backendIds.length &&
    a.backendIds.every((id, i) => id === b.backendIds[i]) &&
    fa.sourceRanges.length === fb.sourceRanges.length &&
    fa.sourceRanges.every(
      (r, i) => r.base === fb.sourceRanges[i].base && r.prefix === fb.sourceRanges[i].prefix,
    )
  )
}

/** Every CIDR a policy's ipBlocks mention (the block and its excepts): each gets an ipcache entry. */
export function policyCidrs(np: NetworkPolicy): Cidr[] {
  const out: Cidr[] = []
  const peers = [...np.ingress.flatMap((r) => r.from ?? []), ...np.egress.flatMap((r) => r.to ?? [])]
  for (const p of peers)
    if (p.ipBlock) {
      out.push(parseCidr(p.ipBlock.cidr))
      for (const e of p.ipBlock.except ?? []) out.push(parseCidr(e))
    }
  return out
}

function keyed<K extends ResourceKind>(kind: K, items: ResourceByKind[K][]): Map<string, ResourceByKind[K]> {
  return new Map(items.map((o) => [objectKey(kind, o), o]))
}
