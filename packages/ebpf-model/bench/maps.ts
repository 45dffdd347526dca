/**
 * BPF map primitive benchmark: nanoseconds per lookup of the model's HASH (numeric keys), LRU_HASH (CT tuples
 * packed into string keys, through the cilium/ conntrack wrapper; and the datapath's CtTable, numeric tuples on
 * typed arrays) and LPM_TRIE (ipcache-shaped /32s under a few
 * shorter prefixes) at 1 %, 50 % and 100 % of 65,536 entries, and per update. These time the *model* in
 * Node, not the kernel: the kernel's figures are the EBPF_MAP_CONSTANTS, printed alongside for comparison.
 * Run: npx tsx packages/ebpf-model/bench/maps.ts   Writes reports/bench/bpf-maps.json.
 * The machine has 2 shared cores: treat the timings as provisional.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { createRng } from '@dataplane-sim/cluster'
import { Bench } from 'tinybench'
import { ctEntry } from '../src/cilium/_testing'
import { createCtMap } from '../src/cilium/ctMap'
import { CtTable } from '../src/datapath/ctTable'
import { EBPF_MAP_CONSTANTS } from '../src/maps/costConstants'
import { BpfHashMap } from '../src/maps/hashMap'
import { BpfLpmTrie } from '../src/maps/lpmTrie'
import { OpCounts } from '../src/maps/opCounts'

const MAX = 65536
const FILLS = [0.01, 0.5, 1]
const OPS = 1000
const rng = createRng(42)

function distinctU32(n: number): Uint32Array {
  const seen = new Set<number>()
  const out = new Uint32Array(n)
  let i = 0
  while (i < n) {
    const x = rng.u32()
    if (seen.has(x)) continue
    seen.add(x)
    out[i++] = x
  }
  return out
}

const ct = () => ctEntry(60)

const bench = new Bench({ time: 300, warmupTime: 50 })
let sink = 0

for (const fill of FILLS) {
  const n = Math.round(MAX * fill)
  const keys = distinctU32(n)
  const probe = (i: number) => keys[i % n]

  const hash = new BpfHashMap<number, number>({
    name: 'bench_hash',
    keySize: 4,
    valueSize: 8,
    maxEntries: MAX,
  })
  for (let i = 0; i < n; i++) hash.update(keys[i], i)
  bench.add(`lookup hash ${fill * 100}%`, () => {
    for (let i = 0; i < OPS; i++) sink += hash.lookup(probe(i)) ?? 0
  })

  const lru = createCtMap('tcp', { maxEntries: MAX })
  for (let i = 0; i < n; i++)
    lru.create(
      { saddr: keys[i], daddr: 0x0a600001, sport: i & 0xffff, dport: 80, nexthdr: 6, flags: 0 },
      ct(),
    )
  bench.add(`lookup lru_hash ${fill * 100}%`, () => {
    for (let i = 0; i < OPS; i++) {
      const j = i % n
      sink += lru.lookup(0x0a600001, keys[j], 80, j & 0xffff, 6, 0)?.lifetime ?? 0
    }
  })

  // the datapath's conntrack: the same LRU semantics on typed arrays, numeric 5-tuple keys
  const ctt = new CtTable({ name: 'cilium_ct4_global', keySize: 16, valueSize: 56, maxEntries: MAX })
  const ops = new OpCounts()
  for (let i = 0; i < n; i++)
    ctt.create(6, keys[i], i & 0xffff, 0x0a600001, 80, false, 0, 1, 1, 1, false, ops)
  bench.add(`lookup lru_hash (datapath CtTable) ${fill * 100}%`, () => {
    for (let i = 0; i < OPS; i++) {
      const j = i % n
      sink += ctt.find(6, keys[j], j & 0xffff, 0x0a600001, 80, false, ops)
    }
    ops.reset()
  })

  const lpm = new BpfLpmTrie<number>({
    name: 'bench_lpm',
    keySize: 24,
    valueSize: 12,
    maxEntries: MAX,
    maxPrefixLen: 32,
  })
  // ipcache shape: world /0, a few /8 and /16 CIDRs, the rest /32 endpoints
  lpm.update(0, 0, 2)
  for (let i = 0; i < Math.min(64, n); i++) lpm.update(i % 2 ? 8 : 16, keys[i], 3)
  for (let i = 64; i < n; i++) if (!lpm.has(32, keys[i])) lpm.update(32, keys[i], i)
  bench.add(`lookup lpm_trie ${fill * 100}%`, () => {
    for (let i = 0; i < OPS; i++) sink += lpm.lookup(probe(i)) ?? 0
  })

  if (fill === 0.5) {
    bench.add('update hash (replace) 50%', () => {
      for (let i = 0; i < OPS; i++) hash.update(probe(i), i)
    })
    const entry = ct()
    bench.add('update lru_hash (replace) 50%', () => {
      for (let i = 0; i < OPS; i++) {
        const j = i % n
        lru.create(
          { saddr: keys[j], daddr: 0x0a600001, sport: j & 0xffff, dport: 80, nexthdr: 6, flags: 0 },
          entry,
        )
      }
    })
    bench.add('update lpm_trie (replace /32) 50%', () => {
      for (let i = 64; i < OPS + 64; i++) lpm.update(32, keys[i % n], i)
    })
  }
  if (fill === 1) {
    let next = 0
    const fresh = distinctU32(OPS * 64)
    const entry = ct()
    bench.add('update lru_hash (insert with eviction) 100%', () => {
      for (let i = 0; i < OPS; i++) {
        const x = fresh[next++ % fresh.length]
        lru.create({ saddr: x, daddr: 0x0a600002, sport: 1, dport: 80, nexthdr: 6, flags: 0 }, entry)
      }
    })
  }
}

await bench.run()

const figures = bench.tasks.map((t) => {
  const r = t.result
  const mean = r && 'latency' in r ? r.latency.mean : Number.NaN
  const rme = r && 'latency' in r ? r.latency.rme : Number.NaN
  return { task: t.name, nsPerOp: Math.round((mean * 1e6) / OPS), rmePercent: Math.round(rme * 10) / 10 }
})
console.table(figures)
if (sink === 42) console.log('')

const out = join(import.meta.dirname, '..', '..', '..', 'reports', 'bench', 'bpf-maps.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(
  out,
  `${JSON.stringify(
    {
      name: 'bpf-maps',
      description:
        'Model BPF map primitives in Node: ns per operation (mean of batches of 1000), 65,536 max entries; ' +
        'provisional: 2 shared cores. These time the simulator, not the kernel; kernel constants listed apart.',
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryBytes: totalmem(),
        platform: process.platform,
        loadAverage: loadavg(),
      },
      node: process.version,
      date: new Date().toISOString(),
      figures,
      kernelConstants: Object.fromEntries(
        Object.entries(EBPF_MAP_CONSTANTS).map(([k, c]) => [k, { ns: c.value, source: c.source }]),
      ),
    },
    null,
    2,
  )}\n`,
)
console.log(`wrote ${out}`)
