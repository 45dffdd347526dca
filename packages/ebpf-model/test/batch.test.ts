import { type Cluster, ipToU32, type Packet, type Trace } from '@dataplane-sim/cluster'
import { arbChanges, arbCluster, arbPacket } from '@dataplane-sim/cluster/testing'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BatchPrefetch, batchResults, tupleBatchOf, VERDICT_CODE } from '../src/datapath/batch'
import { type PacketTuple, packetTuple } from '../src/datapath/packetTuple'
import { Datapath } from '../src/datapath/pipeline'
import { buildEbpfNode, type EbpfNode } from '../src/node/buildEbpfNode'
import { service, slice, smallCluster } from './fixtures'

/** The size rule's threshold as shipped (`Datapath.touchMinBytes`), restored after each test that moves it. */
const TOUCH_MIN_BYTES = Datapath.touchMinBytes

/**
 * `Datapath.classifyTuples` (groups of packets whose map reads are first touched by pure-read passes, then the
 * per-packet pipeline in packet order) gives exactly what `classifyTuple` gives packet after packet: the same
 * traces (verdict, translation, drop reason, candidates, steps, counts and modeled ns), and the same state
 * after (conntrack entries in LRU order, connected sockets, NAT and affinity entries, kernel conntrack
 * figures, map counters, the RNG's next draw), on twin nodes built from the same cluster and seed. Packet
 * sequences repeat flows, reply to earlier ones (inside a batch and across batches, to the translated
 * backend) and overflow small conntrack maps (LRU eviction inside a batch). A third twin runs each batch without
 * a trace list, the lean path (no trace, text or candidate made; not in enumerate mode): its verdict and
 * modeled-ns columns and the state after must be the same too.
 */

type Tuple = PacketTuple

const reversed = (t: Omit<Tuple, 'flags'>): Omit<Tuple, 'flags'> => ({
  proto: t.proto,
  saddr: t.daddr,
  sport: t.dport,
  daddr: t.saddr,
  dport: t.sport,
})

interface Pick {
  kind: 'new' | 'repeat' | 'reply'
  at: number
  flags: number
}

/** A batch from `picks`: new flows from `pool`, repeats and replies of earlier packets (`earlier`: their traces). */
function sequence(pool: Packet[], picks: Pick[], before: Tuple[], earlier: Trace[]): Tuple[] {
  const out: Tuple[] = []
  for (const p of picks) {
    const seen = before.length + out.length
    if (p.kind === 'new' || seen === 0) {
      out.push({ ...packetTuple(pool[p.at % pool.length]), flags: p.flags })
      continue
    }
    const k = p.at % seen
    const t = k < before.length ? before[k] : out[k - before.length]
    if (p.kind === 'repeat') {
      out.push({ ...t, flags: p.flags })
      continue
    }
    // a reply comes from the translated backend when the earlier packet's trace (a previous batch) names one
    const dnat = k < earlier.length ? earlier[k].dnat : null
    const r = dnat ? { ...reversed(t), saddr: ipToU32(dnat.ip), sport: dnat.port } : reversed(t)
    out.push({ ...r, flags: p.flags })
  }
  return out
}

/** Everything a packet can change on a node, in comparable form. */
function stateOf(n: EbpfNode, tuples: Tuple[]) {
  const dp = n.datapath
  return {
    ct: [...dp.maps.ct.entries()],
    ctAny: [...dp.maps.ctAny.entries()],
    ctEvicted: [dp.maps.ct.counters.evictions, dp.maps.ctAny.counters.evictions],
    snat: [...dp.maps.snat.entries()],
    affinity: [...dp.maps.affinity.entries()],
    sockets: dp.sockets.size,
    socketOf: tuples.map((t) => {
      const s = dp.sockets.findSocket(t.proto, t.saddr, t.sport, t.daddr, t.dport)
      return s < 0 ? null : [dp.sockets.backendId(s), dp.sockets.revNat(s)]
    }),
    kernelCt: { ...dp.kernelCt },
    counters: dp.maps.all().map(({ name, map }) => [name, { ...map.counters }]),
    nextDraw: dp.rng.u32(),
  }
}

