import { u32ToIp } from '@dataplane-sim/cluster'
import type { CiliumAgent } from '../agent/agent'
import type { ProgrammedBackend } from '../agent/sink'
import {
  BE_STATE_ACTIVE,
  BE_STATE_TERMINATING,
  TUPLE_F_IN,
  TUPLE_F_OUT,
  TUPLE_F_SERVICE,
} from '../cilium/constants'
import { tablePrinter, tabwrite } from '../cilium/dump/_table'
import { ctList, natList } from '../cilium/dump/ctList'
import { ipcacheList } from '../cilium/dump/ipcacheList'
import { lbList } from '../cilium/dump/lbList'
import { policyGet } from '../cilium/dump/policyGet'
import { decodePolicyKey } from '../cilium/policyMap'
import type {
  CtEntry,
  IpcacheKey,
  Ipv4CtTuple,
  Ipv4NatEntry,
  Lb4Backend,
  Lb4Key,
  Lb4Service,
  PolicyEntry,
  PolicyKey,
  RemoteEndpointInfo,
} from '../cilium/structs'
import type { CtTable } from '../datapath/ctTable'
import type { NodeMaps, PolicyValue, ServiceMaster, ServiceSlot } from '../datapath/maps'
import type { BpfLpmTrie } from '../maps/lpmTrie'

/**
 * Map contents in the shapes operators know: `cilium bpf lb list`, `cilium bpf ipcache list`,
 * `cilium bpf policy get --all`, `cilium bpf ct list global`, `cilium bpf nat list`,
 * `cilium bpf endpoint list`. `mapName` picks one map (a map name or a prefix such as `cilium_policy`).
 * The LB, ipcache and policy dumps are the cilium/dump formatters (one implementation per command), fed
 * with the node's maps seen through Cilium's structs; so are the CT and NAT dumps (cilium/dump/ctList).
 * `now` (the node clock, seconds) adds the seconds each CT entry has left and each NAT entry's age.
 */
export function dumpMaps(maps: NodeMaps, agent: CiliumAgent, mapName?: string, now?: number): string {
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
    ['cilium_ct4_global', () => ctList([{ entries: () => ctEntries(maps.ct) }], now)],
    ['cilium_ct_any4_global', () => ctList([{ entries: () => ctEntries(maps.ctAny) }], now)],
    ['cilium_snat_v4_external', () => natList({ entries: () => natEntries(maps) }, now)],
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

/**
 * A node conntrack entry as Cilium stores it (`bpf/lib/conntrack.h`, `pkg/maps/ctmap/types.go`): the model
 * creates entries from a local endpoint's egress (CT_EGRESS, whose forward tuple carries TUPLE_F_OUT) and
 * service entries (CT_SERVICE: TUPLE_F_SERVICE alone, ct_lookup_select_tuple_type). On a service entry the
 * rx_bytes union holds the backend id; the model keeps one closing bit, written from the entry's own
 * direction (tx_closing), and no byte, report or ifindex counters.
 */
function* ctEntries(table: CtTable): Iterable<[Ipv4CtTuple, CtEntry]> {
  for (const [, v] of table.entries()) {
    const t = v.tuple
    yield [
      {
        saddr: t.saddr,
        daddr: t.daddr,
        sport: t.sport,
        dport: t.dport,
        nexthdr: t.proto,
        flags: v.service ? TUPLE_F_SERVICE : TUPLE_F_OUT,
      },
      {
        rxPackets: 0,
        rxBytes: v.backendId,
        txPackets: v.packets,
        txBytes: 0,
        lifetime: v.expires,
        rxClosing: false,
        txClosing: v.closing,
        seenNonSyn: v.seenNonSyn,
        nodePort: false,
        proxyRedirect: false,
        dsr: false,
        revNatIndex: v.revNat,
        ifindex: 0,
        txFlagsSeen: 0,
        rxFlagsSeen: 0,
        srcSecId: v.srcIdentity,
        lastTxReport: 0,
        lastRxReport: 0,
      },
    ]
  }
}

/**
 * The node's SNAT entries (keys `proto|a|ap|b|bp` for the egress mapping, `…|r` for its reverse) as
 * `bpf/lib/nat.h` snat_v4_new_mapping writes them: the egress tuple with TUPLE_F_OUT, the reverse with
 * TUPLE_F_IN, both needing CT.
 */
function* natEntries(maps: NodeMaps): Iterable<[Ipv4CtTuple, Ipv4NatEntry]> {
  for (const [k, v] of maps.snat.entries()) {
    const [proto, a, ap, b, bp, dir] = k.split('|')
    yield [
      {
        saddr: Number(a),
        sport: Number(ap),
        daddr: Number(b),
        dport: Number(bp),
        nexthdr: Number(proto),
        flags: dir === 'r' ? TUPLE_F_IN : TUPLE_F_OUT,
      },
      { created: v.created, needsCt: true, toAddress: v.toAddr, toPort: v.toPort },
    ]
  }
}
