import type { Cidr, Labels, Namespace, Pod } from '@dataplane-sim/cluster'
import { formatCidr } from '@dataplane-sim/cluster'
import { StagedMap } from './stagedMap'

/**
 * Security identities, mirroring cilium/cilium `pkg/identity/numericidentity.go` (reserved identities and
 * ranges) and `pkg/labels` (the `k8s:` label source and the namespace meta-labels the agent adds).
 */
export const RESERVED_IDENTITIES = {
  host: 1,
  world: 2,
  unmanaged: 3,
  health: 4,
  init: 5,
  'remote-node': 6,
  'kube-apiserver': 7,
  ingress: 8,
} as const

export const HOST_ID = 1
export const WORLD_ID = 2
export const REMOTE_NODE_ID = 6
/** `--cluster-id 0`: global identities 256–65535 (`cilium status`: Global Identity Range). */
export const MIN_GLOBAL_IDENTITY = 256
export const MAX_GLOBAL_IDENTITY = 65535
/** Identity numbers below this are kept in arrays indexed by the number (the global range and below). */
const NEAR_IDS = 1 << 16
/** what every pod identity label begins with (`podIdentityLabels`), and so every key of a pod identity */
const POD_KEY_PREFIX = 'k8s:'
/** Node-local scope (`identity.IdentityScopeLocal`, 1 << 24): CIDR identities live here. */
export const LOCAL_IDENTITY_BASE = 1 << 24

export type IdentityKind = 'reserved' | 'global' | 'cidr'

export interface Identity {
  id: number
  kind: IdentityKind
  /** labels as `cilium identity get` prints them, sorted */
  labels: string[]
  /** canonical key: the sorted labels joined */
  key: string
  /** for pod identities: the namespace, the pod's labels and the namespace's labels (selector matching) */
  namespace?: string
  podLabels?: Labels
  namespaceLabels?: Labels
  /** for CIDR identities */
  cidr?: Cidr
}

/**
 * The labels the agent derives for a pod (`pkg/k8s/utils.go` GetPodMetadata + `pkg/labels`): every pod
 * label with source `k8s`, the namespace as `io.kubernetes.pod.namespace`, the namespace's labels as
 * `io.cilium.k8s.namespace.labels.*`, and the cluster name, sorted. Service accounts are not modeled.
 * `namespaceLabels`: the namespace's part as `namespaceIdentityLabels` gives it (sorted).
 */
export function podIdentityLabels(
  pod: Pod,
  namespace: Namespace | undefined,
  namespaceLabels: readonly string[] = namespaceIdentityLabels(pod.namespace, namespace),
): string[] {
  const own: string[] = []
  for (const k in pod.labels) {
    // insertion sort with `<` (what the default sort compares: UTF-16 code units): a pod has a few labels
    const l = `k8s:${k}=${pod.labels[k]}`
    let j = own.length
    for (; j > 0 && own[j - 1] > l; j--) own[j] = own[j - 1]
    own[j] = l
  }
  // merged with the namespace's labels, sorted once per namespace (`namespaceIdentityLabels`), rather than
  // sorting the pod's and its namespace's together for every label set (104k of them at 100k services)
  const out: string[] = []
  let i = 0
  let j = 0
  while (i < own.length && j < namespaceLabels.length)
    out.push(own[i] <= namespaceLabels[j] ? own[i++] : namespaceLabels[j++])
  while (i < own.length) out.push(own[i++])
  while (j < namespaceLabels.length) out.push(namespaceLabels[j++])
  return out
}

/**
 * The labels a pod's identity takes from its namespace (and the cluster name), sorted: the same for every
 * pod of the namespace, so a caller deriving many label sets computes them once per namespace.
 */
export function namespaceIdentityLabels(name: string, namespace: Namespace | undefined): string[] {
  const out = [`k8s:io.kubernetes.pod.namespace=${name}`]
  if (namespace)
    for (const k in namespace.labels)
      out.push(`k8s:io.cilium.k8s.namespace.labels.${k}=${namespace.labels[k]}`)
  out.push('k8s:io.cilium.k8s.policy.cluster=default')
  return out.sort()
}

