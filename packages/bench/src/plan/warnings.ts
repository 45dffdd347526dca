import type { Footprint } from '@dataplane-sim/cluster'
import type { MapOverflowRecord } from '../suites/builders'
import type { MapUse, PlanWarning } from './types'

/**
 * Folds the model's refused insertions into map use: a full map shows entries = max in its footprint, so the
 * entries it would need are max + what each refused object still needed beyond it. Returns the adjusted maps
 * and, per map, how many objects were left out with one consequence as the example.
 */
export function withOverflows(
  maps: readonly MapUse[],
  records: readonly MapOverflowRecord[],
): { maps: MapUse[]; refused: Map<string, { count: number; example: string }> } {
  const extra = new Map<string, number>()
  const refused = new Map<string, { count: number; example: string }>()
  for (const r of records) {
    extra.set(r.map, (extra.get(r.map) ?? 0) + Math.max(1, r.needed - r.max))
    const seen = refused.get(r.map)
    if (seen) seen.count++
    else refused.set(r.map, { count: 1, example: r.owner ? `${r.owner}: ${r.consequence}` : r.consequence })
  }
  const out = maps.map((m) => {
    const add = extra.get(m.name)
    if (!add || !m.max) return { ...m }
    const entries = Math.max(m.entries, m.max) + add
    return { ...m, entries, usePct: (100 * entries) / m.max }
  })
  return { maps: out, refused }
}

/** Map use above this share of max_entries earns a warning before it overflows. */
export const NEAR_FULL_PCT = 90

/** BPF maps of an eBPF footprint with their use of max_entries. */
export function mapUse(f: Footprint): MapUse[] {
  return f.items.map((i) => ({
    name: i.name,
    entries: i.entries,
    max: i.max ?? null,
    usePct: i.max ? (100 * i.entries) / i.max : null,
    bytes: i.bytes,
  }))
}

/**
 * The per-endpoint policy maps folded into one row (the fullest one, named `cilium_policy_* (fullest of N)`),
 * so tables and charts stay readable with hundreds of endpoints; other maps unchanged.
 */
export function foldPolicyMaps<M extends { name: string; entries: number; bytes: number }>(
  maps: readonly M[],
): M[] {
  const policy = maps.filter((m) => m.name.startsWith('cilium_policy'))
  const rest = maps.filter((m) => !m.name.startsWith('cilium_policy'))
  if (policy.length <= 1) return maps.slice()
  const fullest = policy.reduce((a, b) => (b.entries > a.entries ? b : a))
  return [
    ...rest,
    {
      ...fullest,
      name: `cilium_policy_* (fullest of ${policy.length})`,
      bytes: policy.reduce((a, m) => a + m.bytes, 0),
    },
  ]
}

/** The cilium-config option that sets a map's size, as the user passes it to the agent / Helm. */
function sizingOption(map: string): { option: string; note: string } {
  if (map.startsWith('cilium_policy'))
    return { option: '--bpf-policy-map-max', note: 'per-endpoint policy map' }
  if (map.startsWith('cilium_lb4') || map.startsWith('cilium_lb_'))
    return { option: '--bpf-lb-map-max', note: 'service / backend maps' }
  if (map.startsWith('cilium_ct')) {
    return {
      option: map.includes('any') ? '--bpf-ct-global-any-max' : '--bpf-ct-global-tcp-max',
      note: 'connection tracking (sized from node memory by --bpf-map-dynamic-size-ratio unless set)',
    }
  }
  if (map.startsWith('cilium_snat') || map.includes('nat'))
    return { option: '--bpf-nat-global-max', note: 'NAT map' }
  if (map.startsWith('cilium_ipcache'))
    return { option: '--bpf-map-dynamic-size-ratio (ipcache follows it)', note: 'ipcache' }
  return { option: 'the map size option for this map', note: 'map' }
}

/** A size the fix can ask for: the next power of two ≥ 1.25 × the entries needed. */
/** The largest bpf-policy-map-max Cilium accepts (pkg/option/config.go PolicyMapMax, checked at start-up). */
export const POLICY_MAP_LIMIT = 1 << 16

/** The fix for a policy map that needs `entries`: a larger map while Cilium allows one, else fewer entries. */
export function policyMapFix(entries: number): string {
  const want = suggestedMax(entries)
  if (want <= POLICY_MAP_LIMIT)
    return `--bpf-policy-map-max ${want} (bpf.policyMapMax in Helm), or fewer/broader policy selectors`
  return (
    `fewer/broader policy selectors: ${entries} entries exceed what any endpoint policy map can hold ` +
    `(--bpf-policy-map-max is capped at ${POLICY_MAP_LIMIT})`
  )
}

export function suggestedMax(needed: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, needed * 1.25)))
}

