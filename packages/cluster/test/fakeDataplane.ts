import type { Candidate, NodeDataplane, Trace } from '../src/contract/dataplane'
import { clusterIndex } from '../src/index/clusterIndex'
import type { Packet } from '../src/packet/packet'
import { egressDecision, ingressDecision } from '../src/reference/policy'
import { resolveReference } from '../src/reference/resolve'
import type { Cluster, Protocol } from '../src/scenario/types'

/**
 * A fake node dataplane shaped like kube-proxy + Calico on one node: services are translated only on the
 * node that receives them (a nodePort only on its own address), egress policy applies to pods of this
 * node, ingress policy to pods of this node (as the packet arrives). Good enough to test tracePath's
 * plumbing across nodes; the real models live in their own packages.
 */
export function fakeDataplane(
  cluster: Cluster,
  node: string,
  opts: { ignorePolicy?: boolean } = {},
): NodeDataplane {
  const idx = clusterIndex(cluster)
  const me = idx.nodeByName.get(node)!
  const cost = { counts: {}, ns: 0 }
  const result = (t: Partial<Trace> & Pick<Trace, 'verdict'>): Trace => ({
    dnat: null,
    candidates: [],
    masquerade: false,
    steps: [],
    cost,
    ...t,
  })
  const egressOk = (p: Packet, ip: string, port: number) => {
    const src = idx.podByIP.get(p.src)
    return (
      opts.ignorePolicy ||
      !src ||
      src.nodeName !== node ||
      egressDecision(idx, src, ip, port, p.protocol).allowed
    )
  }
  const ingressOk = (src: string, ip: string, port: number, p: Packet) => {
    const dst = idx.podByIP.get(ip)
    return (
      opts.ignorePolicy ||
      !dst ||
      dst.nodeName !== node ||
      ingressDecision(idx, dst, src, port, p.protocol).allowed
    )
  }
  return {
    kind: 'iptables',
    node,
    apply: () => ({ counts: {}, seconds: 0 }),
    footprint: () => ({ kind: 'iptables', items: [], totalEntries: 0, totalBytes: 0 }),
    classify(p, o = {}) {
      const proto = p.protocol === 'icmp' ? undefined : (p.protocol.toUpperCase() as Protocol)
      const fe =
        proto &&
        (idx.frontend(p.dst, proto, p.dport) ??
          (p.dst === me.internalIP ? idx.nodePort(proto, p.dport) : undefined))
      if (fe) {
        const ref = resolveReference(cluster, p, { node })
        if (ref.eligible.length === 0) return result({ verdict: ref.verdict, reason: ref.reasons[0] })
        const ok = (c: (typeof ref.eligible)[number]) =>
          egressOk(p, c.ip, c.port) && ingressOk(c.source, c.ip, c.port, p)
        const strip = ({
          allowed: _a,
          reason: _r,
          source: _s,
          ...c
        }: (typeof ref.eligible)[number]): Candidate => c
        if (o.enumerate) {
          const candidates = ref.eligible.filter(ok).map(strip)
          return result({
            verdict: candidates.length ? 'forward' : 'drop',
            candidates,
            masquerade: ref.masquerade,
            reason: candidates.length ? undefined : 'Policy denied',
          })
        }
        const chosen = ref.eligible[p.sport % ref.eligible.length]
        return result({
          verdict: ok(chosen) ? 'forward' : 'drop',
          dnat: { ip: chosen.ip, port: chosen.port },
          candidates: ref.eligible.map(strip),
          masquerade: chosen.masquerade,
          reason: ok(chosen) ? undefined : 'Policy denied',
        })
      }
      if (!egressOk(p, p.dst, p.dport)) return result({ verdict: 'drop', reason: 'Policy denied' })
      if (p.dst === me.internalIP) return result({ verdict: 'local' })
      if (!ingressOk(p.src, p.dst, p.dport, p)) return result({ verdict: 'drop', reason: 'Policy denied' })
      return result({ verdict: 'forward' })
    },
  }
}
