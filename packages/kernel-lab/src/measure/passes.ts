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
