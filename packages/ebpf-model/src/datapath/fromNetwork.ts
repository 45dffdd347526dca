import type { Candidate, Trace } from '@dataplane-sim/cluster'
import { WORLD_ID } from '../agent/identity'
import { INGRESS } from '../agent/policy'
import { SVC_FLAG_AFFINITY, SVC_FLAG_CLUSTERIP } from '../agent/services'
import type { ProgrammedBackend } from '../agent/sink'
import { ipText } from './addr'
import { CT_ESTABLISHED, CT_NEW, CT_REPLY, ctCreate, ctLookup, ctMapOf, ctTouch, serviceCt } from './ctOps'
import { CT } from './ctTable'
import { deliver, reply, snat } from './deliver'
import { candidateOf, lookupBackend, rememberAffinity } from './lb'
import { checkPolicy, identityOf } from './policyCheck'
import { DROP } from './reasons'
import { pick, serviceFor } from './service'
import { type DatapathState, dnatOf, drop, type Flow, flowTo } from './state'
import { type Ctx, progId } from './trace'

const FROM_NETDEV = progId('cil_from_netdev')

/**
 * A packet from outside the node (`bpf/bpf_host.c` cil_from_netdev, `bpf/lib/nodeport.h` nodeport_lb4):
 * NodePort / LoadBalancer / externalIP frontends with their service CT entry, SNAT toward a remote backend
 * for externalTrafficPolicy Cluster, else CT and delivery to a local endpoint with its ingress policy.
 */
export function fromNetwork(
  dp: DatapathState,
  f: Flow,
  ctx: Ctx,
  enumerate: boolean,
  closing: boolean,
  nonSyn: boolean,
): Trace {
  const maps = dp.maps
  ctx.prog(FROM_NETDEV, 'bpf_host ingress (nodeport_lb4)')
  if (f.proto !== 1) {
    const svc = serviceFor(dp, f, false, ctx)
    if (svc) {
      if (svc.flags & SVC_FLAG_CLUSTERIP && !dp.cfg.externalClusterIp)
        return drop(ctx, DROP.IS_CLUSTER_IP, null, [])
      const sct = serviceCt(dp, f, 'IN', ctx)
      let backend: ProgrammedBackend | undefined =
        sct >= 0 ? lookupBackend(maps, ctMapOf(maps, f.proto).get(sct, CT.BACKEND_ID), ctx) : undefined
      let candidates: Candidate[] = []
      let srcId = -1
      if (!backend) {
        const r = pick(dp, svc, f, ctx, enumerate, true, true)
        if ('verdict' in r) return r
        backend = r.backend
        candidates = r.candidates
        if (enumerate && r.all.length > 1) {
          // local backends apply their ingress policy to the client (not SNATed): keep the reachable ones
          srcId = identityOf(maps, f.saddr, ctx)
          const ok = r.all.filter((c) => {
            const dst = maps.lxc.peek(c.backend.addr)
            return (
              !dst || checkPolicy(maps, dst.endpointId, srcId, INGRESS, f.proto, c.backend.port, ctx) === null
            )
          })
          candidates = ok.map((c) => candidateOf(c.backend, c.probability, !maps.lxc.peek(c.backend.addr)))
          if (ok.length === 0) return drop(ctx, DROP.POLICY, dnatOf(ctx, backend), [])
          if (!ok.some((c) => c.backend.id === backend?.id)) backend = ok[0].backend
        }
        ctCreate(dp, f, ctx, true, svc.revNat, backend.id, WORLD_ID, nonSyn)
      } else ctTouch(dp, sct, f.proto, closing, nonSyn)
      // lb4_local's last step, whatever the flow's CT state (`rememberAffinity`)
      if (svc.flags & SVC_FLAG_AFFINITY) rememberAffinity(maps, svc.revNat, f.saddr, backend.id, dp.now, ctx)
      const dnat = dnatOf(ctx, backend)
      const t = flowTo(ctx.translated, f, backend.addr, backend.port)
      const local = maps.lxc.peek(backend.addr)
      if (!local) {
        // externalTrafficPolicy=Cluster to a remote backend: SNAT to the node address (nodeport.h
        // snat_v4_nat), so the reply comes back through this node for reverse translation.
        const nat = snat(dp, t, ctx)
        if (nat) return drop(ctx, nat, dnat, candidates)
        return {
          verdict: 'forward',
          dnat,
          candidates,
          masquerade: true,
          snat: ipText(dp.cfg.nodeIp),
          outInterface: 'eth0',
          steps: [],
          cost: { counts: {}, ns: 0 },
        }
      }
      const srcIdentity = srcId >= 0 ? srcId : identityOf(maps, f.saddr, ctx)
      return deliver(dp, t, ctx, srcIdentity, true, dnat, candidates, false, false)
    }
  }
  const state = ctLookup(dp, f, ctx)
  if (state === CT_REPLY) return reply(dp, f, ctx.ctSlot, ctx)
  if (state === CT_ESTABLISHED) ctTouch(dp, ctx.ctSlot, f.proto, closing, nonSyn)
  return deliver(dp, f, ctx, identityOf(maps, f.saddr, ctx), state === CT_NEW, null, [], false, false)
}
