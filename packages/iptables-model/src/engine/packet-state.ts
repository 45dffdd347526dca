/**
 * The packet as the engine's hot path sees it: numbers only, one object reused for every packet. Field
 * names follow the kernel's sk_buff / nf_conn (mark is skb->mark, ctmark is ct->mark).
 */
export class PacketState {
  proto = 0
  src = 0
  dst = 0
  sport = 0
  dport = 0
  /** TCP flag bits as libxt_tcp numbers them (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32) */
  tcpFlags = 0
  /** ICMP type and code (the model's ICMP is echo: request 8, reply 0) */
  icmpType = 8
  icmpCode = 0
  /** IP length in bytes, for byte counters */
  length = 0
  /** interned interface ids; 0 is the empty name (no interface, as in OUTPUT for -i) */
  inIf = 0
  outIf = 0
  mark = 0
  ctmark = 0
  /** CT_* bit of the packet's conntrack state */
  ctState = 0
  /** 0 original direction, 1 reply */
  ctDir = 0
  /** conntrack entry (null when untracked) */
  ct: import('./conntrack').CtEntry | null = null
  untracked = false
  /** hook being traversed (HOOK_*) */
  hook = 0
  /** conntrack zone (CT --zone) */
  zone = 0
}

export const HOOK_PREROUTING = 0
export const HOOK_INPUT = 1
export const HOOK_FORWARD = 2
export const HOOK_OUTPUT = 3
export const HOOK_POSTROUTING = 4
export const HOOK_NAMES = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const

export const TCP_FLAG_BITS: Readonly<Record<string, number>> = {
  FIN: 1,
  SYN: 2,
  RST: 4,
  PSH: 8,
  ACK: 16,
  URG: 32,
}
