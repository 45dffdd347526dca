import { u32ToIp } from '@dataplane-sim/cluster'
import {
  LB_LOOKUP_SCOPE_INT,
  SVC_FLAG_AFFINITY,
  SVC_FLAG_EXT_LOCAL_SCOPE,
  SVC_FLAG_EXTERNAL_IP,
  SVC_FLAG_HOSTPORT,
  SVC_FLAG_LOADBALANCER,
  SVC_FLAG_NODEPORT,
  SVC_FLAG_ROUTABLE,
  SVC_FLAG_SOURCE_RANGE,
  SVC_FLAG2_INT_LOCAL_SCOPE,
  SVC_FLAG2_L7LOADBALANCER,
  SVC_FLAG2_LOCALREDIRECT,
  SVC_FLAG2_LOOPBACK,
  SVC_FLAG2_NAT_46X64,
  SVC_FLAG2_TWO_SCOPES,
} from '../constants'
import type { Lb4Backend, Lb4Key, Lb4Service } from '../structs'
import { tablePrinter } from './_table'
import { protoName } from './policyGet'

/** pkg/loadbalancer ServiceFlags.String(): the service type, then its qualifiers. */
export function serviceFlagsString(flags: number, flags2: number): string {
  let type = 'ClusterIP'
  if (flags2 & SVC_FLAG2_LOCALREDIRECT) type = 'LocalRedirect'
  else if (flags & SVC_FLAG_EXTERNAL_IP) type = 'ExternalIPs'
  else if (flags & SVC_FLAG_HOSTPORT) type = 'HostPort'
  else if (flags & SVC_FLAG_LOADBALANCER) type = 'LoadBalancer'
  else if (flags & SVC_FLAG_NODEPORT) type = 'NodePort'
  const out = [type]
  if (flags & SVC_FLAG_EXT_LOCAL_SCOPE) out.push('Local')
  if (flags2 & SVC_FLAG2_INT_LOCAL_SCOPE) out.push('InternalLocal')
  if (flags2 & SVC_FLAG2_TWO_SCOPES) out.push('two-scopes')
  if (flags & SVC_FLAG_AFFINITY) out.push('sessionAffinity')
  if (flags & SVC_FLAG_SOURCE_RANGE) out.push('check source-range')
  if (flags2 & SVC_FLAG2_NAT_46X64) out.push('46x64')
  if (flags2 & SVC_FLAG2_L7LOADBALANCER) out.push('l7-load-balancer')
  if (flags2 & SVC_FLAG2_LOOPBACK) out.push('loopback')
  if (!(flags & SVC_FLAG_ROUTABLE)) out.push('non-routable')
  return out.join(', ')
}

/**
 * lbmap Service4Key.String(): `addr:port`, `/i` for the internal scope. Cilium 1.16 writes protocol 0 into
 * the key; a key that names one (the model keeps TCP and UDP frontends of a port apart) prints it as later
 * releases do, `addr:port/UDP`.
 */
export function serviceKeyString(
  k: Pick<Lb4Key, 'address' | 'dport' | 'scope'> & { proto?: number },
): string {
  const proto = k.proto ? `/${protoName(k.proto)}` : ''
  return `${u32ToIp(k.address)}:${k.dport}${proto}${k.scope === LB_LOOKUP_SCOPE_INT ? '/i' : ''}`
}

/** One frontend with its master entry and slots, for the JSON dump. */
export interface LbListEntry {
  service: string
  revNat: number
  flags: string
  count: number
  backends: Array<
    | { slot: number; backendId: number; address: string; port: number; state: number }
    | { slot: number; backendId: number; missing: true }
  >
}

/** What the dump reads: `Lb4ServicesMap`, or a node's services map seen through the same structs. */
export interface Lb4ServicesSource {
  entries(): Iterable<[Lb4Key, Lb4Service]>
}

/** What the dump reads of backends: the backends map (`BpfHashMap<number, Lb4Backend>`) or a view of it. */
export interface Lb4BackendsSource {
  peek(id: number): Lb4Backend | undefined
}

function group(services: Lb4ServicesSource): Map<string, Array<[Lb4Key, Lb4Service]>> {
  const by = new Map<string, Array<[Lb4Key, Lb4Service]>>()
  for (const [k, v] of services.entries()) {
    const name = serviceKeyString(k)
    let list = by.get(name)
    if (!list) by.set(name, (list = []))
    list.push([k, v])
  }
  for (const list of by.values()) list.sort((a, b) => a[0].backendSlot - b[0].backendSlot)
  return by
}

/**
 * `cilium bpf lb list` (cilium-dbg/cmd/bpf_lb_list.go dumpSVC): per frontend the master entry as
 * `0.0.0.0:0 (revnat) (0) [flags]`, then each slot as `backend:port (revnat) (slot)`.
 */
export function lbList(services: Lb4ServicesSource, backends: Lb4BackendsSource): string {
  const data = new Map<string, string[]>()
  for (const [name, entries] of group(services)) {
    data.set(
      name,
      entries.map(([k, v]) => {
        if (k.backendSlot === 0)
          return `0.0.0.0:0 (${v.revNatIndex}) (0) [${serviceFlagsString(v.flags, v.flags2)}]`
        const be = backends.peek(v.backendId)
        if (!be) return `backend ${v.backendId} not found`
        return `${u32ToIp(be.address)}:${be.port} (${v.revNatIndex}) (${k.backendSlot})`
      }),
    )
  }
  return tablePrinter('SERVICE ADDRESS', 'BACKEND ADDRESS (REVNAT_ID) (SLOT)', data)
}

/** The same content as structured JSON, frontends sorted by name. */
export function lbListJson(services: Lb4ServicesSource, backends: Lb4BackendsSource): LbListEntry[] {
  const out: LbListEntry[] = []
  for (const [name, entries] of [...group(services)].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const master = entries.find(([k]) => k.backendSlot === 0)?.[1]
    out.push({
      service: name,
      revNat: master?.revNatIndex ?? 0,
      flags: master ? serviceFlagsString(master.flags, master.flags2) : '',
      count: master?.count ?? 0,
      backends: entries
        .filter(([k]) => k.backendSlot > 0)
        .map(([k, v]) => {
          const be = backends.peek(v.backendId)
          return be
            ? {
                slot: k.backendSlot,
                backendId: v.backendId,
                address: u32ToIp(be.address),
                port: be.port,
                state: be.flags,
              }
            : { slot: k.backendSlot, backendId: v.backendId, missing: true as const }
        }),
    })
  }
  return out
}
