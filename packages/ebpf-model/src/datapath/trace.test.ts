import { parsePacket } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { smallCluster, withApiService } from '../../test/fixtures'
import { buildEbpfNode } from '../node/buildEbpfNode'
import { formatEbpfTrace } from './trace'

describe('formatEbpfTrace', () => {
  it('prints programs, map lookups with keys and values, the translation, the verdict and the cost', () => {
    const t = buildEbpfNode(withApiService(smallCluster()), 'a', { seed: 2 }).classify(
      parsePacket('tcp 10.244.0.10:40000 -> 10.96.0.10:80'),
    )
    const text = formatEbpfTrace(t)
    expect(text).toMatch(/^cil_sock4_connect: socket-LB at connect\(\)$/m)
    expect(text).toMatch(
      /HIT +cilium_lb4_services_v2 10\.96\.0\.10:80\/TCP \(slot 0, scope ext\) {2}=> count=2/,
    )
    expect(text).toMatch(/service translated to 10\.244\.[01]\.20:8080/)
    expect(text).toMatch(/^-> forwarded via /m)
    expect(text).toMatch(/^cost: \d+ ns modeled \(.*bpf\.lookup\.hash:cilium_lb4_services_v2=2/m)
  })

  it('names the drop reason as cilium monitor does', () => {
    const t = buildEbpfNode(withApiService(smallCluster()), 'a').classify(
      parsePacket('tcp 203.0.113.9:5555 -> 10.96.0.10:80'),
    )
    expect(formatEbpfTrace(t)).toMatch(/^xx drop \(Is a ClusterIP\)$/m)
  })
})
