import type { Measurement } from '../measure/types'

/**
 * Why a table's points stay outside ±25 % with the calibrated profile: what the model does not capture there,
 * as far as the measurements show it. Read against the quiet full sweep of reports/kernel/raw.json.
 */
const REASONS: Partial<Record<string, string>> = {
  'packet-nat-first':
    'these walks are cache-cold: each probe is a new `ping` process (fork, exec) a few ms after the last, and one ' +
    'probe per run is a few hundred flows, so each point is noisier than the FORWARD sweeps (see the spread).',
  'packet-forward-match|nft':
    'iptables-nft evaluates `-m icmp` through nft_compat (the xtables match called from an nft expression); its ' +
    'per-rule cost steps up between 10k and 20k rules although these rules are the smallest of the sweeps (192 blob ' +
    'bytes in the legacy layout), while the larger ip-only rules show no step at 50k. The walk-bytes term uses the ' +
    'legacy blob layout for both backends, which does not describe where nft_compat keeps its per-rule data. These ' +
    'points are left out of the fit (a first fit missed them by more than 40 %), so the constants describe the ' +
    'walks below the step.',
}

export function outsideReason(experiment: Measurement['experiment'], backend: string): string {
  return (
    REASONS[`${experiment}|${backend}`] ??
    REASONS[experiment] ??
    'run-to-run noise of this point is comparable to the error (see its spread); no model term is missing that ' +
      'the other sizes show.'
  )
}