/**
 * Overflow and near-full warnings for every BPF map, with the fix in the agent's own option names. Policy maps
 * are per endpoint: one overflowing is reported by name with the number of endpoints in the same state.
 */
export function mapWarnings(
  maps: readonly MapUse[],
  refused: ReadonlyMap<string, { count: number; example: string }> = new Map(),
): PlanWarning[] {
  const out: PlanWarning[] = []
  const leftOut = (name: string) => {
    const r = refused.get(name)
    return r ? ` The model refused ${r.count} insertion(s), e.g. ${r.example}.` : ''
  }
  const policy = maps.filter((m) => m.name.startsWith('cilium_policy') && m.max)
  const overPolicy = policy.filter((m) => m.entries > (m.max ?? Number.POSITIVE_INFINITY))
  if (overPolicy.length > 0) {
    const worst = overPolicy.reduce((a, b) => (b.entries > a.entries ? b : a))
    out.push({
      severity: 'error',
      dataplane: 'ebpf',
      subject: worst.name,
      message:
        `${overPolicy.length} endpoint policy map(s) overflow: ${worst.name} needs ${worst.entries} entries but holds ` +
        `${worst.max}. Cilium cannot add the entries that do not fit, so the traffic they would allow is dropped ("Policy denied").` +
        leftOut(worst.name),
      fix: policyMapFix(worst.entries),
    })
  }
  for (const m of maps) {
    if (!m.max || m.name.startsWith('cilium_policy')) continue
    const { option, note } = sizingOption(m.name)
    if (m.entries > m.max) {
      const lb = m.name.startsWith('cilium_lb4')
      out.push({
        severity: 'error',
        dataplane: 'ebpf',
        subject: m.name,
        message:
          `${m.name} (${note}) needs ${m.entries} entries but holds ${m.max}: updates fail with E2BIG` +
          (lb
            ? ', so services beyond the limit are not programmed and their traffic is not load-balanced.'
            : '.') +
          leftOut(m.name),
        fix: `${option} ${suggestedMax(m.entries)}`,
      })
    } else if ((m.usePct ?? 0) >= NEAR_FULL_PCT) {
      out.push({
        severity: 'warning',
        dataplane: 'ebpf',
        subject: m.name,
        message: `${m.name} (${note}) is ${m.usePct?.toFixed(0)} % full (${m.entries} of ${m.max}).`,
        fix: `${option} ${suggestedMax(m.entries)}`,
      })
    }
  }
  const nearPolicy = policy.filter((m) => (m.usePct ?? 0) >= NEAR_FULL_PCT && m.entries <= (m.max ?? 0))
  if (nearPolicy.length > 0 && overPolicy.length === 0) {
    const worst = nearPolicy.reduce((a, b) => (b.entries > a.entries ? b : a))
    out.push({
      severity: 'warning',
      dataplane: 'ebpf',
      subject: worst.name,
      message: `${nearPolicy.length} endpoint policy map(s) are ≥ ${NEAR_FULL_PCT} % full (${worst.name}: ${worst.entries} of ${worst.max}).`,
      fix: policyMapFix(worst.entries),
    })
  }
  return out
}

export interface ConntrackSizing {
  /** concurrent connections the node must track */
  connections: number
  /** the BPF CT maps' max_entries (TCP + any) as sized for this node */
  ctMax: number
  /** BPF CT entries one connection takes (a service connection takes a service entry and a flow entry) */
  entriesPerConnection: number
  ctBytes: number
  nodeMemoryBytes: number
}

/** CT sizing against the node: the connections fit the CT maps, and the maps fit the memory budget. */
export function conntrackWarnings(s: ConntrackSizing): PlanWarning[] {
  const out: PlanWarning[] = []
  const needed = s.connections * s.entriesPerConnection
  if (needed > s.ctMax) {
    const ratio = needed / s.ctMax
    out.push({
      severity: 'error',
      dataplane: 'ebpf',
      subject: 'cilium_ct4_global',
      message:
        `${s.connections} concurrent connections need about ${needed} BPF conntrack entries but the CT maps hold ${s.ctMax}: ` +
        'the LRU maps evict live connections, which then lose their NAT and policy state.',
      fix:
        `--bpf-ct-global-tcp-max ${suggestedMax(needed)}, or ${ratio.toFixed(1)}× more node memory with the dynamic ` +
        `size ratio (--bpf-map-dynamic-size-ratio), or a larger ratio`,
    })
  }
  if (s.ctBytes > 0.05 * s.nodeMemoryBytes) {
    out.push({
      severity: 'warning',
      dataplane: 'ebpf',
      subject: 'cilium_ct4_global',
      message: `the CT maps take ${((100 * s.ctBytes) / s.nodeMemoryBytes).toFixed(1)} % of the node's memory.`,
      fix: 'lower --bpf-ct-global-tcp-max / --bpf-ct-global-any-max, or give the node more memory',
    })
  }
  return out
}
