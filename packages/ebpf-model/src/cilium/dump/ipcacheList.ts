import { u32ToIp } from '@dataplane-sim/cluster'
import type { IpcacheKey, RemoteEndpointInfo } from '../structs'
import { tablePrinter } from './_table'

/** pkg/maps/ipcache RemoteEndpointInfo.String(). */
export function remoteEndpointInfoString(v: RemoteEndpointInfo): string {
  const flags = v.flags & 1 ? 'skiptunnel' : '<none>'
  return `identity=${v.secIdentity} encryptkey=${v.key} tunnelendpoint=${u32ToIp(v.tunnelEndpoint)} flags=${flags}`
}

/** What the dump reads: `IpcacheMap`, or a node's ipcache seen through the same structs. */
export interface IpcacheSource {
  entries(): Iterable<[IpcacheKey, RemoteEndpointInfo]>
}

/** `cilium bpf ipcache list` (cilium-dbg/cmd/bpf_ipcache_list.go). */
export function ipcacheList(ipcache: IpcacheSource): string {
  const data = new Map<string, string[]>()
  for (const [k, v] of ipcache.entries())
    data.set(`${u32ToIp(k.address)}/${k.prefix}`, [remoteEndpointInfoString(v)])
  return tablePrinter('IP PREFIX/ADDRESS', 'IDENTITY', data)
}

export function ipcacheListJson(
  ipcache: IpcacheSource,
): Array<{ prefix: string } & RemoteEndpointInfo & { tunnel: string }> {
  return [...ipcache.entries()].map(([k, v]) => ({
    prefix: `${u32ToIp(k.address)}/${k.prefix}`,
    ...v,
    tunnel: u32ToIp(v.tunnelEndpoint),
  }))
}
