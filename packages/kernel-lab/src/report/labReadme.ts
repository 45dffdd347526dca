import type { CostProfile } from '@dataplane-sim/cluster'

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
    'npx --yes pnpm@10 dpsim calibrate -o packages/bench/profiles/calibrated.json --raw-dir reports/kernel',
    'npx --yes pnpm@10 dpsim calibrate --from-raw reports/kernel/raw.json   # re-fit without measuring',
    '```',
    '',
    'Set-up (packages/kernel-lab): three network namespaces, client → node → server, joined by veth pairs made ' +
      'inside them (nothing in the host namespace), every address in 198.18.0.0/15; rules and the BPF program ' +
      'live in the node namespace; everything is deleted on exit, error and SIGINT/SIGTERM.',
    '',
    '- **restore**: `iptables-{legacy,nft}-restore` of a kube-proxy-shaped nat table (per service 1 KUBE-SERVICES ' +
      'rule, a KUBE-SVC chain with a rule per endpoint, a KUBE-SEP chain of 2 rules per endpoint, 2 endpoints: ' +
      '10 lines), into emptied rules; then one rule with `--noflush`. Wall time of the command, process start ' +
      'included (as kube-proxy pays it).',
    '- **per packet**: `ping -i 0` round trips client → server through N FORWARD rules no packet matches, shaped ' +
      'like KUBE-SERVICES rules (each round trip walks them twice); minus a baseline without rules taken just ' +
      'before; trimmed mean of each run, median of the runs. The `match` variant makes each rule test one ' +
      'extension match. Fitted: `ipt.rule`, `ipt.match` (and `:nft` variants).',
    '- **first packet**: single-echo pings with a new ICMP identifier each (a new conntrack entry, so the nat ' +
      'table is walked) through a kube-proxy nat table of N services none of which matches. Validation only, not ' +
      'fitted: these walks are cache-cold (one flow every few ms), so they cost more per rule than the warm ' +
      'back-to-back walks the FORWARD sweeps measure.',
    '- **BPF**: a tc (clsact ingress) program looks each packet’s destination up in a hash map of N entries ' +
      '(loaded by `bpftool batch`); its run time is timed by the kernel (BPF_PROG_TEST_RUN) to fit ' +
      '`bpf.lookup.hash`, and the ping round trip is shown to stay flat in N. Map updates: one `bpftool map update`, ' +
      'and `bpftool batch` of N updates.',
    '- **verdicts**: the rules iptables-model renders for a small lab cluster, loaded into the node, real packets ' +
      'from the client, the kernel’s counters and conntrack table against the model’s trace.',
    '',
    'Reading the errors: one constant per rule fits a rule walk while the table fits in the CPU caches; a ' +
      'table of tens of thousands of kube-proxy-sized rules (each with a comment match, some hundreds of bytes) does ' +
      'not, and then every rule costs several times more (see the 50k rows) — a linear model cannot cover both ' +
      'sides. The same holds for first packets, whose walks start cold. Restore constants are fitted jointly ' +
      '(invocation, line, table rule, line×chain, rule×chain); with one table shape some of them are collinear, ' +
      'and the non-negative fit may pin one at zero and carry its share in another.',
    '',
    'Timing caveat: the machine was shared with other work (see the load average above). Each point keeps all ' +
      'its runs in raw.json; the spread column says how much they varied.',
    '',
  ].join('\n')
}
