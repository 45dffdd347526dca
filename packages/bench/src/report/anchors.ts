/**
 * The figures of `shared/anchors.md` as data, so a report can set the model's number beside each one at the
 * same scale. Values are in the unit given; `services` is the scale where one applies.
 */
export interface AnchorSpec {
  id: string
  /** what was measured, in the words of anchors.md */
  what: string
  /** the scale as anchors.md states it ("10k services (100k lines)", "50k rules") */
  scale: string
  services?: number
  rules?: number
  anchor: number
  unit: 's' | 'µs' | 'ms' | 'ns' | 'rules'
  source: string
}

const LAB = 'anchors.md, measured on Linux 6.18, 2 vCPU VM'
const SCALES: Array<[number, string]> = [
  [1000, '1k services (10k lines)'],
  [5000, '5k services (50k lines)'],
  [10_000, '10k services (100k lines)'],
  [20_000, '20k services (200k lines)'],
]

function restoreRows(id: string, what: string, values: number[]): AnchorSpec[] {
  return SCALES.map(([services, scale], i) => ({
    id: `${id}-${services / 1000}k`,
    what,
    scale,
    services,
    anchor: values[i],
    unit: 's' as const,
    source: LAB,
  }))
}

function rttRows(id: string, what: string, rows: Array<[number, number]>): AnchorSpec[] {
  return rows.map(([rules, us]) => ({
    id: `${id}-${rules / 1000}k`,
    what,
    scale: `${rules / 1000}k rules`,
    rules,
    anchor: us,
    unit: 'µs' as const,
    source: `${LAB} (ping RTT through three namespaces; FORWARD is crossed twice)`,
  }))
}

export const ANCHORS: readonly AnchorSpec[] = [
  ...restoreRows(
    'restore-legacy-full',
    'iptables-legacy-restore, whole nat table',
    [0.06, 0.314, 0.82, 2.488],
  ),
  ...restoreRows('restore-nft-full', 'iptables-nft-restore, whole nat table', [0.146, 0.94, 1.885, 4.175]),
  ...restoreRows(
    'noflush-legacy-one',
    'add ONE rule, iptables-legacy-restore --noflush',
    [0.031, 0.168, 0.363, 0.855],
  ),
  ...restoreRows(
    'noflush-nft-one',
    'add ONE rule, iptables-nft-restore --noflush',
    [0.007, 0.019, 0.033, 0.063],
  ),
  ...rttRows('rtt-legacy', 'RTT, N non-matching rules in filter FORWARD, iptables-legacy', [
    [1000, 16],
    [10_000, 157],
    [50_000, 1192],
  ]),
  ...rttRows('rtt-nft', 'RTT, N non-matching rules in filter FORWARD, iptables-nft', [
    [1000, 30],
    [10_000, 260],
    [50_000, 1248],
  ]),
  {
    id: 'rtt-bpf-500k',
    what: 'RTT, N entries in a BPF hash map looked up by a tc program',
    scale: '500k entries',
    rules: 500_000,
    anchor: 2,
    unit: 'µs',
    source: LAB,
  },
  ...(
    [
      [5000, 0.047, 0.15],
      [10_000, 0.062, 0.26],
      [30_000, 0.27, 0.71],
    ] as const
  ).flatMap(([services, p50, p99]) => [
    {
      id: `first-packet-p50-${services / 1000}k`,
      what: 'iptables first-packet latency p50',
      scale: `${services / 1000}k services`,
      services,
      anchor: p50,
      unit: 'ms' as const,
      source: 'kubernetes.io blog "NFTables mode for kube-proxy" (2025), read off its figure',
    },
    {
      id: `first-packet-p99-${services / 1000}k`,
      what: 'iptables first-packet latency p99',
      scale: `${services / 1000}k services`,
      services,
      anchor: p99,
      unit: 'ms' as const,
      source: 'kubernetes.io blog "NFTables mode for kube-proxy" (2025), read off its figure',
    },
  ]),
  {
    id: 'bpf-hash-lookup',
    what: 'BPF hash lookup (6 % → 100 % full, 65,536 entries)',
    scale: '65,536 entries',
    anchor: 25.7,
    unit: 'ns',
    source: 'bpf-next hashmap lookup benchmark, 2023 (19.7–31.7 ns; midpoint)',
  },
  {
    id: 'rules-10k-x10',
    what: 'rules at scale, 10k services × 10 endpoints',
    scale: '10k services × 10 endpoints',
    services: 10_000,
    anchor: 419_891,
    unit: 'rules',
    source: 'Tencent TKE network benchmark (whole node: nat + filter + others)',
  },
]

/** An anchor with the model's figure at the same scale beside it. */
export interface AnchorRow extends AnchorSpec {
  /** null when the run did not reach this scale */
  model: number | null
  /** (model − anchor) / anchor × 100 */
  errorPct: number | null
  /** |errorPct| ≤ 30 */
  within: boolean | null
  /** how the model figure was obtained and, when outside ±30 %, why */
  note: string
}

/** Sets model figures beside the anchors: `model(id)` gives the figure and how it was obtained, or null. */
export function compareAnchors(
  model: (a: AnchorSpec) => { value: number; note: string } | null,
  anchors: readonly AnchorSpec[] = ANCHORS,
): AnchorRow[] {
  return anchors.map((a) => {
    const m = model(a)
    if (!m || !Number.isFinite(m.value)) {
      return {
        ...a,
        model: null,
        errorPct: null,
        within: null,
        note: m?.note ?? 'not at this scale in this run',
      }
    }
    const errorPct = ((m.value - a.anchor) / a.anchor) * 100
    return { ...a, model: m.value, errorPct, within: Math.abs(errorPct) <= 30, note: m.note }
  })
}
