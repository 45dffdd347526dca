import type { Cidr } from '@dataplane-sim/cluster'
import { BackendIndex } from './backendIndex'
import { IdAllocator } from './idAllocator'
import type { AgentSink, IpcacheValue } from './sink'

type Source = IpcacheValue['source']

/** Highest priority first: a node address beats a pod on it, a pod beats a policy's /32, CIDRs beat world. */
const PRIORITY: readonly Source[] = ['node', 'pod', 'cidr', 'world']

/** A prefix shorter than /32 (CIDR identities, world) as a number: base · 64 + length. */
function claimKey(prefix: Cidr): number {
  return prefix.base * 64 + prefix.prefix
}

/** Two or more sources claiming one prefix (rare: a node or pod address a policy also names). */
class ClaimSet {
  node?: IpcacheValue
  pod?: IpcacheValue
  cidr?: IpcacheValue
  world?: IpcacheValue

  winner(): IpcacheValue | undefined {
    for (const s of PRIORITY) if (this[s]) return this[s]
    return undefined
  }
}

/**
 * The ipcache metadata layer (cilium/cilium `pkg/ipcache/metadata.go`): several sources may claim one prefix;
 * the map holds the claim of highest priority, and is written only when that winner changes. A /32 is found
 * by its address in a `BackendIndex` (one typed-array probe, no JS cell per slot: the million pod and node
 * addresses of a large cluster cost a 12-byte cell each, where an index of JS values held a 48 MB array the
 * garbage collector marks) holding a handle of the claim; the claims themselves are few — the pods of one
 * identity share one value — and are kept once each in `held`, reference-counted by the addresses naming
 * them. Other prefixes are found by number (`claimKey`). A prefix with one claim (nearly every pod address)
 * holds the claim itself, not a set: the initial sync of a million pods allocates nothing here per pod.
 */
export class IpcacheClaims {
  /** /32 claims by address (nearly all: pods and nodes): the handle of the claim in `held` */
  private readonly hosts: BackendIndex
  /** claims by handle (0 unused), the /32 addresses naming each, and the handle of each claim object */
  private readonly held: Array<IpcacheValue | ClaimSet | undefined> = [undefined]
  private readonly refs: number[] = [0]
  private readonly handles = new Map<IpcacheValue | ClaimSet, number>()
  private readonly freeHandles = new IdAllocator()
  /** the last claim handled (consecutive pods share their identity's value) */
  private lastClaim: IpcacheValue | ClaimSet | undefined
  private lastHandle = 0
  /** other prefixes by `claimKey` */
  private readonly claims = new Map<number, IpcacheValue | ClaimSet>()

  /** `hosts`: how many /32 claims to expect (pods and nodes of the initial cluster), to presize the table */
  constructor(
    public sink: AgentSink,
    hosts = 0,
  ) {
    this.hosts = new BackendIndex(hosts)
  }

  set(prefix: Cidr, value: IpcacheValue): void {
    const host = prefix.prefix === 32
    let have: IpcacheValue | ClaimSet | undefined
    if (host) {
      // one probe: a new address is entered with the claim's handle at once
      const h = this.handleOf(value)
      const at = this.hosts.getOrSet(prefix.base, 0, 0, h)
      if (at === 0) {
        this.refs[h]++
        this.sink.ipcache('update', prefix, value, true)
        return
      }
      if (this.refs[h] === 0) this.dropHandle(h)
      have = this.held[at]
    } else have = this.claims.get(claimKey(prefix))
    if (have === undefined) {
      this.put(host, prefix, value)
      this.sink.ipcache('update', prefix, value, true)
      return
    }
    let before: IpcacheValue | undefined
    let after: IpcacheValue | undefined
    if (have instanceof ClaimSet) {
      before = have.winner()
      have[value.source] = value
      after = have.winner()
    } else if (have.source === value.source) {
      before = have
      after = value
      this.put(host, prefix, value)
    } else {
      const set = new ClaimSet()
      set[have.source] = have
      set[value.source] = value
      this.put(host, prefix, set)
      before = have
      after = set.winner()
    }
    if (after !== before) this.sink.ipcache('update', prefix, after as IpcacheValue)
  }

  unset(prefix: Cidr, source: Source): void {
    const host = prefix.prefix === 32
    let have: IpcacheValue | ClaimSet | undefined
    if (host) {
      const at = this.hosts.get(prefix.base, 0, 0)
      have = at === 0 ? undefined : this.held[at]
    } else have = this.claims.get(claimKey(prefix))
    if (have === undefined) return
    if (!(have instanceof ClaimSet)) {
      if (have.source !== source) return
      this.drop(host, prefix)
      this.sink.ipcache('delete', prefix)
      return
    }
    if (!have[source]) return
    const before = have.winner()
    have[source] = undefined
    const after = have.winner()
    if (!after) {
      this.drop(host, prefix)
      this.sink.ipcache('delete', prefix)
    } else if (after !== before) this.sink.ipcache('update', prefix, after)
  }

  /** The handle of a claim object, registered (with no reference yet) when new. */
  private handleOf(v: IpcacheValue | ClaimSet): number {
    if (v === this.lastClaim) return this.lastHandle
    let h = this.handles.get(v)
    if (h === undefined) {
      h = this.freeHandles.take()
      this.handles.set(v, h)
      this.held[h] = v
      this.refs[h] = 0
    }
    this.lastClaim = v
    this.lastHandle = h
    return h
  }

  private dropHandle(h: number): void {
    const v = this.held[h] as IpcacheValue | ClaimSet
    this.handles.delete(v)
    this.held[h] = undefined
    this.freeHandles.give(h)
    if (this.lastHandle === h) {
      this.lastClaim = undefined
      this.lastHandle = 0
    }
  }

  private put(host: boolean, prefix: Cidr, v: IpcacheValue | ClaimSet): void {
    if (!host) {
      this.claims.set(claimKey(prefix), v)
      return
    }
    const h = this.handleOf(v)
    this.refs[h]++
    const old = this.hosts.get(prefix.base, 0, 0)
    this.hosts.set(prefix.base, 0, 0, h)
    if (old !== 0 && --this.refs[old] === 0) this.dropHandle(old)
  }

  private drop(host: boolean, prefix: Cidr): void {
    if (!host) {
      this.claims.delete(claimKey(prefix))
      return
    }
    const old = this.hosts.get(prefix.base, 0, 0)
    this.hosts.delete(prefix.base, 0, 0)
    if (old !== 0 && --this.refs[old] === 0) this.dropHandle(old)
  }
}
