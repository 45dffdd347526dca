import type { Cidr } from '@dataplane-sim/cluster'
import { IntKeyIndex } from '../maps/intKeyIndex'
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
 * by its address in an `IntKeyIndex`, other prefixes by number (`claimKey`); a prefix with one claim (nearly
 * every pod address) holds the claim itself, not a set: the initial sync of a million pods allocates
 * nothing here per pod.
 */
export class IpcacheClaims {
  /** /32 claims by address (nearly all: pods and nodes), other prefixes by `claimKey` */
  private readonly hosts: IntKeyIndex<IpcacheValue | ClaimSet>
  private readonly claims = new Map<number, IpcacheValue | ClaimSet>()

  /** `hosts`: how many /32 claims to expect (pods and nodes of the initial cluster), to presize the table */
  constructor(
    public sink: AgentSink,
    hosts = 0,
  ) {
    this.hosts = new IntKeyIndex(hosts)
  }

  /**
   * Reads the cell a claim of the /32 of `addr` reads first; changes nothing. The initial sync calls it for a
   * label set's pod addresses before claiming them, so their cache misses (random cells of a ~48 MB table at
   * a million pods) overlap instead of coming one at a time.
   */
  touchHost(addr: number): boolean {
    return this.hosts.cellArray[this.hosts.homeCell(addr)] !== undefined
  }

  set(prefix: Cidr, value: IpcacheValue): void {
    const host = prefix.prefix === 32
    const k = host ? prefix.base : claimKey(prefix)
    const have = host ? this.hosts.get(k) : this.claims.get(k)
    if (have === undefined) {
      this.put(host, k, value)
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
      this.put(host, k, value)
    } else {
      const set = new ClaimSet()
      set[have.source] = have
      set[value.source] = value
      this.put(host, k, set)
      before = have
      after = set.winner()
    }
    if (after !== before) this.sink.ipcache('update', prefix, after as IpcacheValue)
  }

  unset(prefix: Cidr, source: Source): void {
    const host = prefix.prefix === 32
    const k = host ? prefix.base : claimKey(prefix)
    const have = host ? this.hosts.get(k) : this.claims.get(k)
    if (have === undefined) return
    if (!(have instanceof ClaimSet)) {
      if (have.source !== source) return
      this.drop(host, k)
      this.sink.ipcache('delete', prefix)
      return
    }
    if (!have[source]) return
    const before = have.winner()
    have[source] = undefined
    const after = have.winner()
    if (!after) {
      this.drop(host, k)
      this.sink.ipcache('delete', prefix)
    } else if (after !== before) this.sink.ipcache('update', prefix, after)
  }

  private put(host: boolean, k: number, v: IpcacheValue | ClaimSet): void {
    if (host) this.hosts.set(k, v)
    else this.claims.set(k, v)
  }

  private drop(host: boolean, k: number): void {
    if (host) this.hosts.delete(k)
    else this.claims.delete(k)
  }
}
