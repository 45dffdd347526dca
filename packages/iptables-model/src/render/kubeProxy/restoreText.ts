import {
  KUBE_NAT_FIXED_CHAINS,
  type KubeProxyRender,
  kubeFilterChains,
  kubeFilterFixedRules,
  kubeForwardRules,
  kubeNatFixedRules,
  kubeNodePortsTail,
} from './kubeProxy'

export interface KubeProxyRestoreOptions {
  /**
   * Services ("namespace/name") whose KUBE-SVC/SVL/EXT/FW/SEP chains are written; null (default) writes all of
   * them (a full sync). A partial sync (KEP-3453) passes the changed services only.
   */
  changedServices?: ReadonlySet<string> | null
  /** stale service chains to flush and delete (`:CHAIN - [0:0]` then `-X CHAIN`) */
  deletedNatChains?: readonly string[]
}

/**
 * The exact iptables-restore input of one kube-proxy sync (restored with --noflush, so only the declared chains
 * are replaced): `*filter` then `*nat`, chain declarations before rules, as syncProxyRules assembles
 * proxier.iptablesData.
 */
export function kubeProxyRestoreText(render: KubeProxyRender, opts: KubeProxyRestoreOptions = {}): string {
  const changed = opts.changedServices ?? null
  const o = render.options
  const out: string[] = ['*filter']
  for (const c of kubeFilterChains(o)) out.push(`:${c} - [0:0]`)
  for (const r of kubeFilterFixedRules(o)) out.push(r)
  for (const chunks of render.services.values())
    for (const ch of chunks) if (ch.filterRules) out.push(ch.filterRules)
  for (const r of kubeForwardRules(o)) out.push(r)
  out.push('COMMIT', '*nat')
  for (const c of KUBE_NAT_FIXED_CHAINS) out.push(`:${c} - [0:0]`)
  for (const [svc, chunks] of render.services) {
    if (changed && !changed.has(svc)) continue
    for (const ch of chunks) for (const c of ch.natChains) out.push(`:${c} - [0:0]`)
  }
  const deleted = opts.deletedNatChains ?? []
  for (const c of deleted) out.push(`:${c} - [0:0]`)
  for (const r of kubeNatFixedRules(o)) out.push(r)
  for (const [svc, chunks] of render.services) {
    const write = !changed || changed.has(svc)
    for (const ch of chunks) {
      if (ch.natTopRules) out.push(ch.natTopRules)
      if (write && ch.natRules) out.push(ch.natRules)
    }
  }
  for (const c of deleted) out.push(`-X ${c}`)
  for (const r of kubeNodePortsTail(render)) out.push(r)
  out.push('COMMIT', '')
  return out.join('\n')
}
