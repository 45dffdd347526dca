import type { EbpfNode } from '@dataplane-sim/ebpf-model'
import { describe, expect, it } from 'vitest'
import { defaultProfile } from '../profiles/default'
import { defaultBuilders, reusingBuilders } from './default-builders'
import { DEFAULT_LB_MAP_MAX, lbMapMaxFor } from './scaling'

describe('LB map sizing for the scaling suite', () => {
  const b = defaultBuilders
  const cluster = b.generate({ services: 60, endpoints: 3, policies: 2, nodes: 3, seed: 5 })
  const node = cluster.nodes[0].name
  const profile = defaultProfile()

  it('counts the entries every frontend needs, whether or not the map took them', () => {
    const roomy = b.ebpf(cluster, node, profile, { bpfLbMapMax: 4096 }) as EbpfNode
    const cramped = b.ebpf(cluster, node, profile, { bpfLbMapMax: 64 }) as EbpfNode
    expect(cramped.overflows().some((o) => o.map === 'cilium_lb4_services_v2')).toBe(true)
    expect(roomy.overflows().some((o) => o.map === 'cilium_lb4_services_v2')).toBe(false)
    const needed = b.lbEntriesNeeded!(roomy)
    expect(needed).toBe(roomy.maps.services.size)
    expect(b.lbEntriesNeeded!(cramped)).toBe(needed)
  })

  it('keeps the default while it holds every entry, else the next power of two', () => {
    expect(lbMapMaxFor(0)).toBeNull()
    expect(lbMapMaxFor(DEFAULT_LB_MAP_MAX)).toBeNull()
    expect(lbMapMaxFor(DEFAULT_LB_MAP_MAX + 1)).toBe(131072)
    expect(lbMapMaxFor(1_240_523)).toBe(2 ** 21)
  })

  it("the report's reusing builders keep the hook and build again when the options differ", () => {
    const r = reusingBuilders(b)
    const size = { services: 20, endpoints: 2, policies: 0, nodes: 2, seed: 3 }
    const c = r.generate(size)
    const n = c.nodes[0].name
    const first = r.ebpf(c, n, profile)
    expect(r.ebpf(c, n, profile)).toBe(first)
    expect(r.ebpf(c, n, profile, { nodeMemoryBytes: c.nodes[0].memoryBytes })).toBe(first)
    const bigLb = r.ebpf(c, n, profile, { bpfLbMapMax: 131072 })
    expect(bigLb).not.toBe(first)
    expect(r.ebpf(c, n, profile, { bpfLbMapMax: 131072, nodeMemoryBytes: undefined })).toBe(bigLb)
    // the plan for another node memory sizes CT/NAT from it: not the suite's node
    const small = r.ebpf(c, n, profile, { bpfLbMapMax: 131072, nodeMemoryBytes: 2 ** 30 }) as EbpfNode
    expect(small).not.toBe(bigLb)
    expect(small.sizing().find((row) => row.map === 'cilium_ct4_global')?.max).not.toBe(
      (bigLb as EbpfNode).sizing().find((row) => row.map === 'cilium_ct4_global')?.max,
    )
    expect(r.lbEntriesNeeded).toBe(b.lbEntriesNeeded)
    // released: the next build is a new dataplane of the same cluster, kept again from then on
    r.release?.()
    expect(r.generate(size)).toBe(c)
    const again = r.ebpf(c, n, profile)
    expect(again).not.toBe(first)
    expect(r.ebpf(c, n, profile)).toBe(again)
    expect(r.iptables(c, n, profile)).toBe(r.iptables(c, n, profile))
  })
})
