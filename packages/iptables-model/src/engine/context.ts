import { InputError, tryIpToU32, tryParseCidr } from '@dataplane-sim/cluster'

/** Where a packet comes from, which decides the hooks it crosses (OUTPUT for the node's own packets). */
export type SourceKind = 'pod' | 'host' | 'outside'

/** The node a ruleset is installed on: what routing and `addrtype` need to know. */
export interface NodeContext {
  /** the node's own addresses: addrtype LOCAL, delivery to INPUT, the MASQUERADE source (the first one) */
  localIps: string[]
  /** pod CIDRs of this node: a destination there leaves through that pod's veth */
  podCidrs?: string[]
  /** the node's uplink (default eth0) */
  hostInterface?: string
  /** the veth name of a local pod (default: Calico style, 'cali' + the address in 8 hex digits) */
  podInterface?: (ip: string) => string
}

/** A NodeContext resolved to numbers once. */
export class ResolvedContext {
  readonly local: Set<number>
  readonly primary: number
  readonly pods: Array<{ base: number; mask: number }>
  readonly hostInterface: string
  readonly podInterface: (ip: string) => string

  constructor(ctx: NodeContext, source = '<context>') {
    this.local = new Set()
    for (const ip of ctx.localIps) {
      const n = tryIpToU32(ip)
      if (n === null)
        throw new InputError(`expected an IPv4 local address, got ${JSON.stringify(ip)}`, source)
      this.local.add(n)
    }
    this.primary = ctx.localIps.length ? tryIpToU32(ctx.localIps[0])! : 0
    this.pods = (ctx.podCidrs ?? []).map((c) => {
      const p = tryParseCidr(c)
      if (!p) throw new InputError(`expected a pod CIDR, got ${JSON.stringify(c)}`, source)
      return { base: p.base, mask: p.mask }
    })
    this.hostInterface = ctx.hostInterface ?? 'eth0'
    this.podInterface =
      ctx.podInterface ?? ((ip) => `cali${(tryIpToU32(ip) ?? 0).toString(16).padStart(8, '0')}`)
  }

  isLocal(a: number): boolean {
    return this.local.has(a) || a >>> 24 === 127
  }

  isLocalPod(a: number): boolean {
    for (const p of this.pods) if ((a & p.mask) >>> 0 === p.base) return true
    return false
  }

  sourceKind(src: number): SourceKind {
    if (this.isLocal(src)) return 'host'
    if (this.isLocalPod(src)) return 'pod'
    return 'outside'
  }
}
