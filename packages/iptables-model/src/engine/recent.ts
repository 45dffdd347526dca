/**
 * The `recent` match's lists (net/netfilter/xt_recent.c): per list name, per (masked) address, the times it
 * was seen. kube-proxy's ClientIP session affinity is `--set` in the endpoint chain and `--rcheck --seconds`
 * in the service chain.
 */
export class RecentLists {
  private readonly lists = new Map<string, Map<number, number[]>>()

  private list(name: string): Map<number, number[]> {
    let l = this.lists.get(name)
    if (!l) {
      l = new Map()
      this.lists.set(name, l)
    }
    return l
  }

  /** Records `addr` seen at `now` (seconds); the kernel keeps the last 20 hits (ip_pkt_list_tot). */
  set(name: string, addr: number, now: number): void {
    const l = this.list(name)
    const hits = l.get(addr)
    if (!hits) l.set(addr, [now])
    else {
      hits.push(now)
      if (hits.length > 20) hits.shift()
    }
  }

  /** --rcheck/--update: seen within `seconds` (any time when undefined) at least `hitcount` times. */
  check(
    name: string,
    addr: number,
    now: number,
    seconds: number | undefined,
    hitcount: number | undefined,
  ): boolean {
    const hits = this.lists.get(name)?.get(addr)
    if (!hits) return false
    let n = 0
    for (const t of hits) if (seconds === undefined || now - t <= seconds) n++
    return n > 0 && n >= (hitcount ?? 1)
  }

  remove(name: string, addr: number): boolean {
    return this.lists.get(name)?.delete(addr) ?? false
  }

  /** Entries as `name addr lastSeen`, for inspection. */
  dump(): Array<{ name: string; addr: number; last: number }> {
    const out: Array<{ name: string; addr: number; last: number }> = []
    for (const [name, l] of this.lists)
      for (const [addr, hits] of l) out.push({ name, addr, last: hits[hits.length - 1] })
    return out
  }
}
