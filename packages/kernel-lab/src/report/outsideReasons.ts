import type { Measurement } from '../measure/types'

/**
 * Why a table's points stay outside ±25 % with the calibrated profile: what the model does not capture there,
 * as far as the measurements show it. Read against the quiet full sweep of reports/kernel/raw.json.
 */
const REASONS: Partial<Record<string, string>> = {
  'packet-nat-first':
    'each point is the difference of two sets of new flows timed in user space (Node’s event loop on both ends), ' +
    'whose jitter is tens of µs per round trip on a shared machine: small tables, whose walk adds only a few µs, ' +
    'are the noisiest (see the spread).',
  'packet-nat-first|legacy':
    'at 1k services the walk adds a few µs to round trips timed in user space (Node’s event loop on both ends), ' +
    'whose jitter is of that size; at 50k the walk reads 24 MB of entries, as much as the cache-resident size ' +
    'the FORWARD sweeps give, so how much of it stays cached depends on what else fills the L3 of a shared ' +
    'machine (see the spread of that point).',
  'packet-forward-match|nft':
    'iptables-nft runs `-m icmp` through nft_compat; the model prices the separately allocated nft_expr_ops each ' +
    'compat expression reads (192 bytes per rule, uncached once one walk’s exceed `ipt.cacheBytes:nft`). Where ' +
    'this table still misses, the step is not (only) that object: see the report’s nft section.',
}

export function outsideReason(experiment: Measurement['experiment'], backend: string): string {
  return (
    REASONS[`${experiment}|${backend}`] ??
    REASONS[experiment] ??
    'run-to-run noise of this point is comparable to the error (see its spread); no model term is missing that ' +
      'the other sizes show.'
  )
}