export function cidrIdentityLabels(cidr: Cidr): string[] {
  return [`cidr:${formatCidr(cidr)}`, 'reserved:world']
}

export function reservedIdentity(name: keyof typeof RESERVED_IDENTITIES): Identity {
  const labels = [`reserved:${name}`]
  return { id: RESERVED_IDENTITIES[name], kind: 'reserved', labels, key: labels.join(',') }
}

/**
 * Identity allocation with reference counts. Global identities take the lowest free number from 256 on
 * (the model of CRD mode's allocation: deterministic, callers allocate sorted label sets first); CIDR
 * identities take the lowest free number from 1<<24 (`pkg/identity/cache/local.go`).
 */
export class IdentityAllocator {
  /**
   * identities by key, except the `unkeyed` ones: a 230-character key hashed into a map of 65k per label
   * set cost ~200 ms of the 100k × 10 initial sync, whose keys are all new (no lookup needs them); they are
   * entered when a lookup first could need them (`keyMap`)
   */
  private readonly keyed = new Map<string, Identity>()
  /** identities allocated with `deferKey`, in allocation order, not yet in `keyed`: their keys are pod keys */
  private unkeyed: Identity[] = []
  /**
   * identities by number, in the order allocated. `allocate` stages each new one, entered when the map is first
   * read (`byId`: a release, a lookup by number, a dump), so the initial sync's 65k allocations insert nothing
   * into a growing Map of number keys (~64 ms of a profiled 100k × 10 build, line profile). A new identity's
   * number is held by no other (a released one left the map).
   */
  private readonly byIdMap = new StagedMap<number, Identity>()
  /**
   * reference counts by identity: global identities (below 2^16, the initial sync's 65k) in an array indexed
   * by the number, where a Map of 65k number keys cost ~35 ms of inserts in the 100k × 10 build; CIDR
   * identities (from 2^24) in a Map. 0 or absent: no references (no such identity)
   */
  private readonly refsNear: number[] = []
  private readonly refsFar = new Map<number, number>()
  private readonly free: Record<'global' | 'cidr', number[]> = { global: [], cidr: [] }
  private readonly next: Record<'global' | 'cidr', number> = {
    global: MIN_GLOBAL_IDENTITY,
    cidr: LOCAL_IDENTITY_BASE,
  }

  constructor() {
    for (const name of Object.keys(RESERVED_IDENTITIES) as Array<keyof typeof RESERVED_IDENTITIES>) {
      const id = reservedIdentity(name)
      this.keyed.set(id.key, id)
      this.byId.set(id.id, id)
    }
  }

  /** Identities by number, in the order allocated. */
  get byId(): Map<number, Identity> {
    return this.byIdMap.map
  }

  /** Takes a reference (`count` of them) on the identity of `labels`, allocating it when new. */
  acquire(
    kind: 'global' | 'cidr',
    labels: string[],
    extra: Partial<Identity> | (() => Partial<Identity>) = {},
    key: string = labels.join(','),
    count = 1,
  ): { identity: Identity; created: boolean } {
    const have = this.keyMap(key).get(key)
    if (have) {
      this.setRefs(have.id, (this.refsOf(have.id) ?? 0) + count)
      return { identity: have, created: false }
    }
    return { identity: this.allocate(kind, labels, extra, key, count), created: true }
  }

