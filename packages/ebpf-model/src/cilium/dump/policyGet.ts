import { IPPROTO_ICMP, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from '../constants'
import type { PolicyEntry, PolicyKey } from '../structs'
import { tabwrite } from './_table'

const PROTO_NAMES: Record<number, string> = {
  [IPPROTO_ICMP]: 'ICMP',
  [IPPROTO_TCP]: 'TCP',
  [IPPROTO_UDP]: 'UDP',
  [IPPROTO_SCTP]: 'SCTP',
}

export function protoName(p: number): string {
  return PROTO_NAMES[p] ?? String(p)
}

/** policymap PolicyKey.PortProtoString(): `ANY`, `ANY/TCP`, `80/TCP`, `8080-8095/TCP`. */
export function portProtoString(k: PolicyKey): string {
  if (k.protocol === 0) return 'ANY'
  const proto = protoName(k.protocol)
  if (k.portPrefixLen === 0) return `ANY/${proto}`
  if (k.portPrefixLen === 16) return `${k.dport}/${proto}`
  const last = k.dport + 2 ** (16 - k.portPrefixLen) - 1
  return `${k.dport}-${last}/${proto}`
}

export interface PolicyGetRow {
  policy: 'Allow' | 'Deny'
  direction: 'Ingress' | 'Egress'
  identity: number
  labels: string
  port: string
  proxyPort: string
  authType: string
  bytes: number
  packets: number
  prefix: number
}

const AUTH = ['disabled', 'spire', 'test-always-fail']

/** What the dump reads: a `PolicyMap`, or a node's policy map seen through the same structs. */
export interface PolicySource {
  entries(): Iterable<[PolicyKey, PolicyEntry]>
}

function rows(map: PolicySource, labelsOf: (identity: number) => string): PolicyGetRow[] {
  const entries: Array<[PolicyKey, PolicyEntry]> = [...map.entries()]
  entries.sort(
    (a, b) =>
      Number(a[0].egress) - Number(b[0].egress) ||
      a[0].identity - b[0].identity ||
      a[0].protocol - b[0].protocol ||
      a[0].dport - b[0].dport ||
      a[0].portPrefixLen - b[0].portPrefixLen,
  )
  return entries.map(([k, v]) => ({
    policy: v.deny ? 'Deny' : 'Allow',
    direction: k.egress ? 'Egress' : 'Ingress',
    identity: k.identity,
    labels: labelsOf(k.identity),
    port: portProtoString(k),
    proxyPort: v.proxyPort > 0 ? String(v.proxyPort) : 'NONE',
    authType: AUTH[v.authType] ?? String(v.authType),
    bytes: v.bytes,
    packets: v.packets,
    prefix: k.protocol === 0 ? 40 : 48 + k.portPrefixLen,
  }))
}

/** Identity 0 is the L3 wildcard, which cilium prints as reserved:unknown. */
function defaultLabels(identity: number): string {
  return identity === 0 ? 'reserved:unknown' : `identity=${identity}`
}

/**
 * `cilium bpf policy get <endpoint>` (cilium-dbg/cmd/bpf_policy_get.go): one row per policy map entry.
 * `labelsOf` maps an identity to its label string (`k8s:app=web`, `reserved:host`); `ids` prints the numeric
 * IDENTITY column instead, as `-n` does.
 */
export function policyGet(
  map: PolicySource,
  opts: { labelsOf?: (identity: number) => string; ids?: boolean } = {},
): string {
  const r = rows(map, opts.labelsOf ?? defaultLabels)
  const head = [
    'POLICY',
    'DIRECTION',
    opts.ids ? 'IDENTITY' : 'LABELS (source:key[=value])',
    'PORT/PROTO',
    'PROXY PORT',
    'AUTH TYPE',
    'BYTES',
    'PACKETS',
    'PREFIX',
  ]
  return tabwrite([
    head,
    ...r.map((x) => [
      x.policy,
      x.direction,
      opts.ids ? String(x.identity) : x.labels,
      x.port,
      x.proxyPort,
      x.authType,
      String(x.bytes),
      String(x.packets),
      String(x.prefix),
    ]),
  ])
}

export function policyGetJson(
  map: PolicySource,
  labelsOf: (identity: number) => string = defaultLabels,
): PolicyGetRow[] {
  return rows(map, labelsOf)
}
