import type { Cidr, Node } from '@dataplane-sim/cluster'
import { tryIpToU32 } from '@dataplane-sim/cluster'
import { HOST_ID, REMOTE_NODE_ID } from './identity'
import type { IpcacheClaims } from './ipcacheClaims'

/**
 * Node addresses in the ipcache (cilium/cilium `pkg/node/manager`): this node's address as `host`, every
 * other node's as `remote-node`; the local address is also where NodePort frontends listen.
 */
export class NodeAddresses {
  private readonly ips = new Map<string, number>()

  constructor(
    private readonly nodeName: string,
    private readonly ipcache: IpcacheClaims,
  ) {}

  /** This node's address, when it has one. */
  get local(): number | undefined {
    return this.ips.get(this.nodeName)
  }

  add(n: Node): void {
    const ip = tryIpToU32(n.internalIP)
    if (ip === null) return
    this.ips.set(n.name, ip)
    const identity = n.name === this.nodeName ? HOST_ID : REMOTE_NODE_ID
    this.ipcache.set(host32(ip), { identity, tunnelEndpoint: 0, source: 'node' })
  }

  remove(n: Node): void {
    const ip = this.ips.get(n.name)
    if (ip === undefined) return
    this.ips.delete(n.name)
    this.ipcache.unset(host32(ip), 'node')
  }
}

function host32(ip: number): Cidr {
  return { base: ip, prefix: 32, mask: 0xffffffff }
}
