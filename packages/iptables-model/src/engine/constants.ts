import type { CostConstant, CostProfile } from '@dataplane-sim/cluster'

/**
 * Per-packet cost constants of the iptables dataplane, keyed like `Trace.cost.counts`. Derived from
 * /work/shared/anchors.md (measured on this machine kind: Linux 6.18, 2 vCPU); the part-2 profile adds the
 * restore constants next to these.
 */
export const IPTABLES_PACKET_CONSTANTS: Record<string, CostConstant> = {
  'ipt.rule': {
    value: 7.7,
    unit: 'ns per rule evaluated',
    source:
      'anchors.md, iptables-legacy: RTT with 10k non-matching filter FORWARD rules 157 µs vs 3 µs with none; a round ' +
      'trip crosses FORWARD twice, so (157 - 3) µs / (2 × 10,000 rules) = 7.7 ns per rule (1k: (16-3)/2000 = 6.5 ns, ' +
      '50k: (1192-3)/100000 = 11.9 ns; the 10k point is the middle). The anchor rules match only ip header fields, so ' +
      'this constant covers a rule whose extension matches are not reached.',
  },
  'ipt.uncachedBytes': {
    value: 0.041,
    unit: 'ns per byte of rule entries read uncached',
    source:
      'kernel lab, this machine kind (reports/kernel, quiet full sweep): cold first-packet walks of kube-proxy ' +
      'KUBE-SERVICES rules (488 bytes each) cost ~25 ns per rule against ~6 ns warm, i.e. ~0.04 ns per byte read ' +
      'from memory (≈2.6 ns per 64-byte line, prefetched); fitted jointly with the warm FORWARD sweeps. Prices the ' +
      'bytes a walk reads beyond ipt.cacheBytes (warm) or all of them (cold).',
  },
  'ipt.cacheBytes': {
    value: 19.3e6,
    unit: 'bytes',
    source:
      'anchors.md, iptables-legacy: the 50k-rule RTT costs 11.9 ns per rule against 7.7 at 10k; with ' +
      'ipt.uncachedBytes (0.041 ns/byte) and rules of 488 bytes (kube-proxy-shaped, as the lab writes them) that is ' +
      '(11.9 − 7.7) ns × 50,000 / 0.041 ≈ 5.1 MB read uncached per walk of 24.4 MB, so a walk of up to 19.3 MB stays ' +
      'cached (the L3 /sys reports is 32 MiB, shared). Not multiplied: the engine reads it (engine/walkCost.ts).',
  },
  'ipt.llcShareBytes': {
    value: 16777216,
    unit: 'bytes',
    source:
      'this machine kind (sysfs cpu0/cache/index3): a 32 MiB L3 shared by CPUs 0-1 (shared_cpu_list), so one CPU ' +
      'can count on 16 MiB of it. Not multiplied: the engine reads it for cold walks (engine/walkCost.ts); ' +
      '`dpsim calibrate` writes the same figure from the sysfs of the machine it runs on.',
  },
  'ipt.llcShareWays': {
    value: 8,
    unit: 'ways',
    source:
      'this machine kind (sysfs cpu0/cache/index3): a 16-way L3 shared by 2 CPUs, so one CPU can count on 8 ways of ' +
      'each set. Not multiplied: the engine reads it to place a cold walk’s pages among the L3 sets ' +
      '(engine/walkCost.ts llcMissedBytes); `dpsim calibrate` writes the same figure from the sysfs of the machine ' +
      'it runs on.',
  },
  'ipt.llcMissBytes': {
    value: 0.12,
    unit: 'ns per byte of a walk the L3 (a cold walk: its CPU’s share) cannot hold',
    source:
      'kernel lab (reports/kernel, session-6 run A, quiet, re-fitted with the page-placement term of ' +
      'engine/walkCost.ts llcMissedBytes): legacy first packets (cold walks of 488-byte KUBE-SERVICES entries) at ' +
      '20k–50k services, 9.8–24.4 MB against 8 ways of a 16 MiB share, fitted jointly with the warm FORWARD sweeps: ' +
      '0.12 ns per byte the share cannot hold (~8 ns per 64-byte line from DRAM, prefetched). Warm walks pay it ' +
      'for the bytes that overfill their sets of the whole L3 when the profile has ipt.llcBytes and ipt.llcWays ' +
      '(the kernel lab writes them from sysfs; this profile has not: warm walks have no LLC term here).',
  },
  'ipt.l2Refill': {
    value: 3000,
    unit: 'ns per cold legacy walk that streamed a whole L2 of rule entries',
    source:
      'kernel lab, this machine kind (reports/kernel; six quiet full calibrations of sessions 5–7 re-fitted from ' +
      'their raw data: 1.9–3.8 µs): a legacy first packet through 1k kube-proxy services (488 KB of entries, about ' +
      'the 512 KiB L2) cost 2–3 µs more than its per-rule and per-byte terms while 5k–10k fitted; the walk evicts ' +
      'the L2 the CPU’s other work between packets then re-reads (engine/walkCost.ts l2Evicted). Cold walks only, ' +
      'legacy only; scaled by the share of ipt.cacheBytes the walk streamed.',
  },
  'ipt.match': {
    value: 3,
    unit: 'ns per extension match tested',
    source:
      'estimate: one indirect call into an xt match function plus its compare, about 10 cycles at ~3 GHz; the ' +
      'SystemTap figure in anchors.md (90–230 cycles per traversed tcp rule, Linux 4.15) bounds a rule with a few ' +
      'matches at 30–75 ns on older kernels. Not measured on this machine: refine with the kernel lab.',
  },
  'ipt.chain': {
    value: 2,
    unit: 'ns per chain entered',
    source:
      'estimate: a jump in ipt_do_table pushes the return rule on the per-cpu jumpstack and loads the target ' +
      'entry (a few memory accesses); small next to the rules a chain holds. Not measured.',
  },
  'ct.lookup': {
    value: 40,
    unit: 'ns per conntrack lookup',
    source:
      'estimate: nf_conntrack_in hashes the tuple and walks one hash bucket (an RCU lookup comparable to a BPF hash ' +
      'lookup, 20–32 ns per anchors.md, plus the L4 tracker); not measured on this machine.',
  },
  'ct.create': {
    value: 500,
    unit: 'ns per conntrack entry created',
    source:
      'estimate: allocating and initialising an nf_conn, the NAT null binding and the confirm insert into both ' +
      'hash chains; the 3 µs anchor round trip (0 rules) bounds the whole path. Not measured on this machine.',
  },
}

/** The packet-path profile the engine prices traces with when none is given. */
export const IPTABLES_PACKET_PROFILE: CostProfile = {
  schemaVersion: 1,
  name: 'iptables-packet-anchors',
  description: 'Per-packet iptables/conntrack costs from /work/shared/anchors.md (legacy backend)',
  provenance: { method: 'anchors', kernel: 'Linux 6.18', notes: 'see each constant for its derivation' },
  constants: IPTABLES_PACKET_CONSTANTS,
}
