import type { CostProfile } from '@dataplane-sim/cluster'

/**
 * Why this lab's restore times are about twice shared/anchors.md's for "the same" kube-proxy table (measured on
 * this machine kind; see the README section it writes).
 */
const ANCHORS_GAP = [
  'Why this lab’s restore times are about twice shared/anchors.md’s for the same table shape (legacy whole table',
  '0.094/0.618/1.52/3.75 s in the quiet calibration of 2026-11-28 21:16 UTC vs 0.060/0.314/0.820/2.488 s at 1k/5k/10k/20k services; one rule 0.075/0.33/0.64/1.24 s',
  'vs 0.031/0.168/0.363/0.855 s): the lab’s table carries kube-proxy’s comment matches on every rule',
  '(`-m comment --comment "ns/svc:port cluster IP"`, as pkg/proxy/iptables/proxier.go writes them). Each is a 256-byte',
  'xt_comment_info in the kernel blob, so a service is 4,360 bytes of blob instead of 2,344 (1.86×), and legacy pays per',
  'blob byte: 1.47e-8 s/byte fitted here, 1.49e-8 s/byte fitted to the anchors’ rows taken without comments — the same',
  'kernel cost on twice the bytes: priced with this lab’s constants, the anchors’ comment-free table gives one-rule',
  'legacy updates of 0.042/0.180/0.353/0.698 s (anchors: 0.031/0.168/0.363/0.855 s).',
  'Checked directly in CPU seconds (comment-experiment.md, 10k services): one rule',
  '--noflush 0.61 s with comments, 0.31 s without (anchors: 0.363 s); whole table 1.34 s vs 0.94 s (anchors: 0.820 s).',
  'Not the cause: lines per service (10 in both), restoring into emptied rules (into a populated table costs more,',
  '1.52 s vs 1.34 s), nor the timing (wall clock of the command from spawn to exit, `ip netns exec` included: a few ms,',
  'visible only at 1k). nft keeps a comment as rule userdata: it costs iptables-nft-restore up to a third more here (noisy), and the lab’s',
  'nft times stay 1.6–4× the anchors’ (one rule 0.13 s vs 0.033 s at 10k) for reasons the table’s shape does not',
  'explain. The anchors profile models the anchors’ table (iptables-model anchorNatTerms); the calibrated profile models',
  'this kernel’s measurements.',
].join(' ')

/**
 * The preamble of reports/kernel/README.md: where and how the numbers were measured, and what to keep in mind
 * reading them. The model-vs-measured tables and the verdicts follow it.
 */
