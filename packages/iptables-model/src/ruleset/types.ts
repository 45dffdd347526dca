/**
 * An iptables ruleset as `iptables-save` prints it and `iptables-restore` reads it: tables of chains of
 * rules. Rules keep their parsed form (numbers where the kernel compares numbers) and their source line, so
 * the engine can compile them and a trace or a lint finding can point back at the input.
 *
 * Mirrors the data of iptables' `struct ipt_entry` (ip header fields) followed by `xt_entry_match`es and one
 * `xt_entry_target` (linux `include/uapi/linux/netfilter_ipv4/ip_tables.h`).
 */

export type TableName = 'raw' | 'mangle' | 'nat' | 'filter'

export const TABLE_NAMES: readonly TableName[] = ['raw', 'mangle', 'nat', 'filter']

/** Built-in chains of each table, in the order iptables-save lists them (kernel hook order). */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly string[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
}

/** `[packets:bytes]` as `iptables-save -c` prints them. */
export interface Counters {
  packets: number
  bytes: number
}

export interface Ruleset {
  /** tables in input order */
  tables: Table[]
}

export interface Table {
  name: TableName
  /** chains in declaration order (built-in and user chains) */
  chains: Chain[]
  /** line of `*table` (0 when built in code) */
  line: number
}

export interface Chain {
  name: string
  /** ACCEPT/DROP for a built-in chain, null for a user chain (`-` in iptables-save) */
  policy: 'ACCEPT' | 'DROP' | null
  counters: Counters
  rules: Rule[]
  line: number
}

/** `-s`/`-d`: uint32 address and mask. */
export interface AddrMatch {
  addr: number
  mask: number
  invert: boolean
}

/** `-i`/`-o`: `eth+` is a prefix match (`wildcard`), the name is kept without the `+`. */
export interface IfaceMatch {
  name: string
  wildcard: boolean
  invert: boolean
}

export interface Rule {
  src?: AddrMatch
  dst?: AddrMatch
  inIface?: IfaceMatch
  outIface?: IfaceMatch
  /** `-p`: protocol name as iptables-save prints it (tcp, udp, sctp, icmp, or a number) */
  protocol?: { name: string; invert: boolean }
  /** `-m` modules in the order given */
  matches: Match[]
  target: Target
  /** `[p:b]` before `-A` when saved with -c */
  counters?: Counters
  line: number
}

/** Inclusive port range; a single port has lo === hi. */
export interface PortRange {
  lo: number
  hi: number
}

export interface AddrRange {
  lo: number
  hi: number
  invert: boolean
}

/** A bit set of conntrack states (CT_STATE_* below) with negation. */
export interface StateSet {
  mask: number
  invert: boolean
}

export const CT_NEW = 1
export const CT_ESTABLISHED = 2
export const CT_RELATED = 4
export const CT_INVALID = 8
export const CT_UNTRACKED = 16
export const CT_SNAT = 32
export const CT_DNAT = 64

/** `-m tcp|udp|sctp` */
export interface PortMatch {
  module: 'tcp' | 'udp' | 'sctp'
  sport?: PortRange & { invert: boolean }
  dport?: PortRange & { invert: boolean }
  /** tcp only: `--tcp-flags MASK COMP` (`--syn` is FIN,SYN,RST,ACK SYN) */
  tcpFlags?: { mask: number; comp: number; invert: boolean }
}

/** `-m mark|connmark --mark VALUE[/MASK]` */
export interface MarkMatch {
  module: 'mark' | 'connmark'
  value: number
  mask: number
  invert: boolean
}

