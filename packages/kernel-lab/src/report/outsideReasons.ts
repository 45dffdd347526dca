import type { Measurement } from '../measure/types'

/**
 * Why a table's points stay outside ±25 % with the calibrated profile: what the model does not capture there,
 * as far as the measurements show it. Read against the quiet full sweep of reports/kernel/raw.json.
 */
const REASONS: Partial<Record<string, string>> = {
  'packet-nat-first':
    'these walks are cache-cold. Each probe is a new `ping` process (fork, exec, a new ICMP identifier) a few ms ' +
    'after the last, so the KUBE-SERVICES entries are no longer cached when the first packet walks them; they cost ' +
    '4–5× the warm back-to-back FORWARD walks the per-rule constants are fitted to. Validation only, not fitted: ' +
    'the model prices warm walks (a busy node walking its nat table for every new connection).',
  'packet-forward-match|nft':
    'iptables-nft evaluates `-m icmp` through nft_compat (the xtables match called from an nft expression); its ' +
    'per-rule cost steps up between 10k and 20k rules although these rules are the smallest of the sweeps (192 blob ' +
    'bytes in the legacy layout), while the larger ip-only rules show no step at 50k. The walk-bytes term uses the ' +
    'legacy blob layout for both backends, which does not describe where nft_compat keeps its per-rule data.',
}

export function outsideReason(experiment: Measurement['experiment'], backend: string): string {
  return (
    REASONS[`${experiment}|${backend}`] ??
    REASONS[experiment] ??
    'run-to-run noise of this point is comparable to the error (see its spread); no model term is missing that ' +
      'the other sizes show.'
  )
}
