import { textTable } from '../report/format'
/** One command of a tutorial step, and which part of its output the tutorial shows. */
export interface TutorialCommand {
  argv: string[]
  /** keep only the lines this returns (default: all); the tutorial says when output was shortened */
  show?: (stdout: string) => string
}

export interface TutorialStep {
  title: string
  /** prose before the commands (Markdown) */
  intro: string
  commands: TutorialCommand[]
  /** prose after the output: what to look for */
  outro: string
}

/** Sizes the tutorial uses; the test runs the same steps with small ones. */
export interface TutorialSizes {
  /** service counts for the growth steps, ascending */
  services: number[]
  /** service count of the single-cluster steps */
  one: number
  dir: string
}

const firstTable = (s: string) => {
  const lines = s.split('\n')
  const start = lines.findIndex((l) => l.startsWith('|'))
  if (start < 0) return s
  let end = start
  while (end < lines.length && lines[end].startsWith('|')) end++
  return lines.slice(start, end).join('\n')
}

const matching = (re: RegExp) => (s: string) =>
  s
    .split('\n')
    .filter((l) => re.test(l))
    .join('\n')

/** The seed's argument, step by step: each step runs real dpsim commands. */
export function tutorialSteps(z: TutorialSizes): TutorialStep[] {
  return [
    {
      title: '1. Rule count grows with every service',
      intro:
        'kube-proxy writes, for every service port, a rule in `KUBE-SERVICES`, a `KUBE-SVC-…` chain with one rule per ' +
        'endpoint, and a `KUBE-SEP-…` chain per endpoint (2 + 3E nat rules for E endpoints). Cilium writes a few BPF map ' +
        'entries instead. `dpsim plan` renders both for a generated cluster and counts them:',
      commands: z.services.map((n) => ({
        argv: ['plan', '--services', String(n), '--endpoints', '2', '--seed', '1'],
        show: (s: string) => firstTable(s).split('\n').slice(0, 3).join('\n'),
      })),
      outro:
        'Every service adds its chains and rules to the iptables tables, and its frontend and backend-slot entries ' +
        'to the BPF maps: both grow with the cluster. What differs is how a packet *uses* them, next.',
    },
    {
      title: '2. A packet walks the rules one by one; eBPF looks it up',
      intro:
        'The first packet of a connection to a service traverses `KUBE-SERVICES` rule by rule until its ' +
        'ClusterIP:port matches. The eBPF datapath hashes the same key and finds the service in one lookup. ' +
        '`dpsim bench` classifies first packets to random services on both and prints modeled kernel time (counted ' +
        'rules × ns per rule vs lookups × ns per lookup) and the JS time of the model itself:',
      commands: [{ argv: ['bench', '--services', z.services.join(','), '--endpoints', '2', '--seed', '1'] }],
      outro:
        'Read the `ipt 1st (model)` column: it grows linearly with services while `eBPF 1st (model)` stays flat; the ' +
        '`gap 1st` column is their ratio.',
    },
    {
      title: '3. One service added: legacy iptables rewrites the whole table',
      intro:
        "With `iptables-legacy`, even kube-proxy's partial sync (KEP-3453) ends in the kernel replacing the whole " +
        'table blob, so adding ONE service costs in proportion to the table. Cilium updates a handful of map entries. ' +
        'The `+svc` columns of the same run show it:',
      commands: [
        {
          argv: ['bench', '--services', z.services.join(','), '--endpoints', '2', '--seed', '1'],
          show: (s: string) => {
            const rows = s
              .split('\n')
              .map((l) => l.trim().split(/\s{2,}/))
              .filter((cells) => cells.length >= 11 && !/^-+$/.test(cells[0]))
              .map((c) => [c[0], c[5], c[6], c[7], c[8], c[10]])
            return rows.length > 1 ? textTable(rows[0], rows.slice(1)) : s
          },
        },
      ],
      outro:
        '`ipt +svc (model)` is the modeled `iptables-legacy-restore` time of that partial sync; `eBPF +svc (model)` the ' +
        "map operations. The models' own JS times (measured on this machine, noisy) are shown beside them.",
    },
    {
      title: '4. What NOTRACK changes',
      intro:
        "Cilium's `installNoConntrackIptablesRules` adds raw-table `CT --notrack` rules for pod traffic, so it skips " +
        "netfilter conntrack entirely (Cilium's own BPF conntrack still tracks it). kube-proxy cannot do that: it needs " +
        'conntrack for its NAT. Compare the kernel conntrack row with and without it:',
      commands: [
        {
          argv: ['plan', '--services', String(z.one), '--connections', '50000', '--seed', '1'],
          show: matching(/kernel conntrack|established packet|first packet|^\| \s*\|/),
        },
        {
          argv: [
            'plan',
            '--services',
            String(z.one),
            '--connections',
            '50000',
            '--seed',
            '1',
            '--no-notrack',
          ],
          show: matching(/kernel conntrack|established packet|first packet|^\| \s*\|/),
        },
      ],
      outro:
        'With NOTRACK the node keeps no netfilter conntrack entry for pod-to-pod connections (memory, and a hash ' +
        'insert per new connection); without it every eBPF packet also pays the netfilter conntrack lookup, which ' +
        'shows in the eBPF per-packet figures.',
    },
    {
      title: '5. Where a Cilium map overflows',
      intro:
        'BPF maps have a fixed `max_entries`. The service map holds one entry per frontend plus one per backend slot ' +
        '(`bpf-lb-map-max`, 65536 by default). Shrink it to see what the planner says when it does not fit:',
      commands: [
        {
          argv: [
            'plan',
            '--services',
            String(z.one),
            '--seed',
            '1',
            '--bpf-lb-map-max',
            String(Math.max(64, Math.floor(z.one / 2))),
          ],
          show: matching(/cilium_lb4_services_v2|ERROR|WARNING|Verdict|sizing problem/),
        },
      ],
      outro:
        "The planner names the map, the entries needed and the fix in the agent's own option names. A policy map " +
        '(`bpf-policy-map-max`, per endpoint) overflows the same way, and its consequence is worse: the entries that ' +
        'do not fit are missing, so the traffic they would allow is dropped.',
    },
  ]
}
