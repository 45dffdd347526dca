/** One connection of `conntrack -L`: the original direction and the reply direction the kernel expects. */
export interface TrackedFlow {
  protocol: string
  orig: { src: string; dst: string; sport: number; dport: number }
  reply: { src: string; dst: string; sport: number; dport: number }
  /** the reply comes from someone other than the original destination: DNAT happened */
  dnat: boolean
  /** the reply goes to someone other than the original source: SNAT / MASQUERADE happened */
  snat: boolean
}

/**
 * Parses `conntrack -L` lines: `udp 17 29 src=A dst=B sport=p dport=q [UNREPLIED] src=C dst=D sport=r
 * dport=s mark=0 use=1`. The first src/dst/sport/dport are the original tuple, the second the reply tuple.
 */
export function parseConntrack(text: string): TrackedFlow[] {
  const out: TrackedFlow[] = []
  for (const line of text.split('\n')) {
    const proto = /^(tcp|udp|icmp|sctp)\s/.exec(line.trim())
    if (!proto) continue
    const get = (k: string) => [...line.matchAll(new RegExp(`\\b${k}=(\\S+)`, 'g'))].map((m) => m[1])
    const src = get('src')
    const dst = get('dst')
    const sport = get('sport').map(Number)
    const dport = get('dport').map(Number)
    if (src.length < 2 || dst.length < 2) continue
    const orig = { src: src[0], dst: dst[0], sport: sport[0] ?? 0, dport: dport[0] ?? 0 }
    const reply = { src: src[1], dst: dst[1], sport: sport[1] ?? 0, dport: dport[1] ?? 0 }
    out.push({
      protocol: proto[1],
      orig,
      reply,
      dnat: reply.src !== orig.dst || reply.sport !== orig.dport,
      snat: reply.dst !== orig.src || reply.dport !== orig.sport,
    })
  }
  return out
}
