/** The ipset types kube-proxy and Calico use (`ipset save` names). */
export type IpsetType = 'hash:ip' | 'hash:net' | 'hash:ip,port' | 'hash:net,port' | 'list:set'

export const IPSET_TYPES: readonly IpsetType[] = [
  'hash:ip',
  'hash:net',
  'hash:ip,port',
  'hash:net,port',
  'list:set',
]

/** One member: address/prefix for hash types (prefix 32 for hash:ip), proto+port for `,port` types. */
export interface IpsetEntry {
  addr: number
  prefix: number
  /** IP protocol number (6 tcp, 17 udp, 132 sctp), 0 when the type has no port */
  proto: number
  port: number
  /** list:set member name */
  member?: string
  /** hash:net `nomatch`: an exception inside a larger net */
  nomatch?: boolean
  line: number
}

export interface Ipset {
  name: string
  type: IpsetType
  /** `create` options after the type, kept as written (family inet hashsize 1024 maxelem 65536) */
  options: string[]
  entries: IpsetEntry[]
  line: number
}

/** Sets by name, in `ipset save` order. */
export type Ipsets = Map<string, Ipset>
