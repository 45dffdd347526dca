import { ipToU32, modelCost, parsePacket } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { smallCluster, withApiService } from '../../test/fixtures'
import { buildEbpfNode } from '../node/buildEbpfNode'
import { TCP_ACK, TCP_SYN } from './packetTuple'

const PACKETS = [
  'tcp 10.244.0.10:40000 -> 10.96.0.10:80',
  'tcp 10.244.0.10:40000 -> 10.244.1.20:8080',
  'udp 10.244.0.10:5000 -> 10.244.1.20:53',
  'tcp 203.0.113.9:5555 -> 10.96.0.10:80',
]

describe('Datapath.classify', () => {
  it('gives packets on the same path one frozen counts record whose modelCost is the trace ns', () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a', { seed: 2 })
    const a = node.classify(parsePacket('tcp 10.244.0.10:40000 -> 10.244.1.20:8080'), { steps: false })
    const b = node.classify(parsePacket('tcp 10.244.0.10:40001 -> 10.244.1.20:8080'), { steps: false })
    expect(b.cost.counts).toBe(a.cost.counts)
    expect(Object.isFrozen(a.cost.counts)).toBe(true)
    expect(a.cost.ns).toBeCloseTo(modelCost(a.cost.counts, node.profile), 6)
    const c = node.classify(parsePacket('tcp 10.244.0.10:40000 -> 10.244.1.20:8080'), { steps: false })
    expect(c.cost.counts).not.toEqual(a.cost.counts)
  })

  it('returns from classifyTuple the trace classify(Packet) returns for the same packet', () => {
    const viaText = buildEbpfNode(withApiService(smallCluster()), 'a', { seed: 4 })
    const viaTuple = buildEbpfNode(withApiService(smallCluster()), 'a', { seed: 4 })
    for (const text of PACKETS)
      for (const flags of [undefined, ['SYN'], ['ACK']] as const) {
        const p = { ...parsePacket(text), tcpFlags: flags ? [...flags] : undefined }
        const bits = flags === undefined ? -1 : flags[0] === 'SYN' ? TCP_SYN : TCP_ACK
        const proto = p.protocol === 'tcp' ? 6 : 17
        expect(
          viaTuple.datapath.classifyTuple(proto, ipToU32(p.src), p.sport, ipToU32(p.dst), p.dport, bits),
        ).toEqual(viaText.classify(p))
      }
  })
})
