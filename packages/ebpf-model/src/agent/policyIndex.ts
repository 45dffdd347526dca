import type { NetworkPolicy } from '@dataplane-sim/cluster'

/**
 * NetworkPolicies by namespace, each list sorted by name (cilium/cilium `pkg/policy/repository.go` keeps
 * rules per namespace the same way): resolving an endpoint's policy reads only its namespace's list.
 */
export class PolicyIndex {
  private readonly byNs = new Map<string, NetworkPolicy[]>()

  inNamespace(namespace: string): readonly NetworkPolicy[] {
    return this.byNs.get(namespace) ?? []
  }

  add(np: NetworkPolicy): void {
    const list = this.byNs.get(np.namespace) ?? []
    const next = list.filter((p) => p.name !== np.name)
    next.push(np)
    this.byNs.set(
      np.namespace,
      next.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    )
  }

  remove(np: NetworkPolicy): void {
    const list = this.byNs.get(np.namespace) ?? []
    this.byNs.set(
      np.namespace,
      list.filter((p) => p.name !== np.name),
    )
  }
}
