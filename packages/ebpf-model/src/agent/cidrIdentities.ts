import type { Cidr } from '@dataplane-sim/cluster'
import { formatCidr } from '@dataplane-sim/cluster'
import { cidrIdentityLabels, type Identity, type IdentityAllocator, WORLD_ID } from './identity'
import type { IpcacheClaims } from './ipcacheClaims'

/** What the agent does when a CIDR identity comes or goes (selector cache, endpoint regeneration). */
export interface CidrIdentityEvents {
  added(identity: Identity): void
  /** `released`: the identity object when its last reference went, else null */
  removed(id: number, released: Identity | null): void
}

/**
 * CIDR identities of the ipBlocks policies name (cilium/cilium `pkg/ipcache/cidr.go`
 * AllocateCIDRs / ReleaseCIDRIdentitiesByCIDR): one local identity and one ipcache entry per prefix,
 * reference-counted by mention; 0.0.0.0/0 is the reserved world identity and gets neither.
 */
export class CidrIdentities {
  private readonly refs = new Map<string, { cidr: Cidr; identity: number; refs: number }>()

  constructor(
    private readonly identities: IdentityAllocator,
    private readonly ipcache: IpcacheClaims,
  ) {}

  ref(cidr: Cidr, events: CidrIdentityEvents): void {
    const k = formatCidr(cidr)
    const have = this.refs.get(k)
    if (have) {
      have.refs++
      return
    }
    if (cidr.prefix === 0) {
      this.refs.set(k, { cidr, identity: WORLD_ID, refs: 1 })
      return
    }
    const { identity } = this.identities.acquire('cidr', cidrIdentityLabels(cidr), { cidr })
    this.refs.set(k, { cidr, identity: identity.id, refs: 1 })
    events.added(identity)
    this.ipcache.set(cidr, { identity: identity.id, tunnelEndpoint: 0, source: 'cidr' })
  }

  /** The initial sync's allocation: prefixes in address order, one reference per mention. */
  refInAddressOrder(mentions: readonly Cidr[], events: CidrIdentityEvents): void {
    const sorted = [...mentions].sort((a, b) => a.base - b.base || a.prefix - b.prefix)
    for (const cidr of sorted) this.ref(cidr, events)
  }

  unref(cidr: Cidr, events: CidrIdentityEvents): void {
    const k = formatCidr(cidr)
    const have = this.refs.get(k)
    if (!have) return
    if (--have.refs > 0) return
    this.refs.delete(k)
    if (cidr.prefix === 0) return
    events.removed(have.identity, this.identities.release(have.identity))
    this.ipcache.unset(cidr, 'cidr')
  }

  /** CIDR identities currently allocated, by prefix text. */
  list(): Array<{ cidr: string; identity: number }> {
    return [...this.refs].map(([cidr, v]) => ({ cidr, identity: v.identity }))
  }
}
