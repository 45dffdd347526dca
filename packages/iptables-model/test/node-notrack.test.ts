import { parsePacket } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { buildIptablesNode } from '../src/node/iptablesNode'
import { policyCluster } from './fixtures/policyCluster'

describe("Cilium's NOTRACK rules on the iptables node", () => {
  const plain = buildIptablesNode(policyCluster(), 'node-a')
  const notrack = buildIptablesNode(policyCluster(), 'node-a', { notrack: true })

  it('keep pod-to-pod traffic out of conntrack', () => {
    const p = parsePacket('tcp 10.244.1.9:40000 -> 10.244.1.5:8080')
    expect(plain.classify(p).cost.counts['ct.create'] ?? 0).toBe(1)
    const t = notrack.classify(p)
    expect(t.cost.counts['ct.create'] ?? 0).toBe(0)
    expect(t.steps.some((s) => s.where === 'raw:CILIUM_PRE_raw' && s.outcome === 'match')).toBe(true)
  })

  it('also skip kube-proxy: an untracked packet never sees the nat table, so a ClusterIP is not translated', () => {
    const p = parsePacket('tcp 10.244.1.9:40001 -> 10.96.0.10:80')
    expect(plain.classify(p).dnat).not.toBeNull()
    const t = notrack.classify(p)
    expect(t.dnat).toBeNull()
    expect(t.steps.some((s) => s.where.startsWith('nat:'))).toBe(false)
  })

  it('are rendered into the raw table with their feeder jumps', () => {
    const text = notrack.saveText()
    expect(text).toContain(
      '-A PREROUTING -m comment --comment "cilium-feeder: CILIUM_PRE_raw" -j CILIUM_PRE_raw',
    )
    expect(text).toContain(
      '-A CILIUM_PRE_raw -s 10.244.0.0/16 -m comment --comment "cilium: NOTRACK for pod traffic" -j CT --notrack',
    )
    expect(plain.saveText()).not.toContain('*raw')
  })
})
