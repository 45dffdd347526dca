import { expect } from 'vitest'
import { parsePacket } from '../packet/packet'
import type { Cluster } from '../scenario/types'
import { tinyCluster, tinyService } from '../testing/tiny'
import { resolveReference } from './resolve'

/** Shared by the Services and NetworkPolicy table tests of resolveReference. */
export const WEB1 = '10.244.1.10:8080'
export const WEB2 = '10.244.2.10:8081'
export const OUTSIDE = '203.0.113.7'

export interface Row {
  name: string
  cluster: Cluster
  packet: string
  node: string
  verdict: 'forward' | 'local' | 'drop' | 'reject'
  /** allowed candidates as ip:port */
  to?: string[]
  masquerade?: boolean
  /** the source the (first) candidate sees */
  seen?: string
}

export function check(row: Row): void {
  const r = resolveReference(row.cluster, parsePacket(row.packet), { node: row.node })
  expect(r.verdict, r.reasons.join('; ')).toBe(row.verdict)
  if (row.to) expect(r.candidates.map((c) => `${c.ip}:${c.port}`).sort()).toEqual([...row.to].sort())
  if (row.masquerade !== undefined) expect(r.masquerade).toBe(row.masquerade)
  if (row.seen) expect(r.eligible[0].source).toBe(row.seen)
  const allowed = r.eligible.filter((c) => c.allowed)
  for (const c of allowed) expect(c.probability).toBeCloseTo(1 / r.eligible.length, 10)
}

export const svc = (
  over: Parameters<typeof tinyService>[0] = {},
  opts: Parameters<typeof tinyCluster>[0] = {},
) => tinyCluster({ ...opts, services: [tinyService(over), ...(opts.services ?? [])] })
export const nodePortSvc = (
  over: Parameters<typeof tinyService>[0] = {},
  opts: Parameters<typeof tinyCluster>[0] = {},
) => svc({ type: 'NodePort', ...over }, opts)
export const lbSvc = (
  over: Parameters<typeof tinyService>[0] = {},
  opts: Parameters<typeof tinyCluster>[0] = {},
) => svc({ type: 'LoadBalancer', loadBalancerIPs: ['172.20.0.5'], ...over }, opts)
