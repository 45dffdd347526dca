import { IPTABLES_PACKET_CONSTANTS, LLC_SHARE_BYTES_KEY } from '@dataplane-sim/iptables-model'
import type { Measurement } from '../measure/types'

/**
 * Why a table's points stay outside ±25 % with the calibrated profile: what the model does not capture there,
 * as far as the measurements show it. Read against the quiet full sweep of reports/kernel/raw.json.
 */
/**
 * Legacy's warm FORWARD walk at 50k rules reads 24.4 MB of entries: more than the part of the L3 one of the two
 * CPUs can count on (32 MiB shared by CPUs 0-1, sysfs), less than all of it. Bimodal within one run (709 / 1122
 * / 2409 µs in the three passes of the 01:21 calibration). The cold-walk LLC term does not apply to it: on an
 * idle machine (reports/kernel/l3-probe) warm walks stayed flat to 50k.
 */
const LEGACY_FORWARD_50K =
  'at 50k the warm walk reads 24.4 MB of rule entries, more than one CPU’s share of the shared 32 MiB L3 ' +
  '(16 MiB: two CPUs share it, sysfs) and less than all of it. On an idle machine that is no step: the ' +
  'l3-probe (reports/kernel/l3-probe, 06:03–06:18 UTC) measured 12.0 / 12.6 / 12.8 / 12.9 / 13.5 ns per ' +
  'round-trip rule at 10k–50k — back-to-back `ping` walks keep the whole table in L3 — so the model gives ' +
  'warm walks no LLC term. In a calibration the point is bimodal between passes (0.7 / 1.1 / 2.4 ms in the ' +
  'three passes of the 01:21 run): passes in which other work on the host evicted the table from the L3, ' +
  'which no term sized from the table predicts; the fit leaves points it misses by more than 40 % out. ' +
  'Below 50k, warm legacy walks within the L2 (1k) or streamed from L3 (5k–20k) are within 25 %.'

const NAT_FIRST_NOISE =
  'each point is the difference of two sets of new flows timed in user space (Node’s event loop on both ends), ' +
  'whose jitter is tens of µs per round trip on a shared machine: small tables, whose walk adds only a few µs, ' +
  'are the noisiest (see the spread).'

/**
 * Legacy first packets: cold walks, priced beyond one CPU's L3 share by ipt.llcMissBytes (walkCost.ts). The
 * l3-probe's sizes between 10k and 50k are what placed that term; this text says what is left.
 */
const LEGACY_FIRST =
  `${NAT_FIRST_NOISE} ` +
  'Past one CPU’s share of the L3 (16 MiB of the 32 MiB two CPUs ' +
  'share, sysfs) a first packet’s walk reads the bytes beyond it from DRAM, which the model prices for cold ' +
  'walks (`ipt.llcMissBytes` per byte beyond `ipt.llcShareBytes`; the sender’s per-flow socket work on the ' +
  'walking CPU competes for the L3 as it evicts the L2). Measured on an idle machine (reports/kernel/l3-probe): ' +
  '7.8 / 8.9 / 9.0 ns per rule at 10k / 20k / 30k services (14.6 MB at 30k), 19.0 and 28.9 at 40k and 50k ' +
  '(19.5 and 24.4 MB), both points past the share pricing the bytes beyond it alike (~0.13–0.15 ns per byte). ' +
  'Near and past the share the points are bimodal between passes, as the probe’s 40k was (0.61 / 1.07 / 0.76 ' +
  'ms): how much of the L3 a pass keeps depends on what the other CPU and the host’s other tenants do, so a walk ' +
  'that fits in one pass goes to DRAM in the next, which no term sized from the table predicts.'

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
