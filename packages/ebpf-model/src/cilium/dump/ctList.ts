import { u32ToIp } from '@dataplane-sim/cluster'
import { TUPLE_F_IN, TUPLE_F_RELATED, TUPLE_F_SERVICE } from '../constants'
import type { CtEntry, Ipv4CtTuple, Ipv4NatEntry } from '../structs'
import { protoName } from './policyGet'

/**
 * What the lists read: a `TupleLruMap`, or any source of [tuple, entry] pairs (a node's conntrack and SNAT
 * maps seen through Cilium's structs), so every CT / NAT dump goes through one formatter.
 */
export interface TupleEntries<V> {
  entries(): Iterable<[Ipv4CtTuple, V]>
}

/** ctmap TupleKey4 Dump: `TCP OUT 10.0.0.1:40000 -> 10.96.0.10:53 service `. */
export function tupleString(t: Ipv4CtTuple): string {
  const dir = t.flags & TUPLE_F_IN ? 'IN' : 'OUT'
  let s = `${protoName(t.nexthdr)} ${dir} ${u32ToIp(t.saddr)}:${t.sport} -> ${u32ToIp(t.daddr)}:${t.dport}`
  if (t.flags & TUPLE_F_RELATED) s += ' related'
  if (t.flags & TUPLE_F_SERVICE) s += ' service'
  return s
}

function ctFlags(e: CtEntry): string {
  const names: string[] = []
  let bits = 0
  const add = (on: boolean, bit: number, name: string) => {
    if (!on) return
    bits |= bit
    names.push(name)
  }
  add(e.rxClosing, 1, 'RxClosing')
  add(e.txClosing, 2, 'TxClosing')
  add(e.seenNonSyn, 1 << 4, 'SeenNonSyn')
  add(e.nodePort, 1 << 5, 'NodePort')
  add(e.proxyRedirect, 1 << 6, 'ProxyRedirect')
  add(e.dsr, 1 << 7, 'DSR')
  return `Flags=${'0x' + bits.toString(16).padStart(4, '0')} [ ${names.map((n) => n + ' ').join('')}]`
}

const hex2 = (n: number) => '0x' + n.toString(16).padStart(2, '0')

/** ctmap CtEntry.StringWithTimeDiff: lifetime and the seconds left at `now` (bpf_mono_now seconds). */
export function ctEntryString(e: CtEntry, now?: number): string {
  const remaining = now === undefined ? '' : ` (remaining: ${e.lifetime - now} sec(s))`
  return (
    `expires=${e.lifetime}${remaining} Packets=${e.txPackets} Bytes=${e.txBytes} RxFlagsSeen=${hex2(e.rxFlagsSeen)} ` +
    `LastRxReport=${e.lastRxReport} TxFlagsSeen=${hex2(e.txFlagsSeen)} LastTxReport=${e.lastTxReport} ` +
    `${ctFlags(e)} RevNAT=${e.revNatIndex} SourceSecurityID=${e.srcSecId} IfIndex=${e.ifindex} BackendID=${e.rxBytes}`
  )
}

/** `cilium bpf ct list global`: one line per entry, TCP map then the any map. */
export function ctList(maps: readonly TupleEntries<CtEntry>[], now?: number): string {
  const lines: string[] = []
  for (const m of maps)
    for (const [k, v] of m.entries()) lines.push(`${tupleString(k)} ${ctEntryString(v, now)}`)
  return lines.map((l) => l + '\n').join('')
}

/** `cilium bpf nat list`: `TCP OUT a:p -> b:q XLATE_SRC n:m Created=Ns ago NeedsCT=1`. */
export function natList(map: TupleEntries<Ipv4NatEntry>, now?: number): string {
  const lines: string[] = []
  for (const [k, v] of map.entries()) {
    const xlate = k.flags & TUPLE_F_IN ? 'XLATE_DST' : 'XLATE_SRC'
    const created = now === undefined ? `${v.created}` : `${now - v.created}sec ago`
    lines.push(
      `${tupleString(k)} ${xlate} ${u32ToIp(v.toAddress)}:${v.toPort} Created=${created} NeedsCT=${v.needsCt ? 1 : 0}`,
    )
  }
  return lines.map((l) => l + '\n').join('')
}

export function ctListJson(
  maps: readonly TupleEntries<CtEntry>[],
): Array<{ tuple: string } & Ipv4CtTuple & CtEntry> {
  const out: Array<{ tuple: string } & Ipv4CtTuple & CtEntry> = []
  for (const m of maps) for (const [k, v] of m.entries()) out.push({ tuple: tupleString(k), ...k, ...v })
  return out
}

export function natListJson(
  map: TupleEntries<Ipv4NatEntry>,
): Array<{ tuple: string; to: string } & Ipv4NatEntry> {
  return [...map.entries()].map(([k, v]) => ({
    tuple: tupleString(k),
    to: `${u32ToIp(v.toAddress)}:${v.toPort}`,
    ...v,
  }))
}
