import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../scenario/types'
import { isEmptySelector } from '../selector/selector'

/**
 * The shapes one NetworkPolicy has, read from its content (so imported policies are classified too):
 * default-deny-ingress/egress, allow-all-ingress/egress, selects-all-pods, pod-selector,
 * namespace-selector, namespace-and-pod (both in one peer), ip-block, ip-block-except, numeric-port,
 * named-port, port-range, match-expressions.
 */
export function policyShapes(np: NetworkPolicy): string[] {
  const tags = new Set<string>()
  const rules = [
    ...(np.policyTypes.includes('Ingress')
      ? np.ingress.map((r) => ({ peers: r.from, ports: r.ports, dir: 'ingress' }))
      : []),
    ...(np.policyTypes.includes('Egress')
      ? np.egress.map((r) => ({ peers: r.to, ports: r.ports, dir: 'egress' }))
      : []),
  ]
  if (np.policyTypes.includes('Ingress') && np.ingress.length === 0) tags.add('default-deny-ingress')
  if (np.policyTypes.includes('Egress') && np.egress.length === 0) tags.add('default-deny-egress')
  if (isEmptySelector(np.podSelector)) tags.add('selects-all-pods')
  if (hasExpressions(np.podSelector)) tags.add('match-expressions')
  for (const r of rules) {
    if (!r.peers?.length && !r.ports?.length) tags.add(`allow-all-${r.dir}`)
    for (const p of r.peers ?? []) for (const t of peerShapes(p)) tags.add(t)
    for (const p of r.ports ?? []) tags.add(portShape(p))
  }
  return [...tags].sort()
}

function peerShapes(p: NetworkPolicyPeer): string[] {
  const out: string[] = []
  if (p.ipBlock) out.push(p.ipBlock.except?.length ? 'ip-block-except' : 'ip-block')
  if (p.podSelector && p.namespaceSelector) out.push('namespace-and-pod')
  else if (p.podSelector) out.push('pod-selector')
  else if (p.namespaceSelector) out.push('namespace-selector')
  if (
    (p.podSelector && hasExpressions(p.podSelector)) ||
    (p.namespaceSelector && hasExpressions(p.namespaceSelector))
  )
    out.push('match-expressions')
  return out
}

function portShape(p: NetworkPolicyPort): string {
  if (typeof p.port === 'string') return 'named-port'
  if (p.endPort !== undefined) return 'port-range'
  return 'numeric-port'
}

function hasExpressions(s: LabelSelector): boolean {
  return (s.matchExpressions ?? []).length > 0
}