export type Match =
  | { module: 'comment'; comment: string }
  | PortMatch
  | { module: 'icmp'; type: number; codeLo: number; codeHi: number; invert: boolean }
  | { module: 'multiport'; dir: 'sports' | 'dports' | 'ports'; ports: PortRange[]; invert: boolean }
  | MarkMatch
  | {
      module: 'conntrack'
      ctstate?: StateSet
      ctstatus?: StateSet
      ctproto?: { proto: number; invert: boolean }
      ctorigsrc?: AddrMatch
      ctorigdst?: AddrMatch
      ctreplsrc?: AddrMatch
      ctrepldst?: AddrMatch
      ctorigsrcport?: PortRange & { invert: boolean }
      ctorigdstport?: PortRange & { invert: boolean }
      ctreplsrcport?: PortRange & { invert: boolean }
      ctrepldstport?: PortRange & { invert: boolean }
      ctdir?: 'ORIGINAL' | 'REPLY'
    }
  | { module: 'state'; state: StateSet }
  | {
      module: 'addrtype'
      srcType?: StateSet
      dstType?: StateSet
      limitIfaceIn: boolean
      limitIfaceOut: boolean
    }
  | { module: 'statistic'; mode: 'random'; probability: number; invert: boolean }
  | { module: 'statistic'; mode: 'nth'; every: number; packet: number; invert: boolean }
  | {
      module: 'recent'
      command: 'set' | 'rcheck' | 'update' | 'remove'
      seconds?: number
      reap: boolean
      hitcount?: number
      rttl: boolean
      name: string
      mask: number
      side: 'rsource' | 'rdest'
      invert: boolean
    }
  | { module: 'set'; name: string; flags: Array<'src' | 'dst'>; invert: boolean }
  | { module: 'iprange'; src?: AddrRange; dst?: AddrRange }
  | { module: 'limit'; rate: number; unit: 'sec' | 'min' | 'hour' | 'day'; burst: number }
  | { module: 'nfacct'; name: string }
  | {
      module: 'physdev'
      physdevIn?: IfaceMatch
      physdevOut?: IfaceMatch
      isIn?: boolean
      isOut?: boolean
      isBridged?: boolean
      /** negations of --physdev-is-in/out/bridged */
      isInInvert?: boolean
      isOutInvert?: boolean
      isBridgedInvert?: boolean
    }

export type MatchModule = Match['module']

/** A NAT range: `--to-destination 10.0.0.1-10.0.0.3:80-90`; 0 ports mean "keep". */
export interface NatRange {
  addrLo: number
  addrHi: number
  portLo: number
  portHi: number
}

export type Target =
  | { kind: 'none' }
  | { kind: 'ACCEPT' | 'DROP' | 'RETURN' | 'NOTRACK' | 'TRACE' }
  | { kind: 'jump' | 'goto'; chain: string }
  | { kind: 'REJECT'; with: string }
  | { kind: 'DNAT' | 'SNAT'; to: NatRange | null; random: boolean; persistent: boolean; fully: boolean }
  | { kind: 'MASQUERADE'; toPorts?: PortRange; random: boolean; fully: boolean }
  | { kind: 'REDIRECT'; toPorts?: PortRange; random: boolean }
  | { kind: 'MARK'; value: number; mask: number }
  | { kind: 'CONNMARK'; mode: 'set'; value: number; mask: number }
  | { kind: 'CONNMARK'; mode: 'save' | 'restore'; nfmask: number; ctmask: number }
  | { kind: 'CT'; notrack: boolean; zone?: number }
  | { kind: 'LOG'; prefix?: string; level?: number; options: string[] }
  | { kind: 'NFLOG'; group?: number; prefix?: string; range?: number; threshold?: number }

export type TargetKind = Target['kind']

/** Tables a target may be used in, as the kernel's xt_target.table restricts them. */
export const TARGET_TABLES: Partial<Record<TargetKind, readonly TableName[]>> = {
  DNAT: ['nat'],
  SNAT: ['nat'],
  MASQUERADE: ['nat'],
  REDIRECT: ['nat'],
  NOTRACK: ['raw'],
  CT: ['raw'],
  TRACE: ['raw'],
}

/** Finds a chain by name. */
export function findChain(table: Table, name: string): Chain | undefined {
  for (const c of table.chains) if (c.name === name) return c
  return undefined
}

export function findTable(ruleset: Ruleset, name: TableName): Table | undefined {
  for (const t of ruleset.tables) if (t.name === name) return t
  return undefined
}

/** A table with only its built-in chains, ACCEPT policies and zero counters (what the kernel starts with). */
export function emptyTable(name: TableName): Table {
  return {
    name,
    line: 0,
    chains: BUILTIN_CHAINS[name].map((c) => ({
      name: c,
      policy: 'ACCEPT' as const,
      counters: { packets: 0, bytes: 0 },
      rules: [],
      line: 0,
    })),
  }
}
