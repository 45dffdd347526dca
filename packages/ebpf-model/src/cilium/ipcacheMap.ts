import { BpfLpmTrie } from '../maps/lpmTrie'
import { CILIUM_MAP_LAYOUTS } from './layouts'
import { type CiliumMapOptions, specFor } from './mapOptions'
import type { IpcacheKey, RemoteEndpointInfo } from './structs'

/** getStaticPrefixBits: cluster_id (16) + pad1 (8) + family (8) precede the address in struct ipcache_key. */
export const IPCACHE_STATIC_PREFIX = 32

/**
 * `cilium_ipcache` (bpf/lib/eps.h `ipcache_lookup4`, pkg/maps/ipcache): LPM from an address to the security
 * identity (and tunnel endpoint, IPsec key, flags) of whatever owns it — pod /32s, node /32s, CIDR policy
 * prefixes, world 0.0.0.0/0.
 *
 * Modeled for IPv4 in cluster 0: every key shares the 32-bit static prefix (cluster 0, family AF_INET), so the
 * trie here covers only the address bits (max prefix 32) and adds the static 32 bits back in byte encodings
 * and memory (key 24 bytes, prefixlen 32 + CIDR prefix), which gives the kernel's trie the same shape under
 * that shared prefix.
 */
export class IpcacheMap {
  readonly map: BpfLpmTrie<RemoteEndpointInfo>

  constructor(opts: CiliumMapOptions = {}) {
    this.map = new BpfLpmTrie({ ...specFor(CILIUM_MAP_LAYOUTS.cilium_ipcache, opts), maxPrefixLen: 32 })
  }

  /** Datapath lookup of an address (counted); `map.lastPrefixLen` is the matched CIDR prefix. */
  lookup(address: number, counts?: Record<string, number>): RemoteEndpointInfo | undefined {
    return this.map.lookup(address, counts)
  }

  peek(address: number, prefix: number): RemoteEndpointInfo | undefined {
    return this.map.peek(prefix, address)
  }

  update(
    key: Omit<IpcacheKey, 'clusterId'>,
    value: RemoteEndpointInfo,
    flags = 0,
    counts?: Record<string, number>,
  ) {
    this.map.update(key.prefix, key.address, value, flags, counts)
  }

  delete(key: Omit<IpcacheKey, 'clusterId'>, counts?: Record<string, number>): void {
    this.map.delete(key.prefix, key.address, counts)
  }

  *entries(): IterableIterator<[IpcacheKey, RemoteEndpointInfo]> {
    for (const e of this.map.entries())
      yield [{ address: e.data[0], prefix: e.prefixLen, clusterId: 0 }, e.value]
  }
}
