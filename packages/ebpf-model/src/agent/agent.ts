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
} from '@dataplane-sim/cluster'
import { objectKey, parseCidr, tryIpToU32 } from '@dataplane-sim/cluster'
import { CidrIdentities, type CidrIdentityEvents } from './cidrIdentities'
import { distinctObjectKeys } from './distinctKeys'
import { IdAllocator } from './idAllocator'
import { type Identity, IdentityAllocator, podIdentityLabels, WORLD_ID } from './identity'
import { type LabelSetPods, podsByLabelSet } from './initialOrder'
import { IpcacheClaims } from './ipcacheClaims'
import { NodeAddresses } from './nodeAddresses'
import { PodIndex } from './podIndex'
import { computeEndpointPolicy, type EndpointPolicy, type PolicyContext } from './policy'
import { policyCidrs } from './policyCidrs'
import { PolicyIndex } from './policyIndex'
import { SelectorCache } from './selectorCache'
import { SelectorUsers, writePolicyDiff } from './selectorUsers'
import { ServiceSync, type TrackedBackend } from './serviceSync'
import { frontendBound } from './services'
import type { AgentSink, IpcacheValue, ProgrammedBackend, ProgrammedFrontend } from './sink'

/**
 * The Cilium agent of one node: it watches the cluster (pods, namespaces, nodes, services, EndpointSlices,
 * NetworkPolicies) and reconciles BPF map entries through an `AgentSink`. Everything is incremental and keyed
 * by indexes (pods by namespace and identity, policies by namespace, selector → endpoints, frontends by
 * service), so one change costs work proportional to what it touches — the property the eBPF dataplane is
 * known for. Mirrors the roles of cilium/cilium `daemon/cmd` watchers, `pkg/identity/cache`,
 * `pkg/ipcache`, `pkg/service` (here `ServiceSync`) and `pkg/endpoint` regeneration.
 */
export interface LocalEndpoint {
  id: number
  pod: Pod
  ip: number
  identity: number
  policy: EndpointPolicy
}

