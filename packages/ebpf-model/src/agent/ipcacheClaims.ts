import type { Cidr } from '@dataplane-sim/cluster'
import type { AgentSink, IpcacheValue } from './sink'

type Source = IpcacheValue['source']

/** Highest priority first: a node address beats a pod on it, a pod beats a policy's /32, CIDRs beat world. */
const PRIORITY: readonly Source[] = ['node', 'pod', 'cidr', 'world']

/**
 * A /32 is keyed by its address (a small integer for pod addresses in 10.0.0.0/8, which V8 hashes without
 * boxing), any other prefix by −(base · 64 + length) − 1.
 */
function claimKey(prefix: Cidr): number {
  return prefix.prefix === 32 ? prefix.base : -(prefix.base * 64 + prefix.prefix) - 1
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
 * the map holds the claim of highest priority, and is written only when that winner changes. Prefixes are
 * keyed by number (`claimKey`), and a prefix with one claim (nearly every pod address) holds the claim
 * itself, not a set: the initial sync of a million pods allocates nothing here beyond the map entry.
 */
export class IpcacheClaims {
  private readonly claims = new Map<number, IpcacheValue | ClaimSet>()

  constructor(public sink: AgentSink) {}

  set(prefix: Cidr, value: IpcacheValue): void {
    const k = claimKey(prefix)
    const have = this.claims.get(k)
    if (have === undefined) {
      this.claims.set(k, value)
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
      this.claims.set(k, value)
    } else {
      const set = new ClaimSet()
      set[have.source] = have
      set[value.source] = value
      this.claims.set(k, set)
      before = have
      after = set.winner()
    }
    if (after !== before) this.sink.ipcache('update', prefix, after as IpcacheValue)
  }

  unset(prefix: Cidr, source: Source): void {
    const k = claimKey(prefix)
    const have = this.claims.get(k)
    if (have === undefined) return
    if (!(have instanceof ClaimSet)) {
      if (have.source !== source) return
      this.claims.delete(k)
      this.sink.ipcache('delete', prefix)
      return
    }
    if (!have[source]) return
    const before = have.winner()
    have[source] = undefined
    const after = have.winner()
    if (!after) {
      this.claims.delete(k)
      this.sink.ipcache('delete', prefix)
    } else if (after !== before) this.sink.ipcache('update', prefix, after)
  }
}
