import { tryIpToU32 } from '../ip/ipv4'
import type {
  IPBlock,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyType,
} from '../scenario/types'
import type { JsonPath } from '../scenario/validate'
import { type ConvertContext, protocol } from './convert'

export function convertNetworkPolicy(
  c: ConvertContext,
  o: Record<string, unknown>,
  ns: string,
  name: string,
): NetworkPolicy {
  const { f } = c
  const spec = f.optObj(o.spec, ['spec'])
  const selector = (v: unknown, path: JsonPath): LabelSelector => {
    const so = f.optObj(v, path)
    const out: LabelSelector = {}
    if (so.matchLabels !== undefined && so.matchLabels !== null)
      out.matchLabels = f.labels(so.matchLabels, [...path, 'matchLabels'])
    if (so.matchExpressions !== undefined && so.matchExpressions !== null)
      out.matchExpressions = f.arr(so.matchExpressions, [...path, 'matchExpressions']).map((rv, i) => {
        const rp = [...path, 'matchExpressions', i]
        const ro = f.obj(rv, rp)
        const operator = f.str(ro.operator, [...rp, 'operator'])
        if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator))
          f.fail(
            [...rp, 'operator'],
            `expected In, NotIn, Exists or DoesNotExist, got ${JSON.stringify(operator)}`,
          )
        const r = { key: f.str(ro.key, [...rp, 'key']), operator: operator as 'In' }
        const values = f
          .arr(ro.values, [...rp, 'values'])
          .map((x, j) => (typeof x === 'string' ? x : f.fail([...rp, 'values', j], 'expected a string')))
        return values.length ? { ...r, values } : r
      })
    return out
  }
  const peers = (v: unknown, path: JsonPath): NetworkPolicyPeer[] =>
    f.arr(v, path).map((pv, i) => {
      const pp = [...path, i]
      const po = f.obj(pv, pp)
      const peer: NetworkPolicyPeer = {}
      if (po.podSelector !== undefined && po.podSelector !== null)
        peer.podSelector = selector(po.podSelector, [...pp, 'podSelector'])
      if (po.namespaceSelector !== undefined && po.namespaceSelector !== null)
        peer.namespaceSelector = selector(po.namespaceSelector, [...pp, 'namespaceSelector'])
      if (po.ipBlock !== undefined && po.ipBlock !== null) {
        const bo = f.obj(po.ipBlock, [...pp, 'ipBlock'])
        const block: IPBlock = { cidr: f.str(bo.cidr, [...pp, 'ipBlock', 'cidr']) }
        const except = f
          .arr(bo.except, [...pp, 'ipBlock', 'except'])
          .map((x, j) => f.str(x, [...pp, 'ipBlock', 'except', j]))
        if (except.length) block.except = except
        peer.ipBlock = block
      }
      return peer
    })
  const ports = (v: unknown, path: JsonPath): NetworkPolicyPort[] =>
    f.arr(v, path).map((pv, i) => {
      const pp = [...path, i]
      const po = f.obj(pv, pp)
      const port: NetworkPolicyPort = {}
      if (po.protocol !== undefined && po.protocol !== null)
        port.protocol = protocol(c, po.protocol, [...pp, 'protocol'])
      if (typeof po.port === 'string')
        port.port = /^\d+$/.test(po.port) ? f.int(Number(po.port), [...pp, 'port'], 1, 65535) : po.port
      else if (po.port !== undefined && po.port !== null)
        port.port = f.int(po.port, [...pp, 'port'], 1, 65535)
      const end = f.optInt(po.endPort, [...pp, 'endPort'], 1, 65535)
      if (end !== undefined) port.endPort = end
      return port
    })
  const rules = (key: 'ingress' | 'egress', peerKey: 'from' | 'to') =>
    f.arr(spec[key], ['spec', key]).map((rv, i) => {
      const ro = f.optObj(rv, ['spec', key, i])
      const rule: { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] } = {}
      if (ro[peerKey] !== undefined && ro[peerKey] !== null) {
        const all = peers(ro[peerKey], ['spec', key, i, peerKey])
        // An IPv6 ipBlock never matches IPv4 traffic: drop it, and drop a rule left with no peer at all
        // (an empty list would mean "every peer").
        const v4 = all.filter((p) => !p.ipBlock || tryIpToU32(p.ipBlock.cidr.split('/')[0]) !== null)
        if (v4.length < all.length)
          c.warn(`NetworkPolicy ${ns}/${name}: IPv6 ipBlock peers left out (IPv4 only for now)`)
        if (all.length > 0 && v4.length === 0) return null
        rule[peerKey] = v4.map((p) =>
          p.ipBlock?.except
            ? {
                ...p,
                ipBlock: {
                  ...p.ipBlock,
                  except: p.ipBlock.except.filter((e) => tryIpToU32(e.split('/')[0]) !== null),
                },
              }
            : p,
        )
      }
      if (ro.ports !== undefined && ro.ports !== null) rule.ports = ports(ro.ports, ['spec', key, i, 'ports'])
      return rule
    })
  const hadEgress = f.arr(spec.egress, ['spec', 'egress']).length > 0
  const ingress = rules('ingress', 'from').filter((r) => r !== null)
  const egress = rules('egress', 'to').filter((r) => r !== null)
  let policyTypes = f
    .arr(spec.policyTypes, ['spec', 'policyTypes'])
    .map((t, i) =>
      t === 'Ingress' || t === 'Egress'
        ? (t as PolicyType)
        : f.fail(['spec', 'policyTypes', i], `expected Ingress or Egress, got ${JSON.stringify(t)}`),
    )
  // The API server's default: Ingress always, Egress when there are egress rules.
  if (policyTypes.length === 0) policyTypes = hadEgress ? ['Ingress', 'Egress'] : ['Ingress']
  return {
    namespace: ns,
    name,
    podSelector: selector(spec.podSelector, ['spec', 'podSelector']),
    policyTypes,
    ingress,
    egress,
  }
}