const podKeyOf = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`

export class CiliumAgent {
  readonly identities = new IdentityAllocator()
  readonly selectors: SelectorCache
  readonly nodeName: string
  /** the cluster of the initial sync; watch events then update `objects`, never a copy of the whole cluster */
  private readonly cluster: Cluster
  /**
   * every object the agent has seen, by kind and "namespace/name" (insertion order, as the API lists them);
   * pods only once a pod event or lookup needs them (`podsByKey`): a key string per pod of the cluster is
   * the most expensive part of indexing a million pods, and only watch events use it
   */
  private objectMaps: { [K in Exclude<ResourceKind, 'Pod'>]: Map<string, ResourceByKind[K]> } | null = null
  /** pods by "namespace/name", as their ordinals in `pods` */
  private podOrdinals: Map<string, number> | null = null
  /** "namespace/name" of each service of the initial cluster, in its order */
  private serviceKeys: string[]
  /**
   * the initial cluster's service keys are known distinct (`distinctObjectKeys`): the initial sync syncs
   * each service `fresh`, its frontends staged instead of looked up and entered one by one
   */
  private readonly serviceKeysDistinct: boolean
  private sink: AgentSink
  private readonly nsByName = new Map<string, Namespace>()
  /** every pod the agent has seen, by ordinal, and the identity each holds */
  private readonly pods: PodIndex
  private readonly policies = new PolicyIndex()
  private readonly nodes: NodeAddresses
  private readonly ipcache: IpcacheClaims
  private readonly services: ServiceSync
  private readonly cidrs: CidrIdentities
  readonly endpoints = new Map<string, LocalEndpoint>()
  /**
   * pods that got no identity because the global range 256–65535 was exhausted: the initial sync lists them
   * (at 100k services × 10, 373k pods past the range; a Set of them cost ~150 ms of hashing and growth inside
   * the build) and the Set is made from the list when a watch event first needs it (`withoutIdentity`)
   */
  private waitingList: Pod[] = []
  /**
   * the initial sync's label sets given no identity, as their pods' ordinals: which of their pods have an
   * address (those wait) is read when the waiting pods are first asked for (`waiting`), not in the build
   * (373k pod addresses parsed at 100k × 10)
   */
  private waitingSets: number[][] = []
  private waitingSet: Set<Pod> | null = null
  private readonly selectorUsers = new SelectorUsers()
  private readonly endpointIds = new IdAllocator()
  private readonly policyCtx: PolicyContext
  /** the /32 of a pod address, reused: sinks read a prefix during the call only */
  private readonly hostPrefix: Cidr = { base: 0, prefix: 32, mask: 0xffffffff }
  /** the shared ipcache value of each pod identity: global identities (< 2^16) by index, others by key */
  private readonly podValues: Array<IpcacheValue | undefined> = []
  private readonly podValuesFar = new Map<number, IpcacheValue>()

  constructor(cluster: Cluster, nodeName: string, sink: AgentSink) {
    if (!cluster.nodes.some((n) => n.name === nodeName))
      throw new RangeError(`no node ${nodeName} in the cluster`)
    this.cluster = cluster
    // service keys kept for the initial sync: the same strings (hash computed once) key every index after
    const keys: string[] = []
    let frontends = 0
    for (let i = 0; i < cluster.services.length; i++) {
      const svc = cluster.services[i]
      keys.push(objectKey('Service', svc))
      frontends += frontendBound(svc)
    }
    this.serviceKeys = keys
    this.serviceKeysDistinct = distinctObjectKeys(cluster.services)
    this.expectedFrontends = frontends
    this.nodeName = nodeName
    this.sink = sink
    this.pods = new PodIndex(cluster.pods)
    this.ipcache = new IpcacheClaims(sink, cluster.pods.length + cluster.nodes.length)
    this.services = new ServiceSync(sink, nodeName, cluster.endpointSlices)
    this.cidrs = new CidrIdentities(this.identities, this.ipcache)
    this.nodes = new NodeAddresses(nodeName, this.ipcache)
    this.selectors = new SelectorCache(this.identities.byId.values())
    this.policyCtx = {
      selectors: this.selectors,
      policiesIn: (ns) => this.policies.inNamespace(ns),
      podsOf: (id) => this.pods.withIdentity(id),
      allPods: () => this.pods.all(),
    }
  }

  /**
   * At most how many frontends the initial sync programs (`frontendBound` summed over the services): a sink
   * sizes its tables for them at once
   */
  readonly expectedFrontends: number

  /** At most how many backends the initial sync programs (every EndpointSlice endpoint with every port). */
  get expectedBackends(): number {
    return this.services.expectedBackends
  }

  /** pods waiting for an identity (the global range was exhausted) */
  get withoutIdentity(): Set<Pod> {
    if (!this.waitingSet) {
      this.waitingSet = new Set(this.waiting())
      this.waitingList = []
    }
    return this.waitingSet
  }

  /** how many pods wait for an identity (the initial sync lists each pod once: no Set needed to count them) */
  get podsWithoutIdentity(): number {
    return this.waitingSet ? this.waitingSet.size : this.waiting().length
  }

  /** The initial sync's waiting pods in list order: those of `waitingSets` with an address entered first. */
  private waiting(): Pod[] {
    const pods = this.cluster.pods
    for (const ordinals of this.waitingSets)
      for (let i = 0; i < ordinals.length; i++)
        if (tryIpToU32(pods[ordinals[i]].ip) !== null) this.waitingList.push(pods[ordinals[i]])
    this.waitingSets = []
    return this.waitingList
  }

  setSink(sink: AgentSink): void {
    this.sink = sink
    this.ipcache.sink = sink
    this.services.sink = sink
  }

  /** frontends by service "namespace/name" */
  get frontends(): ReadonlyMap<string, ProgrammedFrontend[]> {
    return this.services.frontends
  }

  /** backends by ID (a copy) */
  get backends(): ReadonlyMap<number, TrackedBackend> {
    return this.services.backends()
  }

  backendById(id: number): ProgrammedBackend | undefined {
    return this.services.backendById(id)
  }

  /** Initial sync: everything in an order that allocates identities deterministically. */
  start(): void {
    const c = this.cluster
    for (const ns of c.namespaces) this.nsByName.set(ns.name, ns)
    this.ipcache.set(parseCidr('0.0.0.0/0'), { identity: WORLD_ID, tunnelEndpoint: 0, source: 'world' })
    for (const n of c.nodes) this.nodes.add(n)
    for (const np of c.networkPolicies) this.policies.add(np)
    // Global identities in sorted label order (CRD mode allocates in order here), then CIDR identities.
    for (const set of podsByLabelSet(c.pods, (ns) => this.nsByName.get(ns))) this.addLabelSet(set, c.pods)
    this.cidrs.refInAddressOrder(c.networkPolicies.flatMap(policyCidrs), this.cidrEvents(null))
    for (const ep of [...this.endpoints.values()].sort((a, b) => a.id - b.id)) this.regenerate(ep)
    const nodeIp = this.nodes.local
    // (a second start finds the keys gone: its services may be programmed already)
    const fresh = this.serviceKeysDistinct && this.serviceKeys.length === c.services.length
    for (let i = 0; i < c.services.length; i++)
      this.services.sync(c.services[i], nodeIp, this.serviceKeys[i], fresh)
    this.services.endInitialSync()
    this.serviceKeys = []
  }

  /** Applies one watch event; `touched` collects endpoints to regenerate once at the end. */
  apply(change: ClusterChange): void {
    const key =
      change.op === 'upsert' ? objectKey(change.kind, change.object) : objectKey(change.kind, change)
    const known = (change.kind === 'Pod' ? this.podsByKey() : this.objects[change.kind]) as Map<
      string,
      ResourceByKind[ResourceKind] | number
    >
    // All-or-nothing, as a watch never deletes what it did not add: refuse before anything changes.
    if (change.op === 'delete' && !known.has(key)) throw new Error(`no ${change.kind} ${key} to delete`)
    const previous = known.get(key)
    // a pod is known by its ordinal (a new one for every pod object an upsert brings)
    const next =
      change.op !== 'upsert'
        ? undefined
        : change.kind === 'Pod'
          ? this.pods.append(change.object)
          : change.object
    if (next !== undefined) known.set(key, next)
    else known.delete(key)
    const affected = new Set<string>()
    switch (change.kind) {
      case 'Pod': {
        if (previous !== undefined) {
          const ordinal = previous as number
          this.withoutIdentity.delete(this.pods.pod(ordinal))
          if (this.pods.identityOf(ordinal) !== undefined) this.removePod(ordinal, affected)
        }
        if (change.op === 'upsert' && !change.object.hostNetwork) this.addPod(next as number, affected)
        break
      }
      case 'Namespace': {
        const ns = change.op === 'upsert' ? change.object : undefined
        if (ns) this.nsByName.set(ns.name, ns)
        else this.nsByName.delete(key)
        // Namespace labels are part of every pod identity in it: re-identify those pods.
        for (const ordinal of this.pods.inNamespace(key)) {
          this.removePod(ordinal, affected)
          this.addPod(ordinal, affected)
        }
        break
      }
      case 'Node': {
        const old = previous as Node | undefined
        if (old) this.nodes.remove(old)
        if (change.op === 'upsert') this.nodes.add(change.object)
        if (key === this.nodeName) {
          const nodeIp = this.nodes.local
          for (const svc of this.objects.Service.values()) this.services.sync(svc, nodeIp)
        }
        break
      }
      case 'Service': {
        if (change.op === 'upsert') this.services.sync(change.object, this.nodes.local)
        else this.services.remove(key)
        break
      }
      case 'EndpointSlice': {
        const old = previous as EndpointSlice | undefined
        const next = change.op === 'upsert' ? change.object : undefined
        this.services.reindexSlice(old, next)
        const ns = key.split('/')[0]
        const sliceSvc = next ? next.serviceName : old?.serviceName
        const svc = this.objects.Service.get(`${ns}/${sliceSvc}`)
        if (svc) this.services.sync(svc, this.nodes.local)
        break
      }
      case 'NetworkPolicy': {
        const old = previous as NetworkPolicy | undefined
        if (old) {
          this.policies.remove(old)
          this.markSelected(old, affected)
        }
        if (change.op === 'upsert') {
          this.policies.add(change.object)
          this.markSelected(change.object, affected)
          for (const cidr of policyCidrs(change.object)) this.cidrs.ref(cidr, this.cidrEvents(affected))
        }
        if (old) for (const cidr of policyCidrs(old)) this.cidrs.unref(cidr, this.cidrEvents(affected))
        break
      }
    }
    for (const k of [...affected].sort()) {
      const ep = this.endpoints.get(k)
      if (ep) this.regenerate(ep)
    }
  }

  private host(ip: number): Cidr {
    this.hostPrefix.base = ip
    return this.hostPrefix
  }

  // ---- nodes -------------------------------------------------------------------------------------------

  // ---- pods, identities, endpoints ---------------------------------------------------------------------

  private addPod(ordinal: number, affected: Set<string>): void {
    const pod = this.pods.pod(ordinal)
    const ip = tryIpToU32(pod.ip)
    if (ip === null) return
    const ns = this.nsByName.get(pod.namespace)
    const labels = podIdentityLabels(pod, ns)
    const lk = labels.join(',')
    if (!this.identities.canAcquireGlobal(labels, lk)) {
      // Global identity range exhausted: the endpoint waits for an identity (no ipcache entry, no policy).
      this.withoutIdentity.add(pod)
      return
    }
    const { identity, created } = this.identities.acquire('global', labels, identityExtra(pod, ns), lk)
    this.addPodWithIdentity(ordinal, pod, ip, identity, created, affected)
  }

  /**
   * The initial sync's `addPod` for every pod of one label set: the identity is looked up (or allocated)
   * once and takes one reference per pod with an address, in the order `addPod` one by one would.
   */
  private addLabelSet(set: LabelSetPods, pods: readonly Pod[]): void {
    const ordinals = set.ordinals
    if (!this.identities.hasFreeGlobal() && this.waitingSet === null) {
      // the global range is exhausted: the set's pods with an address wait (listed when first asked for)
      this.waitingSets.push(ordinals)
      return
    }
    // addresses parsed once into a scratch array reused by every set (−1: no address, the pod is skipped)
    if (this.setIps.length < ordinals.length) this.setIps = new Float64Array(ordinals.length * 2)
    const ips = this.setIps
    let n = 0
    let first = -1
    for (let i = 0; i < ordinals.length; i++) {
      const ip = tryIpToU32(pods[ordinals[i]].ip)
      ips[i] = ip === null ? -1 : ip
      if (ip === null) continue
      if (n++ === 0) first = i
    }
    if (n === 0) return
    // every label set of the initial sync is new to the allocator (podsByLabelSet gives each key once, and
    // before them it holds only reserved identities, whose "reserved:" keys no "k8s:" label set can equal):
    // no lookup of its 230-character key in a map of 65k identities, here or in `allocate`, and no insert
    // into that map until a lookup of a pod key needs it (`deferKey`: a watch event, not the initial sync)
    if (!this.identities.hasFreeGlobal()) {
      // the waiting pods were asked for already (`waitingSets` above otherwise): into their Set
      const waiting = this.withoutIdentity
      for (let i = 0; i < ordinals.length; i++) if (ips[i] >= 0) waiting.add(pods[ordinals[i]])
      return
    }
    // what the claims of the set's addresses read first (`touchHost`: in the initial sync a bitmap word) and
    // the pods' node names (compared with this node's for each pod), read first together: their cache misses
    // overlap instead of coming one per pod
    let touched = 0
    for (let i = first; i < ordinals.length; i++)
      if (ips[i] >= 0) touched += (this.ipcache.touchHost(ips[i]) ? 1 : 0) + pods[ordinals[i]].nodeName.length
    this.touched = touched
    const pod0 = pods[ordinals[first]]
    const extra = identityExtra(pod0, this.nsByName.get(pod0.namespace))
    const identity = this.identities.allocate('global', set.labels, extra, set.key, n, true)
    const value = this.podIpcacheValue(identity.id)
    for (let i = first; i < ordinals.length; i++)
      if (ips[i] >= 0) {
        const o = ordinals[i]
        this.addPodWithIdentity(o, pods[o], ips[i], identity, i === first, null, value)
      }
  }

  /** what `addLabelSet`'s read-ahead read (kept, so the reads are not optimised away) */
  touched = 0

  /** `addLabelSet`'s parsed addresses */
  private setIps = new Float64Array(64)

  private addPodWithIdentity(
    ordinal: number,
    pod: Pod,
    ip: number,
    identity: Identity,
    created: boolean,
    affected: Set<string> | null,
    value: IpcacheValue = this.podIpcacheValue(identity.id),
  ): void {
    this.pods.add(ordinal, identity.id)
    if (created) this.identityAdded(identity, affected)
    else if (affected && pod.ports.length > 0) this.markNamedPortUsers(affected)
    this.ipcache.set(this.host(ip), value)
    if (pod.nodeName === this.nodeName) {
      const key = podKeyOf(pod)
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

  /** Removes the pod of `ordinal` and drops its identity reference. */
  private removePod(ordinal: number, affected: Set<string>): void {
    const pod = this.pods.pod(ordinal)
    const ip = tryIpToU32(pod.ip) as number
    const key = pod.nodeName === this.nodeName ? podKeyOf(pod) : ''
    const ep = key ? this.endpoints.get(key) : undefined
    if (ep) {
      for (const e of ep.policy.entries) this.sink.policy('delete', ep.id, e)
      this.sink.policyMap('delete', ep.id)
      this.sink.lxc('delete', ip)
      this.selectorUsers.untrack(key, ep.policy.selectors)
      this.endpoints.delete(key)
      this.endpointIds.give(ep.id)
      affected.delete(key)
    }
    this.ipcache.unset(this.host(ip), 'pod')
    const id = this.pods.remove(ordinal) as number
    const released = this.identities.release(id)
    if (released) {
      this.sink.identity?.('delete', released)
      for (const s of this.selectors.removeIdentity(id)) this.selectorUsers.mark(s, affected)
    } else if (pod.ports.length > 0) this.markNamedPortUsers(affected)
  }

  private identityAdded(identity: Identity, affected: Set<string> | null): void {
    this.sink.identity?.('update', identity)
    const changed = this.selectors.addIdentity(identity)
    if (affected) {
      for (const s of changed) this.selectorUsers.mark(s, affected)
      this.markNamedPortUsers(affected)
    }
  }

  private markNamedPortUsers(affected: Set<string>): void {
    for (const [k, ep] of this.endpoints) if (ep.policy.usesNamedPorts) affected.add(k)
  }

  private markSelected(np: NetworkPolicy, affected: Set<string>): void {
    for (const [k, ep] of this.endpoints) if (ep.pod.namespace === np.namespace) affected.add(k)
  }

  /** Endpoint regeneration: recompute its policy, write the difference into its policy map. */
  private regenerate(ep: LocalEndpoint): void {
    const next = computeEndpointPolicy(ep.pod, this.policyCtx)
    writePolicyDiff(this.sink, ep.id, ep.policy.entries, next.entries)
    this.selectorUsers.track(podKeyOf(ep.pod), ep.policy.selectors, next.selectors)
    ep.policy = next
  }

  /** The identity of a pod "namespace/name". */
  identityOfPod(key: string): number | undefined {
    const ordinal = this.podsByKey().get(key)
    return ordinal === undefined ? undefined : this.pods.identityOf(ordinal)
  }

  /**
   * Every object but pods by kind and "namespace/name", for watch events: built on the first `apply` from
   * the initial cluster (which only `apply` changes after), as pods are (`podsByKey`), because the initial
   * sync reads none of them: at 100k services the 100k EndpointSlice keys, 100k Service keys inserted a
   * second time and 9k nodes cost ~250 ms of the build (the first watch event pays it instead, once).
   */
  private get objects(): { [K in Exclude<ResourceKind, 'Pod'>]: Map<string, ResourceByKind[K]> } {
    if (!this.objectMaps) {
      const c = this.cluster
      this.objectMaps = {
        Node: keyed('Node', c.nodes),
        Namespace: keyed('Namespace', c.namespaces),
        Service: keyed('Service', c.services),
        EndpointSlice: keyed('EndpointSlice', c.endpointSlices),
        NetworkPolicy: keyed('NetworkPolicy', c.networkPolicies),
      }
    }
    return this.objectMaps
  }

  /**
   * Pods' ordinals by "namespace/name", built on first use (watch events and lookups), then kept by `apply`:
   * the initial cluster's pods are their positions in its list (a name listed twice: the last one, as a
   * Map of the objects kept).
   */
  private podsByKey(): Map<string, number> {
    if (!this.podOrdinals) {
      const out = new Map<string, number>()
      const pods = this.cluster.pods
      for (let i = 0; i < pods.length; i++) out.set(objectKey('Pod', pods[i]), i)
      this.podOrdinals = out
    }
    return this.podOrdinals
  }

  /** The ipcache value of a pod address: one shared object per identity (the map holds values by reference). */
  private podIpcacheValue(identity: number): IpcacheValue {
    const near = identity < 1 << 16
    let v = near ? this.podValues[identity] : this.podValuesFar.get(identity)
    if (!v) {
      v = { identity, tunnelEndpoint: 0, source: 'pod' }
      if (near) this.podValues[identity] = v
      else this.podValuesFar.set(identity, v)
    }
    return v
  }

  /** CIDR identities currently allocated, by prefix text. */
  cidrIdentities(): Array<{ cidr: string; identity: number }> {
    return this.cidrs.list()
  }

  /** The agent's reaction to a CIDR identity coming or going, marking endpoints into `affected`. */
  private cidrEvents(affected: Set<string> | null): CidrIdentityEvents {
    return {
      added: (identity) => this.identityAdded(identity, affected),
      removed: (id, released) => {
        if (released) this.sink.identity?.('delete', released)
        for (const s of this.selectors.removeIdentity(id)) this.selectorUsers.mark(s, affected)
      },
    }
  }
}

/** What a pod identity keeps for selector matching, computed only when the identity is new. */
function identityExtra(pod: Pod, ns: Namespace | undefined): () => Partial<Identity> {
  return () => ({ namespace: pod.namespace, podLabels: pod.labels, namespaceLabels: ns?.labels ?? {} })
}

function keyed<K extends ResourceKind>(kind: K, items: ResourceByKind[K][]): Map<string, ResourceByKind[K]> {
  const out = new Map<string, ResourceByKind[K]>()
  for (const o of items) out.set(objectKey(kind, o), o)
  return out
}
