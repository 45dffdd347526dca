import { IPTABLES_PACKET_CONSTANTS, LLC_SHARE_BYTES_KEY } from '@dataplane-sim/iptables-model'
import type { Measurement } from '../measure/types'

/**
 * Why a table's points stay outside ±25 % with the calibrated profile: what the model does not capture there,
 * as far as the measurements show it. Read against the quiet full sweep of reports/kernel/raw.json.
 */
/**
 * Legacy's warm FORWARD walk at 50k rules reads 24.4 MB of entries: more than the part of the L3 one of the two
 * CPUs can count on (32 MiB shared by CPUs 0-1, sysfs), less than all of it. Bimodal within one run (709 / 1122
 * / 2409 µs in the three passes of the 01:21 calibration). Warm walks are priced with the whole L3, not with the
 * share (walkCost.ts walkCounts says what was measured).
 */
const LEGACY_FORWARD_50K =
  'at 50k the warm walk reads 24.4 MB of rule entries, more than one CPU’s share of the shared 32 MiB L3 ' +
  '(16 MiB: two CPUs share it, sysfs) and less than all of it. On a machine idle but for the probe it is ' +
  'a small step (reports/kernel/l3-probe, 06:03–06:18 UTC: 12.0 / 12.6 / 12.8 / 12.9 / 13.5 ns per round-trip ' +
  'rule at 10k–50k); the model prices the bytes whose pages overfill their sets of the whole 16-way L3 (0.4 ' +
  'MB a walk: `ipt.llcBytes`, `ipt.llcWays`), more than that idle step and less than most calibrations’ 50k ' +
  'points. When the other CPU works, the walk has only part of the L3 (with one CPU’s share, 8 MB of the 24.4 ' +
  'would miss), and the model does not know when it does. In a calibration the point is bimodal between passes (0.7 / 1.1 / 2.4 ms in the ' +
  'three passes of the 01:21 run), as first packets near the share are between fresh restores of one table ' +
  '(reports/kernel/restore-probe: where the restore put the pages decides the cost): each pass restores the ' +
  'table afresh, and other work on the host shares the L3 too, which no term sized from the table predicts; ' +
  'the fit leaves points it misses by more than 40 % out. ' +
  'Below 50k, warm legacy walks within the L2 (1k) or streamed from L3 (5k–20k) are within 25 %.'

const NAT_FIRST_NOISE =
  'each point is the difference of two sets of new flows timed in user space (Node’s event loop on both ends), ' +
  'whose jitter is tens of µs per round trip on a shared machine: small tables, whose walk adds only a few µs, ' +
  'are the noisiest (see the spread).'

/**
 * Legacy first packets: cold walks, priced for the bytes one CPU's L3 share cannot hold by ipt.llcMissBytes
 * (walkCost.ts llcMissedBytes: pages placed at random among the share's sets). The l3-probe placed the term, the
 * restore-probe showed what decides a point near the share; this text says what is left.
 */
const LEGACY_FIRST =
  `${NAT_FIRST_NOISE} ` +
  'A first packet’s walk reads from DRAM the bytes its CPU’s share of the L3 (8 of the 16 ways of a 32 MiB L3 ' +
  'two CPUs share, sysfs) cannot hold: the table’s pages land on L3 sets at random, and a set given more pages ' +
  'than its ways re-reads the rest on every walk, from well below the 16 MiB share on (9 % of the 14.6 MB at ' +
  '30k services, 33 % of the 24.4 MB at 50k). The model prices the expected bytes (`ipt.llcMissBytes`). Which ' +
  'sets a table’s pages got is decided when it is restored: over 8 fresh restores of the same table, 3 batches ' +
  'of flows each (reports/kernel/restore-probe, quiet), 30k cost 229–769 µs and 40k 578–1483 µs, and 81 % and ' +
  '71 % of the variance lay between restores. Each pass of a calibration restores the table once, so a point ' +
  'near the share is one draw per pass from that spread: its median over 4 passes can sit far from the expected ' +
  'cost the model gives.'

const NOISE =
  'run-to-run noise of this point is comparable to the error (see its spread); no model term is missing that ' +
  'the other sizes show.'

/** Legacy rule entries of the lab's FORWARD and KUBE-SERVICES tables: 488 bytes each (cost/blobBytes.ts). */
const LEGACY_ENTRY_BYTES = 488
/** One CPU's share of this machine kind's L3, which the texts above name: the model's default (16 MiB). */
const LLC_SHARE_BYTES = IPTABLES_PACKET_CONSTANTS[LLC_SHARE_BYTES_KEY].value

/** A point outside the bound: its size and its runs in pass order (labReport.ts ReportRow). */
export interface OutsidePoint {
  size: number
  unit: 's' | 'ns'
  passes?: readonly number[]
}

const REASONS: Partial<Record<string, (outside: readonly OutsidePoint[]) => string>> = {
  'packet-nat-first': () => NAT_FIRST_NOISE,
  'packet-nat-first|legacy': (outside) => `${LEGACY_FIRST}${passesOf(outside)}`,
  // the warm walk's 50k text only where a point's entries outgrow the share; a point below it is noise
  'packet-forward|legacy': (outside) =>
    outside.some((p) => p.size * LEGACY_ENTRY_BYTES > LLC_SHARE_BYTES)
      ? `${LEGACY_FORWARD_50K}${passesOf(outside)}`
      : NOISE,
  'packet-forward-match|nft': () =>
    'iptables-nft runs `-m icmp` through nft_compat; the model prices the separately allocated nft_expr_ops each ' +
    'compat expression reads (192 bytes per rule, uncached once one walk’s exceed `ipt.cacheBytes:nft`). Where ' +
    'this table still misses, the step is not (only) that object: per rule and walk 76 / 128 / 211 ns at ' +
    '10k / 20k / 50k rules in the 2026-11-29 03:31 run (20k bimodal between passes: 74–182 ns), still rising ' +
    'past the one step the model has, as the compat objects (9.6 MB at 50k) and the rule blob together outgrow ' +
    'one CPU’s share of the L3; a second step would rest on the 50k point alone, so it is not fitted.',
}

/** " This run’s passes: 30,000: 886 / 296 / 421 / 228 µs; …" for the points that carry their runs. */
function passesOf(outside: readonly OutsidePoint[]): string {
  const parts = outside
    .filter((p) => p.passes && p.passes.length > 1)
    .map((p) => `${p.size.toLocaleString('en-US')}: ${p.passes?.map((v) => inUnit(v, p.unit)).join(' / ')}`)
  return parts.length ? ` This run’s passes, in order: ${parts.join('; ')}.` : ''
}

function inUnit(v: number, unit: 's' | 'ns'): string {
  const ns = unit === 's' ? v * 1e9 : v
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${Math.round(ns / 1e3)} µs`
}

/**
 * Why the points `outside` of a table miss ±25 %, as far as the measurements show it: the table's own reason
 * (by experiment and backend, and for some by how large the outside points are), else the generic one.
 */
export function outsideReason(
  experiment: Measurement['experiment'],
  backend: string,
  outside: readonly OutsidePoint[] = [],
): string {
  const reason = REASONS[`${experiment}|${backend}`] ?? REASONS[experiment]
  return reason ? reason(outside) : NOISE
}
