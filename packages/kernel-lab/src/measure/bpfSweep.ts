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
import { inPasses } from './passes'
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
 * is), the program's own run time by BPF_PROG_TEST_RUN (the lookup cost the fit uses), and a
 * single `bpftool map update` into the map. Then `bpftool batch` loads of growing size into a fresh range.
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
  const out: Measurement[] = []
  try {
    const attached = await attachLookup(lab, prog.object)
    const framePath = join(prog.object, '..', 'frame.bin')
    // the server's address is always in the map, so every lab packet's lookup hits, as a service packet's does
    await loadEntries(attached.mapId, [LAB_ADDRESSES.server])
    const hitFrame = testFrame(LAB_ADDRESSES.client, LAB_ADDRESSES.server)
    let loaded = 0
    for (const entries of [...plan.bpfEntries].sort((a, b) => a - b)) {
      if (entries > loaded) await loadEntries(attached.mapId, frontendKeys(loaded, entries))
      loaded = Math.max(loaded, entries)
      const rtt: number[] = []
      const progNs: number[] = []
      const one: number[] = []
      for (let r = 0; r < plan.runs; r++) {
        rtt.push(trimmedMean((await pingRtt(lab, LAB_ADDRESSES.server, plan.pings)).rtts))
        progNs.push(await progRunNs(attached.progId, framePath, hitFrame, 200_000))
        one.push(await updateOne(attached.mapId, LAB_ADDRESSES.server, r + 2))
      }
      const stats = await readStats(attached.statsMapId)
      progress(
        `bpf ${entries} entries: rtt ${(summarize(rtt).median / 1000).toFixed(2)} µs, program ${summarize(progNs).median} ns`,
      )
      const notes = { entries, packets: stats.packets, hits: stats.hits }
      out.push({
        experiment: 'packet-bpf',
        backend: 'bpf',
        size: entries,
        unit: 'ns',
        runs: progNs,
        summary: summarize(progNs),
        counts: bpfPacketCounts(),
        notes: { ...notes, method: 'BPF_PROG_TEST_RUN' },
      })
      out.push({
        experiment: 'packet-bpf-rtt',
        backend: 'bpf',
        size: entries,
        unit: 'ns',
        runs: rtt,
        summary: summarize(rtt),
        counts: {},
        notes: {
          ...notes,
          method: 'ping round trip (absolute): flat means the lookup does not grow with the map',
        },
      })
      out.push({
        experiment: 'bpf-update-one',
        backend: 'bpf',
        size: entries,
        unit: 's',
        runs: one,
        summary: summarize(one),
        counts: bpfOneUpdateCounts(),
        notes,
      })
    }
    // each size its own fresh key range; the runs in separate passes over the sizes (measure/passes.ts)
    let next = loaded
    const batches = plan.bpfBatch.map((n) => {
      const from = next
      next += n
      return { n, from, runs: [] as number[] }
    })
    await inPasses(batches, plan.runs, async (b) => {
      const keys = frontendKeys(b.from, b.from + b.n)
      b.runs.push(await loadEntries(attached.mapId, keys))
      await run(['bpftool', 'batch', 'file', '-'], { input: bpftoolBatch(attached.mapId, keys, 'delete') })
    })
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
    await attached.detach()
  } finally {
    prog.dispose()
  }
  return out
}