  /**
   * A new identity for `labels` with `count` references, for a caller that knows no identity has their key
   * (the initial sync's label sets: keys distinct, none allocated before them): `acquire` without its lookup.
   * `deferKey`: enter the key in the key map only when a lookup could need it (a pod key: `k8s:` labels).
   */
  allocate(
    kind: 'global' | 'cidr',
    labels: string[],
    extra: Partial<Identity> | (() => Partial<Identity>),
    key: string,
    count: number,
    deferKey = false,
  ): Identity {
    const id = this.take(kind)
    const e = typeof extra === 'function' ? extra() : extra
    // one literal with every field (not a spread of `extra`): every identity gets the same hidden class,
    // and the spread's generic copy cost ~4 µs per identity at 65k identities
    const identity: Identity = {
      id,
      kind,
      labels,
      key,
      namespace: e.namespace,
      podLabels: e.podLabels,
      namespaceLabels: e.namespaceLabels,
      cidr: e.cidr,
    }
    if (deferKey && key.startsWith(POD_KEY_PREFIX)) this.unkeyed.push(identity)
    else this.keyed.set(key, identity)
    this.byIdMap.stage(id, identity)
    this.setRefs(id, count)
    return identity
  }

  /**
   * The key map as a lookup of `key` needs it: complete for every key a deferred one could equal. Deferred
   * keys all begin with `k8s:` (pod labels), so only a lookup of such a key enters them first, in the order
   * they were allocated; reserved (`reserved:`) and CIDR (`cidr:`) keys are answered without them.
   */
  private keyMap(key: string): Map<string, Identity> {
    if (this.unkeyed.length > 0 && key.startsWith(POD_KEY_PREFIX)) {
      for (const identity of this.unkeyed) this.keyed.set(identity.key, identity)
      this.unkeyed = []
    }
    return this.keyed
  }

  /** The identity holding `key`, if any. */
  byKey(key: string): Identity | undefined {
    return this.keyMap(key).get(key)
  }

  /** Whether `acquire('global', labels)` would succeed (a known label set, or a free number in the range). */
  canAcquireGlobal(labels: string[], key: string = labels.join(',')): boolean {
    return this.free.global.length > 0 || this.next.global <= MAX_GLOBAL_IDENTITY || this.keyMap(key).has(key)
  }

  /** Whether a global identity number is free (a new label set can be given one). */
  hasFreeGlobal(): boolean {
    return this.free.global.length > 0 || this.next.global <= MAX_GLOBAL_IDENTITY
  }

  /** Drops a reference; returns the identity when it was released (last reference gone). */
  release(id: number): Identity | null {
    const n = this.refsOf(id)
    if (n === undefined) return null
    if (n > 1) {
      this.setRefs(id, n - 1)
      return null
    }
    const identity = this.byId.get(id) as Identity
    this.setRefs(id, 0)
    this.byId.delete(id)
    this.keyMap(identity.key).delete(identity.key)
    const kind = identity.kind === 'cidr' ? 'cidr' : 'global'
    const free = this.free[kind]
    let i = free.length
    while (i > 0 && free[i - 1] < id) i--
    free.splice(i, 0, id)
    return identity
  }

  get(id: number): Identity | undefined {
    return this.byId.get(id)
  }

  /** Allocated (non-reserved) identities, by kind. */
  count(kind: IdentityKind): number {
    let n = 0
    for (const i of this.byId.values()) if (i.kind === kind) n++
    return n
  }

  private refsOf(id: number): number | undefined {
    if (id >= NEAR_IDS) return this.refsFar.get(id)
    const n = this.refsNear[id]
    return n === undefined || n === 0 ? undefined : n
  }

  /** Sets the references of `id` (0: none left). */
  private setRefs(id: number, n: number): void {
    if (id < NEAR_IDS) {
      const a = this.refsNear
      // grown one element at a time (identities are taken lowest first): a packed array, never holey
      while (a.length <= id) a.push(0)
      a[id] = n
    } else if (n > 0) this.refsFar.set(id, n)
    else this.refsFar.delete(id)
  }

  private take(kind: 'global' | 'cidr'): number {
    const free = this.free[kind]
    if (free.length > 0) return free.pop() as number
    const id = this.next[kind]
    if (kind === 'global' && id > MAX_GLOBAL_IDENTITY)
      throw new RangeError(`identity range ${MIN_GLOBAL_IDENTITY}-${MAX_GLOBAL_IDENTITY} exhausted`)
    this.next[kind] = id + 1
    return id
  }
}
