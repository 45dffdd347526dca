import { u32ToIp } from '@dataplane-sim/cluster'
import type { CiliumAgent } from '../agent/agent'
import type { ProgrammedBackend } from '../agent/sink'
import { BE_STATE_ACTIVE, BE_STATE_TERMINATING } from '../cilium/constants'
import { tablePrinter, tabwrite } from '../cilium/dump/_table'
import { ipcacheList } from '../cilium/dump/ipcacheList'
import { lbList } from '../cilium/dump/lbList'
import { policyGet } from '../cilium/dump/policyGet'
import { decodePolicyKey } from '../cilium/policyMap'
import type {
  IpcacheKey,
  Lb4Backend,
  Lb4Key,
  Lb4Service,
  PolicyEntry,
  PolicyKey,
  RemoteEndpointInfo,
} from '../cilium/structs'
import type { CtValue, NodeMaps, PolicyValue, ServiceMaster, ServiceSlot } from '../datapath/maps'
import { protoName } from '../datapath/trace'
import type { BpfLpmTrie } from '../maps/lpmTrie'

/**
 * Map contents in the shapes operators know: `cilium bpf lb list`, `cilium bpf ipcache list`,
 * `cilium bpf policy get --all`, `cilium bpf ct list global`, `cilium bpf nat list`,
 * `cilium bpf endpoint list`. `mapName` picks one map (a map name or a prefix such as `cilium_policy`).
 * The LB, ipcache and policy dumps are the cilium/dump formatters (one implementation per command), fed
 * with the node's maps seen through Cilium's structs.
 */
export function dumpMaps(maps: NodeMaps, agent: CiliumAgent, mapName?: string): string {
  const parts: Array<[string, () => string]> = [
    ['cilium_lb4_services_v2', () => lbList({ entries: () => lbEntries(maps) }, lbBackends(maps))],
    [
      'cilium_lb4_reverse_nat',
      () =>
        tablePrinter(
          'ID',
          'BACKEND ADDRESS (REVNAT_ID) (SLOT)',
          new Map(
            [...maps.revNat.entries()].map(([id, v]) => [String(id), [`${u32ToIp(v.addr)}:${v.port}`]]),
          ),
        ),
    ],
    [
      'cilium_lb4_source_range',
      () =>
        tabwrite([
          ['SOURCE RANGE (REVNAT_ID)'],
          ...[...maps.sourceRange.entries()].map((e) => [
            `${u32ToIp(e.data[1] ?? 0)}/${e.prefixLen - 32} (${e.data[0]})`,
          ]),
        ]),
    ],
    ['cilium_ipcache', () => ipcacheList({ entries: () => ipcacheEntries(maps) })],
    [
      'cilium_lxc',
      () =>
        tabwrite([
          ['IP ADDRESS', 'LOCAL ENDPOINT INFO'],
          ...[...maps.lxc.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([ip, v]) => [
              `${u32ToIp(ip)}:0`,
              `id=${v.endpointId} sec_id=${v.identity} flags=0x0000 ifindex=${v.ifindex} ${v.pod}`,
            ]),
        ]),
    ],
    ['cilium_policy', () => policyGetAll(maps, agent)],
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

/**
 * The node's services map as lb4_key / lb4_service records: the master entry (slot 0: affinity timeout in
 * backend_id, the slot count, flags and flags2 from the low and high byte of the agent's ServiceFlags), then
 * every slot, terminating ones included (they stay in the map, past `count`).
 */
function* lbEntries(maps: NodeMaps): Iterable<[Lb4Key, Lb4Service]> {
  for (const [k, v] of maps.services.entries()) {
    if (typeof k !== 'number' || k < 0) continue // slots have negative keys
    const m = v as ServiceMaster
    const f = m.frontend
    const flags = m.flags & 0xff
    const flags2 = (m.flags >>> 8) & 0xff
    const key = (backendSlot: number): Lb4Key => ({
      address: f.addr,
      dport: f.port,
      proto: f.proto,
      scope: f.scope,
      backendSlot,
    })
    yield [key(0), { backendId: m.affinityTimeout, count: m.count, revNatIndex: m.revNat, flags, flags2 }]
    for (let i = 0; i < m.slotKeys.length; i++) {
      const s = maps.services.peek(m.slotKeys[i]) as ServiceSlot
      yield [key(i + 1), { backendId: s.backendId, count: 0, revNatIndex: m.revNat, flags, flags2 }]
    }
  }
}

function lbBackends(maps: NodeMaps): { peek(id: number): Lb4Backend | undefined } {
  return {
    peek: (id) => {
      const b: ProgrammedBackend | undefined = maps.backends.peek(id)
      if (!b) return undefined
      const flags = b.state === 'terminating' ? BE_STATE_TERMINATING : BE_STATE_ACTIVE
      return { address: b.addr, port: b.port, proto: b.proto, flags, clusterId: 0 }
    },
  }
}

function* ipcacheEntries(maps: NodeMaps): Iterable<[IpcacheKey, RemoteEndpointInfo]> {
  for (const e of maps.ipcache.entries())
    yield [
      { address: e.data[0] ?? 0, prefix: e.prefixLen, clusterId: 0 },
      { secIdentity: e.value.identity, tunnelEndpoint: e.value.tunnelEndpoint, nodeId: 0, key: 0, flags: 0 },
    ]
}

function* policyEntries(trie: BpfLpmTrie<PolicyValue>): Iterable<[PolicyKey, PolicyEntry]> {
  for (const e of trie.entries()) {
    const key = decodePolicyKey(e.prefixLen, e.data)
    yield [
      key,
      {
        proxyPort: 0,
        deny: e.value.deny,
        wildcardProtocol: key.protocol === 0,
        wildcardDport: key.portPrefixLen === 0,
        lpmPrefixLength: e.value.prefixLen,
        authType: 0,
        packets: 0,
        bytes: 0,
      },
    ]
  }
}

/** `cilium bpf policy get --all`: each endpoint's map path (and pod), then its entries. */
function policyGetAll(maps: NodeMaps, agent: CiliumAgent): string {
  const podOf = new Map<number, string>()
  for (const ep of agent.endpoints.values()) podOf.set(ep.id, `${ep.pod.namespace}/${ep.pod.name}`)
  const labelsOf = (identity: number) =>
    identity === 0
      ? 'reserved:unknown'
      : (agent.identities.get(identity)?.labels.join(' ') ?? `identity=${identity}`)
  const out: string[] = []
  for (const [id, trie] of [...maps.policy].sort((a, b) => a[0] - b[0])) {
    const pod = podOf.get(id)
    out.push(
      `/sys/fs/bpf/tc/globals/cilium_policy_${String(id).padStart(5, '0')}${pod ? ` (${pod})` : ''}:\n`,
    )
    out.push(policyGet({ entries: () => policyEntries(trie) }, { labelsOf }))
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
