import { betweenRunSpread, betweenRunsMarkdown, withPoolPrediction } from '../fit/betweenRuns'
import { compareReruns, type RerunComparison } from '../fit/compare'
import { poolRaw } from './pool'
import { analyzeRaw, historyRuns, pricedBy, provenanceLine, sweepOf } from './rawData'

/**
 * A new calibration against a pool of earlier ones (`dpsim calibrate --from-raw A1 --from-raw A2 … --compare-raw
 * B`): the pool re-fitted (run/pool.ts, what the shipped profile is), each pooled run re-fitted alone for the
 * between-run spread, and every constant of B checked against the pool's prediction interval for one more run
 * (fit/betweenRuns.ts withPoolPrediction); then B's measurements priced by B's own fit and by the pool's profile:
 * how far one new hour of this machine lies from the profile a user would plan with. B must be none of the pooled
 * runs and of their sweep (InputError naming it).
 */
export function comparePool(
  pooled: ReadonlyArray<{ text: string; source: string }>,
  b: { text: string; source: string },
  output = 'README.md',
): RerunComparison & { markdown: string; priced: ReturnType<typeof pricedBy> } {
  // the pool first: poolRaw refuses inputs of two sweeps or machines before anything is fitted
  const pool = analyzeRaw(JSON.stringify(poolRaw(pooled)), 'the pool')
  const members = historyRuns(sweepOf(pool), [{ name: 'the new run', ...b }], pooled)
  const runB = historyRuns(sweepOf(pool), [{ name: 'a pooled run', ...pooled[0] }], [b])[0]
  const between = betweenRunSpread(members.map((m) => m.spread))
  const c = compareReruns(withPoolPrediction(pool.spread, between), runB.spread)
  const priced = pricedBy(runB, [
    { name: 'pool', profile: pool.profile },
    { name: 'B', profile: runB.profile },
  ])
  const names = pooled.map((_, i) => `P${i + 1}`)
  const markdown = [
    `# A new calibration against a pool: ${b.source}`,
    '',
    `Run B checked against the pool of ${pooled.length} earlier calibrations of the machine (the way the shipped ` +
      'profile is made), every run re-fitted from its raw data with today’s model. Written by:',
    '',
    '```',
    `npx --yes pnpm@10 dpsim calibrate ${pooled.map((p) => `--from-raw ${p.source}`).join(' ')} --compare-raw ${b.source} -o ${output}`,
    '```',
    '',
    ...pooled.map((p, i) => provenanceLine(names[i], p.source, members[i])),
    provenanceLine('B', b.source, runB),
    '',
    `- B inside the pool’s 95% prediction intervals for one more run: **${c.within} of ${c.total}** (median ` +
      `width ${(c.medianWidth * 100).toFixed(0)}%)`,
    '',
    betweenRunsMarkdown(c, between, { a: 'the pool', b: 'B', runs: `the pooled runs ${names.join(', ')}` })
      .replace(
        'widened 95% rerun interval',
        '95% prediction interval for one more run (value ± t·√((τ² + within-run variance)(1 + 1/runs)))',
      )
      .replace('widened rerun interval', 'prediction interval'),
    '## Run B’s measurements priced by the pool’s profile and by its own fit',
    '',
    'Profile `pool` is the pool’s (its per-table worst errors first: what a user planning with the pooled profile ' +
      'is told about this hour of the machine), `B` run B’s own fit.',
    '',
    priced.markdown,
  ].join('\n')
  return { ...c, markdown: `${markdown.trimEnd()}\n`, priced }
}
