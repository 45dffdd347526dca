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

/** Addresses per chunk of the `seen` bitmap (a /16), and 32-bit words per chunk. */
const CHUNK_BITS = 16
const CHUNK_WORDS = (1 << CHUNK_BITS) >>> 5

/**
 * The ipcache metadata layer (cilium/cilium `pkg/ipcache/metadata.go`): several sources may claim one prefix;
 * the map holds the claim of highest priority, and is written only when that winner changes. A /32 is found
 * by its address in an `IntKeyIndex`, other prefixes by number (`claimKey`); a prefix with one claim (nearly
 * every pod address) holds the claim itself, not a set: the initial sync of a million pods allocates
 * nothing here per pod.
 *
 * The /32 table is built when a lookup first needs it. Until then a claim of an address never claimed
 * before — every pod and node address of the initial sync — is appended to a list (`pending`), and a bitmap
 * of the addresses claimed so far (`seen`, a chunk per /16 in use: 2 MB for a million pods in a /8, where
 * the table is ~48 MB) tells such an address from one that may be claimed: a claim of a seen address, an
 * `unset`, builds the table from the list first. At 100k services × 10 the initial sync's 617k claims were a
 * random cell of the 48 MB table each (~500 ms of a profiled build in their reads and read-ahead).
 */
export class IpcacheClaims {
  /** /32 claims by address (nearly all: pods and nodes), once built (`table`) */
  private hosts: IntKeyIndex<IpcacheValue | ClaimSet> | null = null
  /** other prefixes by `claimKey` */
  private readonly claims = new Map<number, IpcacheValue | ClaimSet>()
  /**
   * claims of addresses not in `seen` when made, not yet in `hosts`, in the order they were made: the first
   * `pendingCount` positions (made with room for the expected hosts, pushed past it)
   */
  private pendingAddrs: number[]
  private pendingValues: Array<IpcacheValue | undefined>
  private pendingCount = 0
  /** addresses ever claimed while the table was not built: a bit per address, a chunk per /16 (by its top 16 bits) */
  private seen: Array<Uint32Array | undefined> | null = []

  /** `hosts`: how many /32 claims to expect (pods and nodes of the initial cluster), to presize the table */
  constructor(
    public sink: AgentSink,
    private readonly expectedHosts = 0,
  ) {
    this.pendingAddrs = new Array(expectedHosts).fill(0)
    this.pendingValues = new Array(expectedHosts).fill(undefined)
  }

  /**
   * Reads what a claim of the /32 of `addr` reads first; changes nothing. The initial sync calls it for a
   * label set's pod addresses before claiming them, so their cache misses overlap instead of coming one at a
   * time (a word of the bitmap while the table is not built, a random cell of the table after).
   */
  touchHost(addr: number): boolean {
    const seen = this.seen
    if (seen !== null) {
      const chunk = seen[addr >>> CHUNK_BITS]
      return chunk !== undefined && chunk[(addr & 0xffff) >>> 5] !== 0
    }
    const hosts = this.hosts as IntKeyIndex<IpcacheValue | ClaimSet>
    return hosts.cellArray[hosts.homeCell(addr)] !== undefined
  }

  set(prefix: Cidr, value: IpcacheValue): void {
    const host = prefix.prefix === 32
    if (host && this.seen !== null && this.markNew(prefix.base)) {
      // never claimed: what the table would answer (no claim) without building it
      // within the room made, or at the end (a store at an array's length appends, as push does)
      const at = this.pendingCount++
      this.pendingAddrs[at] = prefix.base
      this.pendingValues[at] = value
      this.sink.ipcache('update', prefix, value, true)
      return
    }
    const k = host ? prefix.base : claimKey(prefix)
    const have = host ? this.table().get(k) : this.claims.get(k)
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
    const have = host ? this.table().get(k) : this.claims.get(k)
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
    if (host) this.table().set(k, v)
    else this.claims.set(k, v)
  }

  private drop(host: boolean, k: number): void {
    if (host) this.table().delete(k)
    else this.claims.delete(k)
  }

  /** Sets the bit of `addr` in `seen`; whether it was clear (the address never claimed). */
  private markNew(addr: number): boolean {
    const seen = this.seen as Array<Uint32Array | undefined>
    const top = addr >>> CHUNK_BITS
    let chunk = seen[top]
    if (chunk === undefined) {
      // a holey array of 2^16 chunk slots, filled as /16s come into use
      while (seen.length < top) seen.push(undefined)
      chunk = seen[top] = new Uint32Array(CHUNK_WORDS)
    }
    const w = (addr & 0xffff) >>> 5
    const bit = 1 << (addr & 31)
    if ((chunk[w] & bit) !== 0) return false
    chunk[w] |= bit
    return true
  }

  /** The /32 table, built from the pending claims when first needed (the bitmap is dropped then). */
  private table(): IntKeyIndex<IpcacheValue | ClaimSet> {
    if (this.hosts !== null) return this.hosts
    const addrs = this.pendingAddrs
    const values = this.pendingValues
    const n = this.pendingCount
    const hosts = new IntKeyIndex<IpcacheValue | ClaimSet>(Math.max(this.expectedHosts, n))
    for (let i = 0; i < n; i++) hosts.set(addrs[i], values[i] as IpcacheValue)
    this.hosts = hosts
    this.pendingAddrs = []
    this.pendingValues = []
    this.pendingCount = 0
    this.seen = null
    return hosts
  }
}
