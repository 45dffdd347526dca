/**
 * A feasibility probe for the 1M-first-packets target, not a target benchmark (it writes no report): the lookups
 * and writes a lean first packet from a local pod to a ClusterIP makes, on the real maps of a built node, fused
 * into one function: source endpoint (cilium_lxc), connected-socket miss, service master (index cell), random
 * slot and its record, socket insert, conntrack lookup of the tuple and its reverse, destination identity (the
 * slot's ipcache copy or the ipcache), egress policy (two policy-map lookups), conntrack create, destination
 * endpoint and its ingress policy (two lookups), with the lookups counted into an OpCounts as the pipeline counts
 * them. Left out, which the pipeline does: program counts, hairpin, the kernel conntrack figures, the verdict and
 * modeled ns, and every other branch (a packet that would take one is simply skipped). It measures what the
 * pipeline's structure (ctx, flows, the split into programs, traces) costs over the work itself.
 * Run: npx tsx packages/ebpf-model/bench/leanFloor.ts [services] [fused|pipeline]   (default 100000 fused): CPU ns
 * per first packet per batch of 100k, on the same 600k flows either way.
 * Session 11 (alternating runs): 100k services fused 826-881, pipeline 1249-1386; 100 services 663-698 against
 * 1010-1102. Session 12, with the pipeline's lean pod-connect path (`leanPodConnect`), in a slower window:
 * 100k services fused 889-1000, pipeline 1129-1334; 100 services 690-1046 against 934-1103. The fused floor
 * flatters: it skips the services without backends (about 5 % of these packets) and draws a random slot for
 * the session-affinity ones (another 5 %) where the pipeline makes the affinity lookup and write.
 */
import { ipToU32 } from '@dataplane-sim/cluster'
import { SCOPE_EXT } from '../src/agent/services'
import { batchResults, tupleBatchOf } from '../src/datapath/batch'
import { serviceKey } from '../src/datapath/maps'
import { OpCounts } from '../src/maps/opCounts'
import { buildEbpfNode } from '../src/node/buildEbpfNode'
import { PIPELINE_MAXIMA, pipelineSetup } from './_pipelineSetup'

const services = Number(process.argv[2] ?? 100000)
const mode = process.argv[3] ?? 'fused'
const s = pipelineSetup(services)
const node = buildEbpfNode(s.cluster, s.nodeName, PIPELINE_MAXIMA)
const dp = node.datapath
const m = dp.maps
const N = 600_000
for (const t of [m.ct, m.ctAny, dp.sockets]) {
  t.reserveBuckets(N + 20000)
  t.prefault(t.size + N + 20000)
}
const clients = s.clients.map(ipToU32)
const vips = s.vips.map((v) => ({ ip: ipToU32(v.ip), port: v.port, proto: v.proto === 'UDP' ? 17 : 6 }))
const proto = new Int32Array(N),
  saddr = new Uint32Array(N),
  sport = new Int32Array(N),
  daddr = new Uint32Array(N),
  dport = new Int32Array(N)
let x = 7
for (let i = 0; i < N; i++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0
  const v = vips[x % vips.length]
  proto[i] = v.proto
  saddr[i] = clients[i % clients.length]
  sport[i] = 1024 + (Math.floor(i / clients.length) % 64000)
  daddr[i] = v.ip
  dport[i] = v.port
}
// warm: make the master index and slot records
dp.classifyTuples(
  tupleBatchOf([{ proto: 6, saddr: clients[0], sport: 100, daddr: vips[0].ip, dport: vips[0].port }]),
  batchResults(1),
)
const ops = new OpCounts()
const sv = m.services
let acc = 0
function fused(i: number) {
  ops.reset()
  const p = proto[i],
    sa = saddr[i],
    sp = sport[i],
    da = daddr[i],
    dpo = dport[i]
  const src = m.lxc.peek(sa)
  if (!src) return
  if (dp.sockets.findSocket(p, sa, sp, da, dpo) >= 0) return
  const c = sv.lookupMaster(serviceKey(da, dpo, p, SCOPE_EXT), ops)
  if (c < 0 || !sv.masterPlain(c)) return
  const count = sv.masterCount(c),
    base = sv.masterSlotBase(c)
  if (count <= 0 || base <= 0) return
  const id = sv.lookupSlotBackendInto(-(base + dp.rng.int(count)), ops)
  if (id < 0) return
  const addr = m.backends.foundAddr,
    port = m.backends.foundPort
  dp.sockets.connect(p, sa, sp, da, dpo, id, sv.masterRevNat(c), addr, port, true)
  const ct = p === 6 ? m.ct : m.ctAny
  if (ct.findWithReverse(p, sa, sp, addr, port, false, ops) >= 0) return
  if (ct.findReverse(ops) >= 0) return
  const dstId = sv.foundIpcacheValid ? sv.foundIpcacheNum : m.ipcache.lookupNumWordsInto(addr, 0, ops)
  const trie = m.policy.get(src.endpointId)
  if (!trie) return
  const w1 = ((1 << 24) | (p << 16) | port) >>> 0
  const l3 = trie.lookupNumWordsInto(dstId >>> 0, w1, ops)
  const any = trie.lookupNumWordsInto(0, w1, ops)
  if (l3 < 0 && any < 0) return
  ct.create(p, sa, sp, addr, port, false, dp.now, 1, id, src.identity, false, ops, true)
  const dst = m.lxc.lookupInto(addr, ops)
  if (dst) {
    const t2 = m.policy.get(dst.endpointId)
    if (t2) {
      const v1 = ((0 << 24) | (p << 16) | port) >>> 0
      acc += t2.lookupNumWordsInto(src.identity >>> 0, v1, ops) + t2.lookupNumWordsInto(0, v1, ops)
    }
  }
  acc += ops.get(0)
}
const B = 100_000
const results = batchResults(1000)
for (let b = 0; b < N; b += B) {
  const c0 = process.cpuUsage()
  if (mode === 'fused') for (let i = b; i < b + B; i++) fused(i)
  else
    for (let f = b; f < b + B; f += 1000)
      dp.classifyTuples(
        {
          length: 1000,
          proto: proto.subarray(f, f + 1000),
          saddr: saddr.subarray(f, f + 1000),
          sport: sport.subarray(f, f + 1000),
          daddr: daddr.subarray(f, f + 1000),
          dport: dport.subarray(f, f + 1000),
          tcpFlags: new Int32Array(1000).fill(-1),
        },
        results,
        { steps: false },
      )
  const cu = process.cpuUsage(c0)
  console.log(
    `${mode} ${services} batch ${b / B}: ${(((cu.user + cu.system) * 1e3) / B).toFixed(0)} CPU ns/packet`,
  )
}
if (acc === 0.5) console.log('x')