const arbCase = arbCluster({ maxNodes: 3, maxServices: 6, maxPolicies: 4 }).chain((cluster: Cluster) =>
  fc.record({
    cluster: fc.constant(cluster),
    pool: fc.array(arbPacket(cluster), { minLength: 1, maxLength: 12 }),
    batches: fc.array(
      fc.array(
        fc.record({
          kind: fc.constantFrom<Pick['kind']>('new', 'new', 'repeat', 'reply'),
          at: fc.nat(),
          flags: fc.constantFrom(-1, -1, 0x02, 0x10, 0x12, 0x11, 0x04),
        }),
        { minLength: 1, maxLength: 90 },
      ),
      { minLength: 1, maxLength: 3 },
    ),
    socketLb: fc.boolean(),
    maglev: fc.boolean(),
    smallCt: fc.boolean(),
    steps: fc.boolean(),
    // enumerate mode counts policy lookups for every candidate: a batch without traces then is not lean
    enumerate: fc.constantFrom(false, false, false, true),
    // undefined: by the size rule (these clusters are far below it: off), unless touchAll makes it 0
    touch: fc.constantFrom(true, true, true, false, undefined),
    touchAll: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1000 }),
  }),
)

describe('classifyTuples (batch) against classifyTuple packet by packet', () => {
  afterEach(() => {
    Datapath.touchMinBytes = TOUCH_MIN_BYTES
  })

  it('gives the same traces and leaves the same state, for random clusters and packet sequences', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const nodeName = c.pool[0].node
        const opts = {
          seed: c.seed,
          bpfLbSock: c.socketLb,
          bpfLbAlgorithm: c.maglev ? ('maglev' as const) : ('random' as const),
          maglevTableSize: 251,
          ...(c.smallCt ? { maxima: { ctTcp: 8, ctAny: 8 } } : {}),
        }
        Datapath.touchMinBytes = c.touchAll ? 0 : TOUCH_MIN_BYTES
        const seq = buildEbpfNode(c.cluster, nodeName, opts)
        const bat = buildEbpfNode(c.cluster, nodeName, opts)
        // the lean path: no trace list, so no trace, text or candidate is made
        const lean = buildEbpfNode(c.cluster, nodeName, opts)
        const pool = c.pool.map((pc) => pc.packet)
        const all: Tuple[] = []
        const traces: Trace[] = []
        const o = { steps: c.steps, enumerate: c.enumerate }
        for (const picks of c.batches) {
          const ts = sequence(pool, picks, all, traces)
          const expected = ts.map((t) =>
            seq.datapath.classifyTuple(t.proto, t.saddr, t.sport, t.daddr, t.dport, t.flags, o),
          )
          const out = batchResults(ts.length, true)
          bat.datapath.classifyTuples(tupleBatchOf(ts), out, o, c.touch)
          expect(out.traces).toEqual(expected)
          expect(Array.from(out.verdict)).toEqual(expected.map((t) => VERDICT_CODE[t.verdict]))
          expect(Array.from(out.modeledNs)).toEqual(expected.map((t) => t.cost.ns))
          const bare = batchResults(ts.length)
          lean.datapath.classifyTuples(tupleBatchOf(ts), bare, o, c.touch)
          expect(Array.from(bare.verdict)).toEqual(expected.map((t) => VERDICT_CODE[t.verdict]))
          expect(Array.from(bare.modeledNs)).toEqual(expected.map((t) => t.cost.ns))
          all.push(...ts)
          traces.push(...expected)
        }
        const after = stateOf(seq, all)
        expect(stateOf(bat, all)).toEqual(after)
        expect(stateOf(lean, all)).toEqual(after)
      }),
      { numRuns: 120 },
    )
  })

  it('stays the same through watch events between batches (lean packets read the slot copies the events made stale)', () => {
    // the lean path reads a backend's address and the ipcache's answer for it from its services-map slot's
    // copies (`ServicesMap.slotCopy`); pod relabels, pods and services coming and going change the ipcache
    // and backends maps under them. Packets: new connections from the node's pods to service cluster IPs
    // (the path that reads the copies), and the arbitrary packets of the other tests.
    const arb = arbCluster({ maxNodes: 2, maxServices: 5, maxPolicies: 4 }).chain((cluster: Cluster) =>
      fc.record({
        cluster: fc.constant(cluster),
        node: fc.constantFrom(...cluster.nodes.map((n) => n.name)),
        other: fc.array(arbPacket(cluster), { maxLength: 4 }),
        changes: arbChanges(cluster, 4),
        picks: fc.array(fc.record({ at: fc.nat(), sport: fc.integer({ min: 1024, max: 65535 }) }), {
          minLength: 5,
          maxLength: 40,
        }),
        seed: fc.integer({ min: 1, max: 1000 }),
      }),
    )
    fc.assert(
      fc.property(arb, (c) => {
        const pods = c.cluster.pods.filter((p) => p.nodeName === c.node && !p.hostNetwork)
        const vips = c.cluster.services.flatMap((s) =>
          s.clusterIP === 'None'
            ? []
            : s.ports
                .filter((p) => p.protocol !== 'SCTP')
                .map((p) => ({ ip: s.clusterIP, port: p.port, proto: p.protocol })),
        )
        const opts = { seed: c.seed }
        const seq = buildEbpfNode(c.cluster, c.node, opts)
        const lean = buildEbpfNode(c.cluster, c.node, opts)
        const all: Tuple[] = []
        for (let b = 0; b <= c.changes.length; b++) {
          if (b > 0) {
            seq.apply(c.changes[b - 1])
            lean.apply(c.changes[b - 1])
          }
          const ts: Tuple[] = c.other.map((o) => ({ ...packetTuple(o.packet), flags: -1 }))
          if (pods.length > 0 && vips.length > 0)
            for (const p of c.picks) {
              const v = vips[p.at % vips.length]
              const src = pods[Math.floor(p.at / vips.length) % pods.length]
              const packet: Packet = {
                protocol: v.proto === 'UDP' ? 'udp' : 'tcp',
                src: src.ip,
                dst: v.ip,
                // a new connection per batch (the source port moves with it)
                sport: 1024 + ((p.sport + 7919 * b) % 64000),
                dport: v.port,
              }
              ts.push({ ...packetTuple(packet), flags: 0x02 })
            }
          const expected = ts.map((t) =>
            seq.datapath.classifyTuple(t.proto, t.saddr, t.sport, t.daddr, t.dport, t.flags, {
              steps: false,
            }),
          )
          const bare = batchResults(ts.length)
          lean.datapath.classifyTuples(tupleBatchOf(ts), bare)
          expect(Array.from(bare.verdict)).toEqual(expected.map((t) => VERDICT_CODE[t.verdict]))
          expect(Array.from(bare.modeledNs)).toEqual(expected.map((t) => t.cost.ns))
          all.push(...ts)
        }
        expect(stateOf(lean, all)).toEqual(stateOf(seq, all))
      }),
      { numRuns: 80 },
    )
  })

  it('takes each turn of the lean pod connect (`leanPodConnect`) as classifyTuple does', () => {
    // node a, client-a connecting to services: a session-affinity service (a new entry, then its backend
    // kept while the entry is fresh, then a new choice once it expired), a service whose only backend the client already reached directly with the same source
    // port (an established CT entry) or that already sent to that port (a reply entry), and a service whose
    // backend is outside the cluster (BPF masquerade); beside them, a plain random service
    const base = smallCluster()
    const api = [
      { ip: '10.244.0.20', node: 'a', pod: 'api-a' },
      { ip: '10.244.1.20', node: 'b', pod: 'api-b' },
    ]
    const cluster: Cluster = {
      ...base,
      services: [
        service({ name: 'api', clusterIP: '10.96.0.10' }),
        service({
          name: 'sticky',
          clusterIP: '10.96.0.11',
          sessionAffinity: 'ClientIP',
          sessionAffinityTimeoutSeconds: 600,
        }),
        service({ name: 'one', clusterIP: '10.96.0.12', selector: { app: 'api', pod: 'a' } }),
        service({ name: 'ext', clusterIP: '10.96.0.13', selector: undefined }),
      ],
      endpointSlices: [
        slice('api', api),
        slice('sticky', api),
        slice('one', [api[0]]),
        slice('ext', [{ ip: '198.51.100.7', node: '' }]),
      ],
    }
    const client = '10.244.0.10'
    const packets: Packet[] = [
      { protocol: 'tcp', src: client, sport: 40000, dst: '10.96.0.11', dport: 80 },
      { protocol: 'tcp', src: client, sport: 40001, dst: '10.96.0.11', dport: 80 },
      { protocol: 'tcp', src: client, sport: 40002, dst: '10.244.0.20', dport: 8080 },
      { protocol: 'tcp', src: client, sport: 40002, dst: '10.96.0.12', dport: 80 },
      { protocol: 'tcp', src: '10.244.0.20', sport: 8080, dst: client, dport: 40003 },
      { protocol: 'tcp', src: client, sport: 40003, dst: '10.96.0.12', dport: 80 },
      { protocol: 'tcp', src: client, sport: 40004, dst: '10.96.0.13', dport: 80 },
      { protocol: 'tcp', src: client, sport: 40005, dst: '10.96.0.10', dport: 80 },
      { protocol: 'tcp', src: client, sport: 40006, dst: '10.96.0.11', dport: 80 },
      { protocol: 'tcp', src: client, sport: 40007, dst: '10.96.0.11', dport: 80 },
      { protocol: 'tcp', src: client, sport: 40008, dst: '10.96.0.11', dport: 80 },
    ]
    // the node's clock at each packet: the kept entry's use renewed at 100 s (so still fresh at 650 s, 600 s
    // after it was written), then renewed at 650 s, and past its 600 s timeout at 1300 s
    const at = [0, 100, 100, 100, 100, 100, 100, 100, 100, 650, 1300]
    const ts = packets.map((p) => ({ ...packetTuple(p), flags: -1 }))
    for (const seed of [1, 2, 3, 4]) {
      const seq = buildEbpfNode(cluster, 'a', { seed })
      const lean = buildEbpfNode(cluster, 'a', { seed })
      const expected = ts.map((t, i) => {
        seq.datapath.now = at[i]
        return seq.datapath.classifyTuple(t.proto, t.saddr, t.sport, t.daddr, t.dport, t.flags, {
          steps: false,
        })
      })
      // the turns this test is about (on every seed)
      expect(expected.map((t) => [t.verdict, t.dnat?.ip ?? null, t.masquerade])).toEqual([
        ['forward', expect.any(String), false],
        ['forward', expected[0].dnat?.ip, false],
        ['forward', null, false],
        ['forward', '10.244.0.20', false],
        ['forward', null, false],
        // a reply: reverse NAT, no translation shown
        ['forward', null, false],
        ['forward', '198.51.100.7', true],
        ['forward', expect.any(String), false],
        ['forward', expected[0].dnat?.ip, false],
        ['forward', expected[0].dnat?.ip, false],
        ['forward', expect.any(String), false],
      ])
      // one batch per reading of the clock
      const verdicts: number[] = []
      const ns: number[] = []
      for (let from = 0; from < ts.length; ) {
        let to = from + 1
        while (to < ts.length && at[to] === at[from]) to++
        lean.datapath.now = at[from]
        const out = batchResults(to - from)
        lean.datapath.classifyTuples(tupleBatchOf(ts.slice(from, to)), out)
        verdicts.push(...out.verdict)
        ns.push(...out.modeledNs)
        from = to
      }
      expect(verdicts).toEqual(expected.map((t) => VERDICT_CODE[t.verdict]))
      expect(ns).toEqual(expected.map((t) => t.cost.ns))
      expect(stateOf(lean, ts)).toEqual(stateOf(seq, ts))
    }
  })

  it('runs the prefetch passes by the size rule unless told: over touchMinBytes of services-map structures', () => {
    const cluster: Cluster = {
      ...smallCluster(),
      services: [service({ name: 'api', clusterIP: '10.96.0.10' })],
      endpointSlices: [slice('api', [{ ip: '10.244.0.20', node: 'a', pod: 'api-a' }])],
    }
    const n = buildEbpfNode(cluster, 'a')
    const t = {
      ...packetTuple({ protocol: 'tcp', src: '10.244.0.10', sport: 40000, dst: '10.96.0.10', dport: 80 }),
      flags: -1,
    }
    const run = vi.spyOn(BatchPrefetch.prototype, 'run')
    try {
      const b = tupleBatchOf([t, t, t])
      n.datapath.classifyTuples(b, batchResults(3))
      const bytes = n.datapath.maps.services.hotBytes
      expect(bytes).toBeGreaterThan(0)
      expect(bytes).toBeLessThan(TOUCH_MIN_BYTES)
      expect(run).not.toHaveBeenCalled()
      Datapath.touchMinBytes = bytes
      n.datapath.classifyTuples(b, batchResults(3))
      expect(run).not.toHaveBeenCalled()
      Datapath.touchMinBytes = bytes - 1
      n.datapath.classifyTuples(b, batchResults(3))
      expect(run).toHaveBeenCalledTimes(1)
      n.datapath.classifyTuples(b, batchResults(3), {}, false)
      expect(run).toHaveBeenCalledTimes(1)
      Datapath.touchMinBytes = TOUCH_MIN_BYTES
      n.datapath.classifyTuples(b, batchResults(3), {}, true)
      expect(run).toHaveBeenCalledTimes(2)
    } finally {
      run.mockRestore()
      Datapath.touchMinBytes = TOUCH_MIN_BYTES
    }
  })

  it('fills only the verdict and modeled-ns columns when no trace list is given', () => {
    const pc = fc.sample(
      arbCluster({ maxNodes: 2, maxServices: 4 }).chain((cluster) =>
        fc.record({ cluster: fc.constant(cluster), p: arbPacket(cluster) }),
      ),
      { numRuns: 1, seed: 7 },
    )[0]
    const n = buildEbpfNode(pc.cluster, pc.p.node)
    const t = { ...packetTuple(pc.p.packet), flags: -1 }
    const out = batchResults(3)
    n.datapath.classifyTuples(tupleBatchOf([t, t, t]), out)
    expect(out.traces).toBeUndefined()
    expect(out.modeledNs.every((ns) => ns > 0)).toBe(true)
  })
})
