import { InputError } from '@dataplane-sim/cluster'
import { cachesFromNote } from '../fit/calibrate'
import { mergePasses } from '../measure/passes'
import { expectOneCalibration, parseRaw, type RawData, sweepOfNotes } from './rawData'

/**
 * Several calibrations of one machine as one sweep (`dpsim calibrate --from-raw A --from-raw B …`): each input's
 * passes become passes of the pool (measure/passes.ts mergePasses, the same merge a run makes of its own passes),
 * so every point's median and the bootstrap over passes see every hour the inputs ran at. One calibration is one
 * hour of a host whose speed moves by about ±30 % between hours (fit/betweenRuns.ts measures it); a profile
 * fitted to one run carries that hour, a pooled one the machine's typical cost.
 *
 * The inputs must be the same sweep (quick or full: they measure different sizes) on the same machine kind
 * (kernel, CPU and caches as their provenance records them), each given once; otherwise an InputError names
 * the file. The pool keeps the newest input's date and verdicts (packet-level agreement, which pooling timings
 * does not change); its notes say which runs it merged, in place of one run's load average.
 * Inputs taken before the lab measured a point (an older sweep) give that point fewer runs; points are kept
 * in the first input's order, new ones after.
 */
export function poolRaw(inputs: ReadonlyArray<{ text: string; source: string }>): RawData {
  if (inputs.length < 2) throw new Error('poolRaw: needs at least two calibrations')
  const raws = inputs.map((input) => parseRaw(input.text, input.source))
  const first = raws[0]
  const key = machineKey(first)
  const seen = new Map<string, string>()
  for (const [i, r] of raws.entries()) {
    const { source, text } = inputs[i]
    expectOneCalibration(r.provenance?.notes, source)
    const earlier = seen.get(text)
    if (earlier !== undefined)
      throw new InputError(
        `expected each calibration once in a pool: this file has the same raw data as ${earlier}`,
        source,
        1,
      )
    seen.set(text, source)
    const k = machineKey(r)
    if (k.sweep !== key.sweep)
      throw new InputError(
        `expected a ${key.sweep} calibration as ${inputs[0].source} is, got a ${k.sweep} one: the two sweeps measure different sizes`,
        source,
        1,
      )
    if (k.machine !== key.machine)
      throw new InputError(
        `expected a calibration of the machine kind ${inputs[0].source} was measured on (${key.machine}), got ${k.machine}`,
        source,
        1,
      )
  }
  const dates = raws.map((r) => r.provenance?.date ?? '?')
  const newest = dates.reduce((n, d, i) => (d > dates[n] ? i : n), 0)
  const p = first.provenance ?? { method: 'calibrate' }
  const notes = p.notes ?? ''
  const head = /^[^;]*/.exec(notes)?.[0] ?? `${key.sweep} sweep`
  const caches = /; caches [^;]*$/.exec(notes)?.[0] ?? ''
  const pooled =
    `pooled: the passes of ${raws.length} calibrations of this machine (${dates.join(', ')}) as one sweep, ` +
    'each point the median of all their runs'
  return {
    provenance: { ...p, date: dates[newest], notes: `${head}; ${pooled}${caches}` },
    measurements: mergePasses(raws.map((r) => r.measurements)),
    verdicts: raws[newest].verdicts ?? [],
  }
}

/** What must agree between pooled runs: the sweep, and the machine kind (kernel, CPU, recorded caches). */
function machineKey(raw: Partial<RawData>): { sweep: 'quick' | 'full'; machine: string } {
  const p = raw.provenance ?? { method: 'calibrate' }
  const notes = p.notes ?? ''
  const c = cachesFromNote(notes)
  const caches = c ? `L2 ${c.l2 ?? '?'} B, L3 ${c.l3 ?? '?'} B` : 'caches not recorded'
  return {
    sweep: sweepOfNotes(notes),
    machine: `kernel ${p.kernel ?? '?'}, ${p.cpu ?? '?'}, ${caches}`,
  }
}
