import { ipToU32, type Packet } from '@dataplane-sim/cluster'

/** IP protocol numbers of the contract's protocols (the tuple's `proto`). */
export const PROTO_NUMBER: Readonly<Record<Packet['protocol'], number>> = Object.freeze({
  tcp: 6,
  udp: 17,
  sctp: 132,
  icmp: 1,
})

/** TCP header flag bits, for `classifyTuple`. */
export const TCP_FIN = 0x01
export const TCP_SYN = 0x02
export const TCP_RST = 0x04
export const TCP_ACK = 0x10
const FLAG_BITS: Record<string, number> = { FIN: TCP_FIN, SYN: TCP_SYN, RST: TCP_RST, ACK: TCP_ACK }

/** A packet's TCP flags as header bits; −1 when it names none. */
export function tcpFlagBits(flags: Packet['tcpFlags']): number {
  if (flags === undefined) return -1
  let bits = 0
  for (const x of flags) bits |= FLAG_BITS[x] ?? 0
  return bits
}

/** A packet as the numeric tuple `classifyTuple` / `tupleBatchOf` take (addresses as uint32). */
export interface PacketTuple {
  proto: number
  saddr: number
  sport: number
  daddr: number
  dport: number
  flags: number
}

/** `packet` as a `PacketTuple`. */
export function packetTuple(p: Packet): PacketTuple {
  return {
    proto: PROTO_NUMBER[p.protocol],
    saddr: ipToU32(p.src),
    sport: p.sport,
    daddr: ipToU32(p.dst),
    dport: p.dport,
    flags: tcpFlagBits(p.tcpFlags),
  }
}
