import type { CostProfile } from '@dataplane-sim/cluster'

/**
 * Why this lab's restore times are about twice shared/anchors.md's for "the same" kube-proxy table (measured on
 * this machine kind; see the README section it writes).
 */
const ANCHORS_GAP = 'ANCHORS_GAP_PLACEHOLDER'

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
      'like KUBE-SERVICES rules (488 bytes of blob each; each round trip walks them twice); minus a baseline ' +
      'without rules taken just before; trimmed mean of each run, median of the runs. The `match` variant makes ' +
      'each rule test one extension match (192-byte rules). These walks are warm: back to back, the rules stay cached.',
    '- **first packet**: single-echo pings with a new ICMP identifier each (a new conntrack entry, so the nat ' +
      'table is walked) through a kube-proxy nat table of N services none of which matches. Each echo is a new ' +
      '`ping` process a few ms after the last, so these walks are cold.',
    '- **per-packet model** (iptables-model engine/walkCost.ts; the lab counts each point by running the engine ' +
      'on the same rules): `ipt.rule` per rule evaluated and `ipt.match` per extension match while the walk is ' +
      'cached, plus `ipt.uncachedBytes` per byte of rule entries a walk reads that is not cached: the bytes ' +
      'beyond `ipt.cacheBytes` (fitted: the size of walk that still finds itself cached on the next packet) for a ' +
      'warm walk, every byte for a cold one. All fitted together (and `:nft` variants), the cache-resident size ' +
      'by a search over 256 KiB–64 MiB.',
    '- **BPF**: a tc (clsact ingress) program looks each packet’s destination up in a hash map of N entries ' +
      '(loaded by `bpftool batch`); its run time is timed by the kernel (BPF_PROG_TEST_RUN) to fit ' +
      '`bpf.lookup.hash`, and the ping round trip is shown to stay flat in N. Map updates: one `bpftool map update`, ' +
      'and `bpftool batch` of N updates.',
    '- **verdicts**: the rules iptables-model renders for a small lab cluster, loaded into the node, real packets ' +
      'from the client, the kernel’s counters and conntrack table against the model’s trace.',
    '',
    'Restore model (iptables-model cost/restoreCost.ts), per backend: `invocation` + `line` per input line + ' +
      '`tableByte` per byte of the committed table (legacy fetches, rebuilds and swaps the whole blob on every ' +
      'commit, so a one-rule --noflush update costs in proportion to the table) + `lineChain` per input line × ' +
      'chain, the one superlinear term (chain lookups and sorted chain insertion in libiptc / the nft cache).',
    '',
    ANCHORS_GAP,
    '',
    'Timing: wall time of each command; see the load average above for how busy the machine was. Each point ' +
      'keeps all its runs in raw.json; the spread column says how much they varied, and the spread section ' +
      'below what that means for each fitted constant.',
    '',
  ].join('\n')
}
