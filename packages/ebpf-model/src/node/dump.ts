import { u32ToIp } from '@dataplane-sim/cluster'
import type { CiliumAgent } from '../agent/agent'
import type { IpcacheValue } from '../agent/sink'
import type { CtValue, NodeMaps, ServiceMaster, ServiceSlot } from '../datapath/maps'
import { protoName } from '../datapath/trace'

/**
 * Map contents in the shapes operators know: `cilium bpf lb list`, `cilium bpf ipcache list`,
 * `cilium bpf policy get --all`, `cilium bpf ct list global`, `cilium bpf nat list`,
 * `cilium bpf endpoint list`. `mapName` picks one map (a map name or a prefix such as `cilium_policy`).
 */
export function dumpMaps(maps: NodeMaps, agent: CiliumAgent, mapName?: string): string {
  const parts: Array<[string, () => string]> = [
    ['cilium_lb4_services_v2', () => lbList(maps)],
    ['cilium_lb4_reverse_nat', () => revNatList(maps)],
    [
      'cilium_lb4_source_range',
      () =>
        table(
          ['REV NAT ID', 'CIDR'],
          [...maps.sourceRange.entries()].map((e) => [
            String(e.data[0]),
            `${u32ToIp(e.data[1] ?? 0)}/${e.prefixLen - 32}`,
          ]),
        ),
    ],
    ['cilium_ipcache', () => ipcacheList(maps)],
    [
      'cilium_lxc',
      () =>
        table(
          ['IP ADDRESS', 'LOCAL ENDPOINT INFO'],
          [...maps.lxc.entries()].map(([ip, v]) => [
            `${u32ToIp(ip)}:0`,
            `id=${v.endpointId} sec_id=${v.identity} flags=0x0000 ifindex=${v.ifindex} ${v.pod}`,
          ]),
        ),
    ],
    ['cilium_policy', () => policyGet(maps, agent)],
    ['cilium_ct4_global', () => ctList(maps.ct.entries())],
    ['cilium_ct_any4_global', () => ctList(maps.ctAny.entries())],
    ['cilium_snat_v4_external', () => natList(maps)],
  ]
  const chosen = mapName
    ? parts.filter(([n]) => n === mapName || n.startsWith(mapName) || mapName.startsWith(n))
    : parts
  if (mapName && chosen.length === 0)
    throw new RangeError(`no map ${JSON.stringify(mapName)}; maps: ${parts.map(([n]) => n).join(', ')}`)
  return chosen.map(([n, f]) => `# ${n}\n${f()}`).join('\n')
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd()
  return `${[line(header), ...rows.map(line)].join('\n')}\n`
}

const FLAG_NAMES: Array<[number, string]> = [
  [1 << 0, 'ExternalIPs'],
  [1 << 1, 'NodePort'],
  [1 << 2, 'Local'],
  [1 << 4, 'sessionAffinity'],
  [1 << 5, 'LoadBalancer'],
  [1 << 7, 'check source-range'],
  [1 << 9, 'ClusterIP'],
  [1 << 13, 'InternalLocal'],
  [1 << 14, 'two-scopes'],
]

function lbList(maps: NodeMaps): string {
  const rows: string[][] = []
  const masters = [...maps.services.entries()].filter(([k]) => typeof k === 'number') as Array<
    [number, ServiceMaster]
  >
  masters.sort((a, b) => a[0] - b[0])
  for (const [, m] of masters) {
    const f = m.frontend
    const fe = `${u32ToIp(f.addr)}:${f.port}/${protoName(f.proto)}${f.scope ? '/i' : ''}`
    const flags = FLAG_NAMES.filter(([b]) => m.flags & b).map(([, n]) => n)
    if (!(m.flags & (1 << 6))) flags.push('non-routable')
    rows.push([fe, `0.0.0.0:0 (${m.revNat}) (0) [${flags.join(', ')}]`])
    m.slotKeys.forEach((k, i) => {
      const s = maps.services.peek(k) as ServiceSlot
      const b = maps.backends.peek(s.backendId)
      const addr = b
        ? `${u32ToIp(b.addr)}:${b.port}/${protoName(b.proto)}`
        : `backend ${s.backendId} (missing)`
      rows.push([
        '',
        `${addr} (${m.revNat}) (${i + 1})${i >= m.count ? ' [not selectable]' : ''}${b?.state === 'terminating' ? ' [terminating]' : ''}`,
      ])
    })
  }
  return table(['SERVICE ADDRESS', 'BACKEND ADDRESS (REVNAT_ID) (SLOT)'], rows)
}

