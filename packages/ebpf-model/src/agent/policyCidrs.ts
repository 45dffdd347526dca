import type { Cidr, NetworkPolicy } from '@dataplane-sim/cluster'
import { parseCidr } from '@dataplane-sim/cluster'

/** Every CIDR a policy's ipBlocks mention (the block and its excepts): each gets an ipcache entry. */
export function policyCidrs(np: NetworkPolicy): Cidr[] {
  const out: Cidr[] = []
  const peers = [...np.ingress.flatMap((r) => r.from ?? []), ...np.egress.flatMap((r) => r.to ?? [])]
  for (const p of peers)
    if (p.ipBlock) {
      out.push(parseCidr(p.ipBlock.cidr))
      for (const e of p.ipBlock.except ?? []) out.push(parseCidr(e))
    }
  return out
}
