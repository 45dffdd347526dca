import { InputError } from '../errors/errors'
import { tryIpToU32 } from '../ip/ipv4'

export type PacketProtocol = 'tcp' | 'udp' | 'sctp' | 'icmp'

/**
 * A packet as the dataplanes see it. Ports are 0 for ICMP. `tcpFlags` defaults to a SYN for tcp (a first
 * packet); replies and established packets are told apart by the models' conntrack, not by the packet.
 */
export interface Packet {
  protocol: PacketProtocol
  src: string
  dst: string
  sport: number
  dport: number
  /** e.g. ['SYN'] or ['ACK']; absent: SYN for tcp */
  tcpFlags?: string[]
}

const PROTOCOLS: readonly PacketProtocol[] = ['tcp', 'udp', 'sctp', 'icmp']

/**
 * Parses `tcp 10.244.1.5:40000 -> 10.96.0.10:80`, `udp A:p -> B:q`, `sctp ...`, `icmp 10.0.0.1 -> 10.0.0.2`.
 * Errors say what was expected and at which column of `source`.
 */
export function parsePacket(text: string, source = '<packet>'): Packet {
  const fail = (msg: string, col: number): never => {
    throw new InputError(`${msg} in packet ${JSON.stringify(text)}`, source, 1, col)
  }
  const m = /^(\s*)(\S+)(\s+)(\S+)(\s*)->(\s*)(\S+)\s*$/.exec(text)
  if (!m) return fail("expected '<tcp|udp|sctp|icmp> SRC[:PORT] -> DST[:PORT]'", 1)
  const [, lead, protoText, gap1, srcText, gap2, gap3, dstText] = m
  const proto = protoText.toLowerCase() as PacketProtocol
  if (!PROTOCOLS.includes(proto))
    fail(`expected protocol tcp, udp, sctp or icmp, got ${JSON.stringify(protoText)}`, lead.length + 1)
  const srcCol = lead.length + protoText.length + gap1.length + 1
  const dstCol = srcCol + srcText.length + gap2.length + 2 + gap3.length
  const hasPorts = proto !== 'icmp'
  const src = endpoint(srcText, hasPorts, srcCol, fail)
  const dst = endpoint(dstText, hasPorts, dstCol, fail)
  return { protocol: proto, src: src.ip, dst: dst.ip, sport: src.port, dport: dst.port }
}

function endpoint(
  text: string,
  hasPort: boolean,
  col: number,
  fail: (msg: string, col: number) => never,
): { ip: string; port: number } {
  if (!hasPort) {
    if (tryIpToU32(text) === null) fail(`expected an IPv4 address, got ${JSON.stringify(text)}`, col)
    return { ip: text, port: 0 }
  }
  const colon = text.lastIndexOf(':')
  if (colon < 0) return fail(`expected ADDRESS:PORT, got ${JSON.stringify(text)}`, col)
  const ip = text.slice(0, colon)
  const portText = text.slice(colon + 1)
  if (tryIpToU32(ip) === null) fail(`expected an IPv4 address, got ${JSON.stringify(ip)}`, col)
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535 || Number(portText) === 0)
    fail(`expected a port 1-65535, got ${JSON.stringify(portText)}`, col + colon + 1)
  return { ip, port: Number(portText) }
}

export function formatPacket(p: Packet): string {
  if (p.protocol === 'icmp') return `icmp ${p.src} -> ${p.dst}`
  return `${p.protocol} ${p.src}:${p.sport} -> ${p.dst}:${p.dport}`
}

/** The packet as the other side sends it back (for conntrack reply tests). */
export function replyOf(p: Packet): Packet {
  return {
    protocol: p.protocol,
    src: p.dst,
    dst: p.src,
    sport: p.dport,
    dport: p.sport,
    tcpFlags: p.protocol === 'tcp' ? ['SYN', 'ACK'] : undefined,
  }
}
