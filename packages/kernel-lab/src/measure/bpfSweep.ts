import { join } from 'node:path'
import { ipToU32, u32ToIp } from '@dataplane-sim/cluster'
import {
  attachLookup,
  bpftoolBatch,
  compileLookupProgram,
  loadEntries,
  readStats,
  updateOne,
} from '../bpf/tcLookup'
import { progRunNs, testFrame } from '../bpf/testRun'
import { run } from '../exec/run'
import { bpfBatchCounts, bpfOneUpdateCounts, bpfPacketCounts } from '../fit/counts'
import { resetNode } from '../rules/restore'
import { LAB_ADDRESSES } from '../topology/addressPlan'
import type { Lab } from '../topology/lab'
import { pingRtt } from './probe'
import type { Progress } from './restoreSweep'
import { summarize, trimmedMean } from './stats'
import type { Measurement, SweepPlan } from './types'

/** Map keys of the sweep: consecutive addresses of the service CIDR, as ClusterIPs would be. */
function frontendKeys(from: number, to: number): string[] {
  const base = ipToU32(LAB_ADDRESSES.serviceCIDR.split('/')[0])
  const out: string[] = []
  for (let i = from; i < to; i++) out.push(u32ToIp((base + i) >>> 0))
  return out
}

/**
 * The eBPF side: a tc program on the node's client link looks each packet's destination up in a hash map of
 * N entries. Three things per size: the round trip with the program (absolute: it should stay flat whatever N
 * is), the program's own run time by BPF_PROG_TEST_RUN (the lookup cost the fit uses), and a single
 * `bpftool map update` into the map. Then `bpftool batch` loads of growing size into a fresh range.
 *
 * In passes, each pass attaching a freshly loaded program with a fresh map (measure/passes.ts): the
 * kernel-timed lookup of one load is tight (64, 64, 65 ns) but differs between loads a minute apart (65 vs 88
 * ns, at 0 entries too), so what varies per load — the JIT image's and the map's placement, the test-run
 * harness — must be sampled once per pass, or no spread of one calibration can contain a rerun. The bpftool
 * process starts (one update, batches) are spread over the passes alike.
 */
export async function bpfSweep(
  lab: Lab,
  plan: SweepPlan,
  progress: Progress = () => {},
): Promise<Measurement[]> {
  const largest =
    Math.max(...plan.bpfEntries, ...plan.bpfBatch) + plan.bpfBatch.reduce((a, b) => a + b, 0) + 16
  await resetNode(lab)
  const prog = await compileLookupProgram(largest)
  const sizes = [...plan.bpfEntries].sort((a, b) => a - b)
  const points = sizes.map((entries) => ({
    entries,
    rtt: [] as number[],
    progNs: [] as number[],
    one: [] as number[],
    packets: 0,
    hits: 0,
  }))
  const batches = plan.bpfBatch.map((n) => ({ n, runs: [] as number[] }))
  const framePath = join(prog.object, '..', 'frame.bin')
  const hitFrame = testFrame(LAB_ADDRESSES.client, LAB_ADDRESSES.server)
  const programs: number[] = []
  try {
    for (let r = 0; r < plan.runs; r++) {
      // a fresh program and map each pass (tc loads the object again; nothing is pinned)
      const attached = await attachLookup(lab, prog.object)
      programs.push(attached.progId)
      try {
        // the server's address is always in the map, so every lab packet's lookup hits, as a service packet's does
        await loadEntries(attached.mapId, [LAB_ADDRESSES.server])
        let loaded = 0
        for (const p of points) {
          if (p.entries > loaded) await loadEntries(attached.mapId, frontendKeys(loaded, p.entries))
          loaded = Math.max(loaded, p.entries)
          p.rtt.push(trimmedMean((await pingRtt(lab, LAB_ADDRESSES.server, plan.pings)).rtts))
          p.progNs.push(await progRunNs(attached.progId, framePath, hitFrame, 200_000))
          p.one.push(await updateOne(attached.mapId, LAB_ADDRESSES.server, r + 2))
          const stats = await readStats(attached.statsMapId)
          p.packets += stats.packets
          p.hits += stats.hits
          progress(
            `bpf pass ${r + 1} ${p.entries} entries: rtt ${(p.rtt[r] / 1000).toFixed(2)} µs, program ${p.progNs[r]} ns`,
          )
        }
        // each size its own fresh key range above the lookup sweep's, deleted again after
        let next = loaded
        for (const b of batches) {
          const keys = frontendKeys(next, next + b.n)
          next += b.n
          b.runs.push(await loadEntries(attached.mapId, keys))
          await run(['bpftool', 'batch', 'file', '-'], {
            input: bpftoolBatch(attached.mapId, keys, 'delete'),
          })
        }
      } finally {
        await attached.detach()
      }
    }
  } finally {
    prog.dispose()
  }
  const out: Measurement[] = []
  for (const p of points) {
    // the stats map is per load: packets and hits summed over the passes (counters read after each size, so
    // a size's figures include the smaller sizes' packets of the same pass)
    const notes = {
      entries: p.entries,
      packets: p.packets,
      hits: p.hits,
      passes: plan.runs,
      programs: programs.length,
    }
    out.push({
      experiment: 'packet-bpf',
      backend: 'bpf',
      size: p.entries,
      unit: 'ns',
      runs: p.progNs,
      summary: summarize(p.progNs),
      counts: bpfPacketCounts(),
      notes: { ...notes, method: 'BPF_PROG_TEST_RUN, a fresh program and map each pass' },
    })
    out.push({
      experiment: 'packet-bpf-rtt',
      backend: 'bpf',
      size: p.entries,
      unit: 'ns',
      runs: p.rtt,
      summary: summarize(p.rtt),
      counts: {},
      notes: {
        ...notes,
        method: 'ping round trip (absolute): flat means the lookup does not grow with the map',
      },
    })
    out.push({
      experiment: 'bpf-update-one',
      backend: 'bpf',
      size: p.entries,
      unit: 's',
      runs: p.one,
      summary: summarize(p.one),
      counts: bpfOneUpdateCounts(),
      notes,
    })
  }
  for (const { n, runs } of batches) {
    progress(`bpftool batch ${n} updates: ${summarize(runs).median.toFixed(3)} s`)
    out.push({
      experiment: 'bpf-update-batch',
      backend: 'bpf',
      size: n,
      unit: 's',
      runs,
      summary: summarize(runs),
      counts: bpfBatchCounts(n),
      notes: { passes: plan.runs },
    })
  }
  return out
}