export function labReadmePreamble(profile: CostProfile): string {
  const p = profile.provenance
  return [
    '# Kernel lab: the models against the real kernel',
    '',
    `Measured by \`dpsim calibrate\` on Linux ${p.kernel ?? '?'}, ${p.cpu ?? '?'}, ${p.date ?? '?'}. ${p.notes ?? ''}`,
    '',
    'Reproduce (root; Debian packages iptables ipset nftables bpftool iproute2 clang llvm libbpf-dev conntrack ' +
      'iputils-ping nfacct):',
    '',
    '```',
    '# one calibration of this machine (reports/kernel/raw.json was written so)',
    'npx --yes pnpm@10 dpsim calibrate -o profile.json --raw-dir reports/kernel',
    '# re-fit without measuring (rewrites this README, raw.json with today’s model counts, and the profile)',
    'npx --yes pnpm@10 dpsim calibrate --from-raw reports/kernel/raw.json --raw-dir reports/kernel -o profile.json',
    '# the shipped profile: the pool of every committed full calibration, each run’s passes as passes of one sweep',
    '# (reports/kernel/pooled/README.md names the runs; add --from-raw RAW for each)',
    'npx --yes pnpm@10 dpsim calibrate --from-raw RAW --from-raw RAW … --raw-dir reports/kernel/pooled -o packages/bench/profiles/calibrated.json',
    '# rerun check: every constant of a second run against this run’s rerun interval, both directions',
    'npx --yes pnpm@10 dpsim calibrate --from-raw reports/kernel/raw.json --compare-raw reports/kernel/rerun/raw.json -o reports/kernel/rerun/README.md',
    '# either, with the between-run spread of earlier calibrations of the machine: add --history RAW for each',
    '# (this README’s and the rerun READMEs’ sections on it name theirs; reports/kernel/history/README.md)',
    '```',
    '',
    'Set-up (packages/kernel-lab): three network namespaces, client → node → server, joined by veth pairs made ' +
      'inside them (nothing in the host namespace), every address in 198.18.0.0/15; rules and the BPF program ' +
      'live in the node namespace; everything is deleted on exit, error and SIGINT/SIGTERM.',
    '',
    '- **restore**: `iptables-{legacy,nft}-restore` of a kube-proxy-shaped nat table (per service 1 KUBE-SERVICES ' +
      'rule, a KUBE-SVC chain with a rule per endpoint, a KUBE-SEP chain of 2 rules per endpoint, 2 endpoints: ' +
      '10 lines), into emptied rules; then one rule with `--noflush`. Size 0 is the table with kube-proxy’s ' +
      'base chains only: its restore is nearly all the per-invocation cost, which a sweep of large tables alone ' +
      'cannot tell from the per-line one (raw data from 2026-11-29 05:00 UTC on). Wall time of the command from its start to its exit, ' +
      'process start included (as kube-proxy pays it), timed by a shell inside the node namespace ' +
      '(bash’s EPOCHREALTIME): neither `ip netns exec` nor the fork from the calibrating Node process, whose ' +
      'cost follows that process’s heap, is in it.',
    '- **per packet**: `ping -i 0` round trips client → server through N FORWARD rules no packet matches, shaped ' +
      'like KUBE-SERVICES rules (488 bytes of blob each; each round trip walks them twice); minus a baseline ' +
      'without rules taken just before; trimmed mean of each run, median of the runs. The `match` variant makes ' +
      'each rule test one extension match (`-p icmp -m icmp --icmp-type 13`, 192-byte rules). These walks are ' +
      'warm: back to back, the rules stay cached.',
    '- **first packet**: UDP datagrams from one persistent sender in the client namespace (packages/kernel-lab ' +
      'agents/newFlows.ts), each from a new source port (a new conntrack entry, so the nat table is walked), to an ' +
      'echo agent in the server namespace, through a kube-proxy nat table of N services none of which matches; ' +
      'each round trip timed by the sender (process.hrtime.bigint). Paced back to back — the next flow leaves as ' +
      'the last echo arrives — so the table stays in L3 up to one CPU’s share of it, as on a node under a steady ' +
      'stream of new connections, but not in the L2: the sender’s per-flow socket work runs on the CPU that then walks the rules and ' +
      'evicts it, so the model prices every byte of a first packet’s walk as streamed (cold for the L2; FORWARD ' +
      'walks, back to back behind `ping`, keep a walk that fits the L2 there) (the earlier probe, one `ping` process per flow a few ms apart, left the walk ' +
      'warm or cold depending on what else ran, and did not reproduce between runs). Per run: the mean of the ' +
      '5th–50th percentile round trips with the table minus the same of a baseline (same hooks, no services): ' +
      'user-space timing only ever adds delay, the lower half is where the kernel path shows.',
    '- **fresh restores for large legacy tables** (raw data from 2026-11-29 10:35 UTC on; `SweepPlan.placements`, ' +
      'the `placements` note of each point): from 20k rules or services (full) a legacy per-packet run is the mean ' +
      'of 3 measurements, each after a fresh restore of the table, instead of one. Where a large x_tables blob’s ' +
      'pages land in the L3 is decided when it is restored (reports/kernel/restore-probe: 71–81 % of the variance ' +
      'of first packets at 30k and 40k services lay between restores of the same table, 229–769 µs at 30k), and ' +
      'the model prices the expected cost over placements; one restore made such a point one draw per pass.',
    '- **per-packet model** (iptables-model engine/walkCost.ts; the lab counts each point by running the engine ' +
      'on the same rules): `ipt.rule` per rule evaluated and `ipt.match` per extension match while the walk is ' +
      'cached, plus `ipt.uncachedBytes` per byte of the walk’s memory that is not cached. The walk’s memory is ' +
      'each backend’s own: legacy reads the x_tables entries it evaluates, in blob order (prefetched), and pays ' +
      'for the bytes beyond `ipt.cacheBytes`; iptables-nft keeps rules contiguous in its chain blob, but every ' +
      'match it runs through nft_compat (all but tcp/udp/mark here: `-m icmp`, `-m comment`, `-m statistic`, ...) ' +
      'reads its own kzalloc’d `nft_expr_ops` (net/netfilter/nft_compat.c nft_match_select_ops), 192 bytes ' +
      'scattered in a slab per rule; once those of one walk exceed `ipt.cacheBytes:nft` the cyclic walk misses ' +
      'every one (`ipt.uncachedBytes:nft` per byte of them). All fitted together per backend. Legacy’s ' +
      'cache-resident size is not fitted: it is the per-core L2 of the machine (sysfs cpu0/cache, recorded in ' +
      'the provenance), since a walk the L2 holds finds its bytes there on the next packet and a larger one ' +
      'streams the rest from L3; searched on a grid it traded against `ipt.rule` between runs. nft’s step (at ' +
      '1.9–3.8 MB of compat objects, stable between runs) is at no cache level sysfs names: searched over ' +
      '256 KiB–64 MiB. Cold walks (first packets) also pay `ipt.llcMissBytes` per byte of their memory that one ' +
      'CPU’s share of the L3 cannot hold: `ipt.llcShareBytes` (the L3 size sysfs reports ÷ the CPUs of its ' +
      'shared_cpu_list) with `ipt.llcShareWays` ways per set (its ways_of_associativity ÷ the same CPUs), both ' +
      'recorded in the provenance and not fitted. The table’s pages land on L3 sets at random (iptables-model ' +
      'walkCost.ts llcMissedBytes), so sets given more pages than their ways go to DRAM from well below the share ' +
      'on (reports/kernel/l3-probe: legacy first packets 9.0 ns per rule at 30k services, 14.6 MB, 19.0 and 28.9 ' +
      'at 40k and 50k; reports/kernel/restore-probe: near the share the restore decides the cost, 229–769 µs at ' +
      '30k over 8 fresh restores). Warm FORWARD walks, back to back behind `ping` with the other CPU mostly ' +
      'idle, pay the same placement term with the whole L3: `ipt.llcBytes` and `ipt.llcWays` (its size and ways, ' +
      'sysfs, not fitted), 0.4 MB of a 50k walk’s 24.4 MB. The calibrations’ 50k FORWARD points ask for it ' +
      '(0.70–1.34 ms in six quiet runs, 0.66–0.73 modeled without it); a machine idle but for the probe did not ' +
      '(reports/kernel/l3-probe/vs-model.md: 674 µs, +22 % over the model at 50k where 10k–40k are +8–12 %). An ' +
      'iptables-nft first packet’s walk memory is its compat objects (3 here, the service rules fail before ' +
      'theirs), so the term has no count for nft in these sweeps and its constant says not measured. A cold ' +
      'legacy walk also evicts the L2 that the CPU’s other work between packets (here the sender’s socket work) ' +
      're-reads after it: `ipt.l2Refill` per walk, times the share of the L2 its entries streamed (walkCost.ts ' +
      'l2Evicted: 93 % at 1k services, all of it from 2k on). Without it every quiet full calibration of sessions ' +
      '5–7 had its legacy first packet at 1k 2–3 µs over the model (−21 to −28 %) while 5k–10k fitted; the ' +
      'baseline flows walk none of the table, so the cost is the walk’s. Legacy only: the model does not size the ' +
      'chain blob an nft walk streams, and nft’s first packets show no such deficit.',
    '- **BPF**: a tc (clsact ingress) program looks each packet’s destination up in a hash map of N entries ' +
      '(loaded by `bpftool batch`); its run time is timed by the kernel (BPF_PROG_TEST_RUN) to fit ' +
      '`bpf.lookup.hash`, and the ping round trip is shown to stay flat in N. Map updates: one `bpftool map update`, ' +
      'and `bpftool batch` of N updates, each timed by a small shell around the process (from Node, a process ' +
      'start cost 2.6 ms at 45 MB of Node RSS and 7.4 ms at 370 MB). Every pass loads the program and its map ' +
      'afresh: the kernel-timed lookup is tight within one load and differs between loads (65 vs 88 ns), so a ' +
      'calibration has to sample loads, not runs of one load.',
    '- **verdicts**: the rules iptables-model renders for a small lab cluster, loaded into the node, real packets ' +
      'from the client, the kernel’s counters and conntrack table against the model’s trace.',
    '',
    'Restore model (iptables-model cost/restoreCost.ts), per backend: `invocation` + `line` per input line + ' +
      '`tableByte` per byte of the committed table (legacy fetches, rebuilds and swaps the whole blob on every ' +
      'commit, so a one-rule --noflush update costs in proportion to the table) + `lineChain` per input line × ' +
      'chain, the one superlinear term (chain lookups and sorted chain insertion in libiptc / the nft cache); ' +
      'nft also `tableCreate` per table the restore creates (a whole restore into emptied rules: nf_tables ' +
      'makes the table and registers its base chains’ hooks; a --noflush update into it does not).',
    '',
    'Fit: weighted non-negative least squares per group (relative errors), then backward elimination by AIC ' +
      '(kernel-lab fit/selectTerms.ts): a term whose drop-one ΔAIC on the group’s points is ≤ 0 — the data ' +
      'explain as well without it — is set to 0 and the rest re-fitted, so a term the sweep cannot separate from ' +
      'the others does not trade against them from one calibration to the next. The bootstrap resamples re-run ' +
      'the same selection.',
    '',
    ANCHORS_GAP,
    '',
    'Timing: see the load average above for how busy the machine was. Each point keeps all its runs in ' +
      'raw.json, in pass order. A calibration is a number of whole passes: pass 1 runs every sweep once (every ' +
      'size, every backend, a fresh BPF program and map), then pass 2, ...; so a point’s runs lie a pass (minutes) ' +
      'apart, each pass samples the machine over the whole calibration, and the block bootstrap below resamples ' +
      'whole passes. The spread column says how much a point’s runs varied, and the spread section below what ' +
      'that means for each fitted constant.',
    '',
  ].join('\n')
}
