import { InputError } from '@dataplane-sim/cluster'
import { createTokens, tokenize } from '../codec/tokenize'
import { formatIp, PROTOCOL_NUMBERS, parseIp, parsePort, parseUint } from '../codec/values'
import { IPSET_TYPES, type Ipset, type IpsetEntry, type Ipsets, type IpsetType } from './types'

const PROTO_NAMES: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 132: 'sctp', 1: 'icmp' }

/**
 * Parses `ipset save` output (ipset/lib/session.c save format): `create NAME TYPE opts...` and
 * `add NAME ENTRY [nomatch] [timeout N] ...`. Entries: `10.0.0.1`, `10.0.0.0/24`, `10.0.0.1,tcp:80`,
 * `10.0.0.0/24,udp:53`, or a set name for list:set. All or nothing: an InputError with line and column.
 */
export function parseIpsetSave(text: string, source = '<ipsets>'): Ipsets {
  const sets: Ipsets = new Map()
  const tok = createTokens()
  const lines = text.split('\n')
  for (let n = 1; n <= lines.length; n++) {
    const t = tokenize(lines[n - 1], tok)
    if (t.count === 0 || t.words[0].startsWith('#')) continue
    const fail: (msg: string, k: number) => never = (msg, k) => {
      throw new InputError(msg, source, n, t.columns[Math.min(k, t.count - 1)])
    }
    const cmd = t.words[0]
    if (cmd === 'create' || cmd === '-N' || cmd === '-exist') {
      if (t.count < 3) fail('create needs NAME TYPE', 0)
      const name = t.words[1]
      if (sets.has(name)) fail(`set ${name} is created twice`, 1)
      const type = t.words[2]
      if (!(IPSET_TYPES as readonly string[]).includes(type))
        fail(`unsupported set type ${JSON.stringify(type)}: expected one of ${IPSET_TYPES.join(', ')}`, 2)
      const opts = t.words.slice(3, t.count)
      const family = opts.indexOf('family')
      if (family >= 0 && opts[family + 1] !== 'inet')
        fail('only family inet (IPv4) sets are modeled', 3 + family + 1)
      sets.set(name, { name, type: type as IpsetType, options: opts, entries: [], line: n })
    } else if (cmd === 'add' || cmd === '-A') {
      if (t.count < 3) fail('add needs NAME ENTRY', 0)
      const set = sets.get(t.words[1])
      if (!set) fail(`add to set ${t.words[1]}, which is not created before it`, 1)
      const entry = parseEntry(set, t.words[2], n, (m) => fail(m, 2))
      for (let k = 3; k < t.count; k++) {
        const w = t.words[k]
        if (w === 'nomatch') entry.nomatch = true
        else if (['timeout', 'packets', 'bytes', 'comment', 'skbmark', 'skbprio', 'skbqueue'].includes(w)) k++
        else fail(`unexpected ${JSON.stringify(w)} after the entry`, k)
      }
      set.entries.push(entry)
    } else fail(`unexpected ${JSON.stringify(cmd)}: expected create or add`, 0)
  }
  for (const set of sets.values())
    if (set.type === 'list:set')
      for (const e of set.entries)
        if (!sets.has(e.member!))
          throw new InputError(
            `list:set ${set.name}: member set ${e.member} does not exist`,
            source,
            e.line,
            1,
          )
  return sets
}

function parseEntry(set: Ipset, w: string, line: number, fail: (m: string) => never): IpsetEntry {
  if (set.type === 'list:set') return { addr: 0, prefix: 0, proto: 0, port: 0, member: w, line }
  const comma = w.indexOf(',')
  const ipPart = comma < 0 ? w : w.slice(0, comma)
  const slash = ipPart.indexOf('/')
  const addr = parseIp(ipPart, 0, slash < 0 ? ipPart.length : slash)
  let prefix = 32
  if (slash >= 0) {
    if (set.type === 'hash:ip' || set.type === 'hash:ip,port')
      fail(`${set.type} entries are single addresses, got ${JSON.stringify(w)}`)
    prefix = parseUint(ipPart, slash + 1)
    if (prefix < 1 || prefix > 32) fail(`expected a prefix 1-32, got ${JSON.stringify(w)}`)
  }
  if (addr < 0) fail(`expected an IPv4 address, got ${JSON.stringify(ipPart)}`)
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  const entry: IpsetEntry = { addr: (addr & mask) >>> 0, prefix, proto: 0, port: 0, line }
  const ported = set.type.endsWith(',port')
  if (ported !== comma >= 0)
    fail(
      `${set.type} entries look like ${ported ? 'IP,proto:PORT' : 'IP[/prefix]'}, got ${JSON.stringify(w)}`,
    )
  if (ported) {
    const pp = w.slice(comma + 1)
    const colon = pp.indexOf(':')
    const protoName = colon < 0 ? 'tcp' : pp.slice(0, colon)
    const port = parsePort(pp, colon + 1)
    const proto = PROTOCOL_NUMBERS[protoName]
    if (!proto || port < 0) fail(`expected PROTO:PORT, got ${JSON.stringify(pp)}`)
    entry.proto = proto
    entry.port = port
  }
  return entry
}

/** `ipset save` text for the sets (parseIpsetSave reads it back to the same sets). */
export function serializeIpsets(sets: Ipsets): string {
  let out = ''
  for (const s of sets.values()) {
    out += `create ${s.name} ${s.type}${s.options.length ? ` ${s.options.join(' ')}` : ''}\n`
    for (const e of s.entries) {
      let w = e.member ?? formatIp(e.addr)
      if (!e.member && (s.type === 'hash:net' || s.type === 'hash:net,port') && e.prefix !== 32)
        w += `/${e.prefix}`
      if (e.proto) w += `,${PROTO_NAMES[e.proto] ?? e.proto}:${e.port}`
      out += `add ${s.name} ${w}${e.nomatch ? ' nomatch' : ''}\n`
    }
  }
  return out
}
