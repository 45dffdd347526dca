import type { Measurement } from '../measure/types'

/**
 * Why a table's points stay outside ±25 % with the calibrated profile: what the model does not capture there,
 * as far as the measurements show it. Read against the quiet full sweep of reports/kernel/raw.json.
 */
/**
 * The legacy walks at 50k rules read 24.4 MB of entries: more than the part of the L3 one of the two CPUs can
 * count on (32 MiB shared by CPUs 0-1, sysfs), less than all of it. Whether a pass finds them in L3 depends on
 * what the other CPU and the host's other tenants keep there: bimodal within one run (FORWARD 709 / 1122 /
 * 2409 µs, first packet 453 / 819 / 1410 µs in the three passes of the 01:21 calibration).
 */
const LEGACY_50K =
  'at 50k the walk reads 24.4 MB of rule entries, more than the half of the shared 32 MiB L3 one of the two ' +
  'CPUs can count on and less than all of it: whether a pass finds them in L3 depends on what the other CPU ' +
  'and the host’s other tenants keep there, and the point is bimodal within one calibration (see its spread: ' +
  'FORWARD 0.7 / 1.1 / 2.4 ms, first packet 0.45 / 0.82 / 1.4 ms in the three passes of the 01:21 run). No ' +
  'model term sized from sysfs predicts which; the fit leaves points it misses by more than 40 % out. Nor does ' +
  'a DRAM term for the bytes beyond one CPU’s L3 share: the warm FORWARD walk at 50k reads the same 24.4 MB ' +
  '(488-byte entries in both tables) at 7–10 ns per rule, the first packet’s at 7.5–24 ns (2026-11-29 03:31 and ' +
  '03:44 runs: first packet 1216 / 377 / 706 µs in one run’s passes, the 377 µs pass at 20k’s price), and a ' +
  'term in bytes would price both alike. Below ' +
  '50k, legacy walks within the L2 (1k FORWARD) or streamed from L3 (5k–20k; first packets always, their ' +
  'sender’s socket work evicts the L2 between walks) are within 25 %.'

const REASONS: Partial<Record<string, string>> = {
  'packet-nat-first':
    'each point is the difference of two sets of new flows timed in user space (Node’s event loop on both ends), ' +
    'whose jitter is tens of µs per round trip on a shared machine: small tables, whose walk adds only a few µs, ' +
    'are the noisiest (see the spread).',
  'packet-nat-first|legacy': LEGACY_50K,
  'packet-forward|legacy': LEGACY_50K,
  'packet-forward-match|nft':
    'iptables-nft runs `-m icmp` through nft_compat; the model prices the separately allocated nft_expr_ops each ' +
    'compat expression reads (192 bytes per rule, uncached once one walk’s exceed `ipt.cacheBytes:nft`). Where ' +
    'this table still misses, the step is not (only) that object: per rule and walk 76 / 128 / 211 ns at ' +
    '10k / 20k / 50k rules in the 2026-11-29 03:31 run (20k bimodal between passes: 74–182 ns), still rising ' +
    'past the one step the model has, as the compat objects (9.6 MB at 50k) and the rule blob together outgrow ' +
    'one CPU’s share of the L3; a second step would rest on the 50k point alone, so it is not fitted.',
}

export function outsideReason(experiment: Measurement['experiment'], backend: string): string {
  return (
    REASONS[`${experiment}|${backend}`] ??
    REASONS[experiment] ??
    'run-to-run noise of this point is comparable to the error (see its spread); no model term is missing that ' +
      'the other sizes show.'
  )
}
