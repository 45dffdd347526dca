import { TupleIndex } from '../maps/tupleIndex'
import { portsWord, touchPages } from './ctTable'

/**
 * Connected sockets whose peer socket-LB rewrote at connect() (`bpf/bpf_sock.c` cil_sock4_connect): later
 * packets of the connection carry the backend address already and make no service lookup. Kernel socket
 * state, not a BPF map: nothing is counted and nothing is evicted. Keyed by the tuple the application
 * connected to (proto, saddr, sport, service address and port); holding the peer address and port the
 * socket was rewritten to (the socket's own destination: a backend deleted since, or its id given to
 * another backend, changes nothing for it), the backend's id and the service's rev NAT id.
 */
export class ConnectedSockets extends TupleIndex {
  /** per slot, `SOCK` words: backend id, rev NAT id, peer address (as int32), peer port */
  private vals: Int32Array

  /** `capacity`: sockets held before the table first grows (growing mid-run costs a full GC, see `BpfLruTupleMap`) */
  constructor(capacity = 1 << 16) {
    super(capacity)
    this.vals = new Int32Array(this.capacity * SOCK)
  }

  /** The socket's slot, or −1. */
  findSocket(proto: number, saddr: number, sport: number, daddr: number, dport: number): number {
    return this.find(saddr, daddr, portsWord(sport, dport), proto)
  }

  /** The socket of (proto, saddr, sport, daddr, dport) rewritten to `addr`:`port`, backend `backendId`. */
  connect(
    proto: number,
    saddr: number,
    sport: number,
    daddr: number,
    dport: number,
    backendId: number,
    revNat: number,
    addr: number,
    port: number,
    absent = false,
  ): void {
    const c = portsWord(sport, dport)
    // absent: the caller's findSocket of this tuple just missed, and no socket was connected since
    let e = absent ? -1 : this.find(saddr, daddr, c, proto)
    if (e < 0) e = this.insert(saddr, daddr, c, proto)
    const o = e * SOCK
    const vals = this.vals
    vals[o] = backendId
    vals[o + 1] = revNat
    vals[o + 2] = addr
    vals[o + 3] = port
  }

  /**
   * `CtTable.prefault` for the sockets: key words and values of slots [0, `slots`), and the buckets as they
   * are now (after `reserveBuckets`); contents unchanged.
   */
  prefault(slots: number): void {
    touchPages(this.keyWords, slots * 4)
    touchPages(this.bucketWords, this.bucketWords.length)
    touchPages(this.vals, slots * SOCK)
  }

  backendId(slot: number): number {
    return this.vals[slot * SOCK]
  }

  revNat(slot: number): number {
    return this.vals[slot * SOCK + 1]
  }

  /** The address the socket in `slot` was rewritten to (uint32). */
  addr(slot: number): number {
    return this.vals[slot * SOCK + 2] >>> 0
  }

  /** The port the socket in `slot` was rewritten to. */
  port(slot: number): number {
    return this.vals[slot * SOCK + 3]
  }

  protected override resize(capacity: number): void {
    super.resize(capacity)
    const vals = new Int32Array(capacity * SOCK)
    vals.set(this.vals)
    this.vals = vals
  }
}

/** Words per socket (`ConnectedSockets.vals`). */
const SOCK = 4