function revNatList(maps: NodeMaps): string {
  const rows = [...maps.revNat.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([id, v]) => [String(id), `${u32ToIp(v.addr)}:${v.port}`])
  return table(['ID', 'FRONTEND ADDRESS'], rows)
}

function ipcacheList(maps: NodeMaps): string {
  const rows = [...maps.ipcache.entries()]
    .sort((a, b) => (a.data[0] ?? 0) - (b.data[0] ?? 0) || a.prefixLen - b.prefixLen)
    .map((e) => {
      const v = e.value as IpcacheValue
      return [
        `${u32ToIp(e.data[0] ?? 0)}/${e.prefixLen}`,
        `identity=${v.identity} encryptkey=0 tunnelendpoint=${u32ToIp(v.tunnelEndpoint)} flags=<none>`,
      ]
    })
  return table(['IP PREFIX/ADDRESS', 'IDENTITY'], rows)
}

function policyGet(maps: NodeMaps, agent: CiliumAgent): string {
  const out: string[] = []
  for (const [id, trie] of [...maps.policy].sort((a, b) => a[0] - b[0])) {
    const rows: string[][] = []
    for (const e of trie.entries()) {
      const identity = e.data[0] ?? 0
      const w = e.data[1] ?? 0
      const egress = w >>> 24
      const proto = (w >>> 16) & 0xff
      const port = w & 0xffff
      const plen = e.value.prefixLen
      const labels =
        identity === 0 ? 'ANY' : (agent.identities.get(identity)?.labels.join(' ') ?? `identity ${identity}`)
      const l4 =
        plen === 0
          ? 'ANY'
          : plen <= 8
            ? `ANY/${protoName(proto)}`
            : `${port}${plen < 24 ? `-${port + 2 ** (24 - plen) - 1}` : ''}/${protoName(proto)}`
      rows.push([
        e.value.deny ? 'Deny' : 'Allow',
        egress ? 'Egress' : 'Ingress',
        labels,
        l4,
        'NONE',
        'disabled',
        '0',
        '0',
        String(40 + plen),
      ])
    }
    const ep = [...agent.endpoints.values()].find((x) => x.id === id)
    out.push(
      `/sys/fs/bpf/tc/globals/cilium_policy_${String(id).padStart(5, '0')}${ep ? ` (${ep.pod.namespace}/${ep.pod.name})` : ''}:\n`,
    )
    out.push(
      table(
        [
          'POLICY',
          'DIRECTION',
          'LABELS (source:key[=value])',
          'PORT/PROTO',
          'PROXY PORT',
          'AUTH TYPE',
          'BYTES',
          'PACKETS',
          'PREFIX',
        ],
        rows,
      ),
    )
  }
  return out.join('')
}

function ctList(entries: Iterable<[string, CtValue]>): string {
  const lines: string[] = []
  for (const [, v] of entries) {
    const t = v.tuple
    lines.push(
      `${protoName(t.proto)} OUT ${u32ToIp(t.saddr)}:${t.sport} -> ${u32ToIp(t.daddr)}:${t.dport} ${v.service ? 'service ' : ''}expires=${v.expires} Packets=${v.packets} Flags=${v.seenNonSyn ? 'seen_non_syn ' : ''}${v.closing ? 'closing ' : ''}RevNAT=${v.revNat} SourceSecurityID=${v.srcIdentity} BackendID=${v.backendId}`,
    )
  }
  return `${lines.join('\n')}${lines.length ? '\n' : ''}`
}

function natList(maps: NodeMaps): string {
  const lines: string[] = []
  for (const [k, v] of maps.snat.entries()) {
    const [proto, a, ap, b, bp, dir] = k.split('|')
    const text = `${protoName(Number(proto))} ${dir === 'r' ? 'IN' : 'OUT'} ${u32ToIp(Number(a))}:${ap} -> ${u32ToIp(Number(b))}:${bp}`
    lines.push(
      `${text} ${dir === 'r' ? 'XLATE_DST' : 'XLATE_SRC'} ${u32ToIp(v.toAddr)}:${v.toPort} Created=${v.created}sec ago NeedsCT=1`,
    )
  }
  return `${lines.join('\n')}${lines.length ? '\n' : ''}`
}
