import { TupleIndex } from '../maps/tupleIndex'
import { portsWord, touchPages } from './ctTable'

/**
 * Connected sockets whose peer socket-LB rewrote at connect() (`bpf/bpf_sock.c` cil_sock4_connect): later
 * packets of the connection carry the backend address already and make no service lookup. Kernel socket
 * state, not a BPF map: nothing is counted and nothing is evicted. Keyed by the tuple the application
 * connected to (proto, saddr, sport, service address and port).
 */
export class ConnectedSockets extends TupleIndex {
  private backend: Int32Array
  private rev: Int32Array

  /** `capacity`: sockets held before the table first grows (growing mid-run costs a full GC, see `BpfLruTupleMap`) */
  constructor(capacity = 1 << 16) {
    super(capacity)
    this.backend = new Int32Array(this.capacity)
    this.rev = new Int32Array(this.capacity)
  }

  /** The socket's slot, or −1. */
  findSocket(proto: number, saddr: number, sport: number, daddr: number, dport: number): number {
    return this.find(saddr, daddr, portsWord(sport, dport), proto)
  }

  connect(
    proto: number,
    saddr: number,
    sport: number,
    daddr: number,
    dport: number,
    backendId: number,
    revNat: number,
    absent = false,
  ): void {
    const c = portsWord(sport, dport)
    // absent: the caller's findSocket of this tuple just missed, and no socket was connected since
    let e = absent ? -1 : this.find(saddr, daddr, c, proto)
    if (e < 0) e = this.insert(saddr, daddr, c, proto)
    this.backend[e] = backendId
    this.rev[e] = revNat
  }

  /**
   * `CtTable.prefault` for the sockets: key words, backend ids and rev-NAT ids of slots [0, `slots`), and the
   * buckets as they are now (after `reserveBuckets`); contents unchanged.
   */
  prefault(slots: number): void {
    touchPages(this.keyWords, slots * 4)
    touchPages(this.bucketWords, this.bucketWords.length)
    touchPages(this.backend, slots)
    touchPages(this.rev, slots)
  }

  backendId(slot: number): number {
    return this.backend[slot]
  }

  revNat(slot: number): number {
    return this.rev[slot]
  }

  protected override resize(capacity: number): void {
    super.resize(capacity)
    const b = new Int32Array(capacity)
    b.set(this.backend)
    this.backend = b
    const r = new Int32Array(capacity)
    r.set(this.rev)
    this.rev = r
  }
}
