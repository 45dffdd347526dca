import { summarize } from './stats'
import type { Measurement } from './types'

/**
 * Runs `measure` for every point, `runs` times, in separate passes over all points (pass 1 measures every
 * point once, then pass 2, ...), instead of a point's runs back to back. A point's runs are then minutes
 * apart, so their spread — and the bootstrap interval fitted from it — includes the machine's drift over the
 * calibration, which a rerun meets too; back-to-back runs measured only the noise of a few seconds.
 */
export async function inPasses<P>(
  points: readonly P[],
  runs: number,
  measure: (point: P, run: number) => Promise<void>,
): Promise<void> {
  for (let r = 0; r < runs; r++) for (const p of points) await measure(p, r)
}

/** Notes that count something per pass (summed when passes are merged); other notes are the same each pass. */
const SUMMED_NOTES = new Set(['lost', 'packets', 'hits', 'programs'])

/**
 * The measurements of whole-calibration passes (each pass every sweep with one run, runCalibration) as one
 * sweep: each point's runs in pass order (run r from pass r), its summary over them, per-pass counters summed.
 * A point some pass lacks (a failed size) keeps the runs it has.
 */
export function mergePasses(passes: ReadonlyArray<readonly Measurement[]>): Measurement[] {
  const byPoint = new Map<string, Measurement>()
  for (const pass of passes) {
    for (const m of pass) {
      const key = `${m.experiment}|${m.backend}|${m.size}`
      const seen = byPoint.get(key)
      if (!seen) {
        byPoint.set(key, { ...m, runs: [...m.runs], notes: m.notes ? { ...m.notes } : undefined })
        continue
      }
      seen.runs.push(...m.runs)
      for (const [k, v] of Object.entries(m.notes ?? {}))
        if (SUMMED_NOTES.has(k) && typeof v === 'number' && typeof seen.notes?.[k] === 'number')
          seen.notes[k] = (seen.notes[k] as number) + v
    }
  }
  return [...byPoint.values()].map((m) => ({
    ...m,
    summary: summarize(m.runs),
    ...(m.notes ? { notes: { ...m.notes, passes: m.runs.length } } : {}),
  }))
}
