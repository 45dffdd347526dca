import { foldPolicyMaps } from '../plan/warnings'
import type { ScalingPoint } from '../suites/scaling'
import { benchTargets } from './benchTargets'
import { checkClaims } from './claims'
import { fmtBytes, fmtInt, fmtNs, fmtPct, fmtRatio, fmtSeconds, mdTable, sig } from './format'
import { kernelLabMarkdown } from './kernel-lab-readme'
import type { Results } from './results'

const m = (p: ScalingPoint, dp: 'iptables' | 'ebpf', kind: string) => p[dp].match.find((x) => x.kind === kind)
const u = (p: ScalingPoint, dp: 'iptables' | 'ebpf', op = 'addService') =>
  p[dp].update.find((x) => x.op === op)

/** The headline table, also printed at the end of `dpsim report`. */
export function summaryRows(r: Results): { headers: string[]; rows: string[][] } {
  const headers = [
    'services',
    'ipt 1st pkt (model)',
    'eBPF 1st pkt (model)',
    'gap',
    'ipt-legacy +1 svc (model)',
    'eBPF +1 svc (model)',
    'gap',
    'gap 1st pkt (JS)',
    'gap +1 svc (JS)',
  ]
  const rows = [...r.scaling]
    .sort((a, b) => a.services - b.services)
    .map((p) => [
      fmtInt(p.services),
      fmtNs(m(p, 'iptables', 'random')?.modeledNs ?? Number.NaN),
      fmtNs(m(p, 'ebpf', 'random')?.modeledNs ?? Number.NaN),
      fmtRatio(p.gap.firstPacketModeled),
      fmtSeconds(
        u(p, 'iptables')?.variants['legacy-partial'] ?? u(p, 'iptables')?.modeledSeconds ?? Number.NaN,
      ),
      fmtSeconds(u(p, 'ebpf')?.modeledSeconds ?? Number.NaN),
      fmtRatio(p.gap.updateModeled),
      fmtRatio(p.gap.firstPacketJs),
      fmtRatio(p.gap.updateJs),
    ])
  return { headers, rows }
}

function anchorValue(v: number | null, unit: string): string {
  if (v === null) return '—'
  if (unit === 'rules') return fmtInt(v)
  return `${sig(v)} ${unit}`
}

/** Flattens the numeric leaves of a recorded benchmark file into `path: value` pairs (first 12). */
function leaves(data: unknown, prefix = '', out: string[] = []): string[] {
  if (out.length >= 12) return out
  if (typeof data === 'number') out.push(`${prefix}: ${sig(data)}`)
  else if (data && typeof data === 'object' && !Array.isArray(data)) {
    for (const [k, v] of Object.entries(data)) {
      if (['machine', 'node', 'date', 'cpu', 'nodeVersion'].includes(k)) continue
      leaves(v, prefix ? `${prefix}.${k}` : k, out)
    }
  } else if (Array.isArray(data)) {
    for (let i = 0; i < Math.min(6, data.length); i++) leaves(data[i], `${prefix}[${i}]`, out)
  }
  return out
}

/** README.md of a report: what was run, every figure in tables, the charts, anchors, and how to read it. */
export function renderReadme(r: Results): string {
  const pts = [...r.scaling].sort((a, b) => a.services - b.services)
  const out: string[] = []
  const largest = pts[pts.length - 1]
  const at10k = pts.find((p) => p.services === 10_000) ?? largest
  out.push(`# dataplane-sim report (${r.run.mode})\n`)
  out.push(
    `At ${fmtInt(at10k.services)} services the first packet of a new connection to a service costs ` +
      `**${fmtNs(m(at10k, 'iptables', 'random')?.modeledNs ?? Number.NaN)}** of modeled kernel time through kube-proxy's ` +
      `iptables rules and **${fmtNs(m(at10k, 'ebpf', 'random')?.modeledNs ?? Number.NaN)}** through Cilium's eBPF datapath ` +
      `(**${fmtRatio(at10k.gap.firstPacketModeled)}**); adding one service costs ` +
      `**${fmtSeconds(u(at10k, 'iptables')?.variants['legacy-partial'] ?? Number.NaN)}** of iptables-legacy-restore against ` +
      `**${fmtSeconds(u(at10k, 'ebpf')?.modeledSeconds ?? Number.NaN)}** of BPF map updates.\n`,
  )
  out.push('## What was run\n')
  const mc = r.run.machine
  out.push(
    mdTable(
      ['', ''],
      [
        ['command', `\`dpsim report --${r.run.mode} --seed ${r.run.seed} --profile ${r.run.profile}\``],
        ['date', r.run.date],
        ['machine', `${mc.cpu}, ${mc.cores} cores, ${fmtBytes(mc.memoryBytes)} RAM`],
        [
          'load average',
          `${mc.loadAverage.map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min, when the run ended)`,
        ],
        ['OS', `${mc.platform} ${mc.release} (${mc.arch})`],
        ['Node.js', mc.node],
        [
          'cost profile',
          `${r.profile.name} — ${r.profile.description} (method: ${r.profile.provenance.method})`,
        ],
        ['seed', String(r.run.seed)],
        [
          'scales',
          pts.map((p) => `${fmtInt(p.services)}×${p.endpointsPerService}`).join(', ') +
            ' (services × endpoints)',
        ],
        ['wall time', `${sig(r.run.wallSeconds)} s`],
      ],
      'll',
    ),
  )
  out.push(`\n> ${r.run.note}\n`)
  out.push('## Summary\n')
  const s = summaryRows(r)
  out.push(mdTable(s.headers, s.rows))
  out.push('\n### Does the report reproduce the gap?\n')
  out.push(
    mdTable(
      ['claim', 'holds', 'evidence'],
      checkClaims(pts).map((c) => [
        c.statement,
        c.holds === null ? 'n/a' : c.holds ? 'yes' : '**no**',
        c.evidence,
      ]),
      'lll',
    ),
  )
  out.push('\n## Charts\n')
  for (const [file, alt] of [
    ['first-packet.svg', 'first-packet latency vs services'],
    ['update-cost.svg', 'one-service update cost vs services'],
    ['gap.svg', 'gap ratio vs services'],
    ['programming-latency.svg', 'programming latency under churn'],
    ['bpf-map-use.svg', 'BPF map use'],
  ]) {
    out.push(`![${alt}](charts/${file})\n`)
  }
  out.push('\n## Packet classification (match suite)\n')
  out.push(
    'JS time is what the model takes on this machine per packet (median / p99 of tinybench samples); modeled time is ' +
      'the counted kernel operations (rules evaluated, map lookups, conntrack) times the cost profile.\n\n',
  )
  const matchRows: string[][] = []
  for (const p of pts) {
    for (const dp of ['iptables', 'ebpf'] as const) {
      for (const x of p[dp].match) {
        matchRows.push([
          fmtInt(p.services),
          dp,
          x.kind,
          fmtNs(x.js.medianNs),
          fmtNs(x.js.p99Ns),
          String(x.js.samples),
          fmtNs(x.modeledNs),
          fmtNs(x.modeledP50Ns),
          fmtNs(x.modeledP99Ns),
          Object.entries(x.counts)
            .map(([k, v]) => `${k}=${sig(v)}`)
            .join(' '),
        ])
      }
    }
  }
  out.push(
    mdTable(
      [
        'services',
        'dataplane',
        'packet',
        'JS median',
        'JS p99',
        'samples',
        'modeled mean',
        'modeled p50',
        'modeled p99',
        'counted operations',
      ],
      matchRows,
      'rllrrrrrrl',
    ),
  )
  out.push('\n## Updates (update suite)\n')
  out.push(
    'Each update is applied to a built dataplane alternately with its inverse (remove the middle service / add it ' +
      'back, drop one endpoint / add it back, add a policy port / remove it); every apply is timed with ' +
      "performance.now and counts as a sample of its operation. Modeled: the node's own variant (iptables-legacy, " +
      'partial sync). iptables variants: legacy / nft backend × partial sync (the apply) and full sync (the whole ' +
      'ruleset priced by the same restore cost model).\n\n',
  )
  const updRows: string[][] = []
  for (const p of pts) {
    for (const dp of ['iptables', 'ebpf'] as const) {
      for (const x of p[dp].update) {
        const v = x.variants
        updRows.push([
          fmtInt(p.services),
          dp,
          x.op,
          fmtNs(x.js.medianNs),
          fmtNs(x.js.p99Ns),
          String(x.js.samples),
          fmtSeconds(x.modeledSeconds),
          dp === 'iptables'
            ? ['legacy-partial', 'legacy-full', 'nft-partial', 'nft-full']
                .map((k) => (v[k] !== undefined ? `${k} ${fmtSeconds(v[k])}` : ''))
                .filter(Boolean)
                .join(', ')
            : Object.entries(x.counts)
                .map(([k, c]) => `${k}=${sig(c)}`)
                .join(' '),
        ])
      }
    }
  }
  out.push(
    mdTable(
      [
        'services',
        'dataplane',
        'update',
        'JS median',
        'JS p99',
        'samples',
        'modeled',
        'variants / operations',
      ],
      updRows,
      'rllrrrrl',
    ),
  )
  out.push('\n## Footprint\n')
  const fpRows: string[][] = []
  for (const p of pts) {
    for (const dp of ['iptables', 'ebpf'] as const) {
      const f = p[dp].footprint
      fpRows.push([
        fmtInt(p.services),
        dp,
        fmtInt(f.totalEntries),
        fmtBytes(f.totalBytes),
        // one policy map per endpoint: folded into the fullest one so the cell stays readable
        foldPolicyMaps(f.items)
          .filter((i) => i.entries > 0)
          .map(
            (i) =>
              `${i.name} ${fmtInt(i.entries)}${i.max ? `/${fmtInt(i.max)}` : ''}${i.chains ? ` (${i.chains} chains)` : ''}`,
          )
          .join('; '),
        `${sig(p[dp].buildMs)} ms`,
      ])
    }
  }
  out.push(
    mdTable(
      ['services', 'dataplane', 'rules / entries', 'bytes', 'tables / maps', 'build (JS)'],
      fpRows,
      'rlrrlr',
    ),
  )
  if (r.variations.length > 0) {
    out.push('\n## Endpoints and policies\n')
    out.push('The same suites at a fixed service count with more endpoints per service or more policies.\n\n')
    out.push(
      mdTable(
        [
          'services',
          'endpoints',
          'policies',
          'ipt rules',
          'eBPF entries',
          'ipt 1st pkt (model)',
          'eBPF 1st pkt (model)',
          'ipt-legacy +1 svc (model)',
          'eBPF +1 svc (model)',
          'gap 1st pkt',
        ],
        r.variations.map((p) => [
          fmtInt(p.services),
          String(p.endpointsPerService),
          fmtInt(p.policies),
          fmtInt(p.iptables.footprint.totalEntries),
          fmtInt(p.ebpf.footprint.totalEntries),
          fmtNs(m(p, 'iptables', 'random')?.modeledNs ?? Number.NaN),
          fmtNs(m(p, 'ebpf', 'random')?.modeledNs ?? Number.NaN),
          fmtSeconds(u(p, 'iptables')?.variants['legacy-partial'] ?? Number.NaN),
          fmtSeconds(u(p, 'ebpf')?.modeledSeconds ?? Number.NaN),
          fmtRatio(p.gap.firstPacketModeled),
        ]),
      ),
    )
  }
  out.push('\n## The gap at each scale\n')
  out.push(
    mdTable(
      [
        'services',
        'first packet (modeled)',
        'worst-placed (modeled)',
        'first packet (JS)',
        '+1 service (modeled)',
        '+1 service (JS)',
      ],
      pts.map((p) => [
        fmtInt(p.services),
        fmtRatio(p.gap.firstPacketModeled),
        fmtRatio(p.gap.worstPacketModeled),
        fmtRatio(p.gap.firstPacketJs),
        fmtRatio(p.gap.updateModeled),
        fmtRatio(p.gap.updateJs),
      ]),
    ),
  )
  out.push('\n## Programming latency under churn\n')
  out.push(
    `A discrete-event simulation of the Kubernetes network programming latency SLI over ${sig(r.churn.durationSeconds)} s of ` +
      `changes arriving at each rate (Poisson, 5 % of arrivals are bursts of 2–20 changes). ${r.churn.kubeProxyModel} ` +
      `${r.churn.ciliumModel}\n\n`,
  )
  out.push(
    mdTable(
      [
        'services',
        'changes/s',
        'kube-proxy p50',
        'p99',
        'syncs',
        'busy',
        'keeps up',
        'Cilium p50',
        'p99',
        'busy',
      ],
      [...r.churn.points]
        .sort((a, b) => a.rate - b.rate || a.services - b.services)
        .map((p) => [
          fmtInt(p.services),
          sig(p.rate),
          fmtSeconds(p.kubeProxy.p50),
          fmtSeconds(p.kubeProxy.p99),
          fmtInt(p.kubeProxy.runs),
          `${Math.round(p.kubeProxy.busyFraction * 100)} %`,
          p.kubeProxy.keepsUp ? 'yes' : '**no**',
          fmtSeconds(p.cilium.p50),
          fmtSeconds(p.cilium.p99),
          `${sig(p.cilium.busyFraction * 100)} %`,
        ]),
    ),
  )
  out.push('\n')
  for (const l of r.churn.kubeProxyLimit) {
    out.push(
      `- at ${sig(l.rate)} changes/s kube-proxy ${l.services === null ? 'keeps up at every swept size' : `can no longer keep up from **${fmtInt(l.services)} services** (its sync loop never idles)`}; ` +
        `Cilium ${r.churn.ciliumLimit.find((c) => c.rate === l.rate)?.services == null ? 'keeps up at every swept size' : `stops keeping up at ${fmtInt(r.churn.ciliumLimit.find((c) => c.rate === l.rate)!.services!)}`}.\n`,
    )
  }
  out.push('\n## Capacity plan\n')
  const pl = r.plan
  out.push(
    `For ${fmtInt(pl.input.services)} services × ${pl.input.endpointsPerService} endpoints, ${fmtInt(pl.input.policies)} policies, ` +
      `node \`${pl.input.node}\` with ${fmtBytes(pl.input.nodeMemoryBytes)}, ${fmtInt(pl.input.connections)} concurrent connections ` +
      `(\`dpsim plan --services ${pl.input.services} --endpoints ${pl.input.endpointsPerService} --policies ${pl.input.policies}\`):\n\n`,
  )
  out.push(planMarkdown(r.plan))
  out.push('\n## Anchors: the model beside real measurements\n')
  out.push(
    "Every figure of `shared/anchors.md` at the scale it was measured, with the model's figure for the same scale. " +
      'Error = (model − anchor) / anchor.\n\n',
  )
  out.push(
    mdTable(
      ['what', 'scale', 'anchor', 'model', 'error', '±30 %', 'how the model figure was obtained'],
      r.anchors.map((a) => [
        a.what,
        a.scale,
        anchorValue(a.anchor, a.unit),
        anchorValue(a.model, a.unit),
        a.errorPct === null ? '—' : fmtPct(a.errorPct),
        a.within === null ? 'n/a' : a.within ? 'yes' : '**no**',
        a.note,
      ]),
      'llrrrll',
    ),
  )
  const outside = r.anchors.filter((a) => a.within === false)
  if (outside.length > 0) {
    out.push(
      `\n${outside.length} anchor figure(s) fall outside ±30 %: ${outside.map((a) => `${a.id} (${fmtPct(a.errorPct ?? 0)})`).join(', ')}. Their notes above say why.\n`,
    )
  }
  out.push(kernelLabMarkdown(r.kernelLab))
  out.push('\n## Benchmarks recorded by the other packages\n')
  if (r.benchmarks.length === 0)
    out.push('No `reports/bench/*.json` files were present when this report ran.\n')
  else {
    const targets = benchTargets(r.benchmarks)
    if (targets.length > 0) {
      const met = targets.filter((t) => t.met).length
      out.push(
        `Speed targets the issues set, judged on the recorded figures: **${met} of ${targets.length} met**. These time the simulator on this machine (not the kernel); “under load” marks a file whose run shared the CPUs with other work.\n\n`,
      )
      const value = (v: number, unit: string) =>
        `${Math.abs(v) >= 1000 ? fmtInt(Math.round(v)) : sig(v)} ${unit}`
      out.push(
        mdTable(
          ['target', 'measured', 'bound', 'met', 'measured at', 'file'],
          targets.map((t) => [
            t.what,
            value(t.measured, t.unit),
            `${t.kind === 'min' ? '≥' : '≤'} ${value(t.target, t.unit)}`,
            t.met ? 'yes' : '**no**',
            t.when,
            t.file,
          ]),
          'lrrlll',
        ),
      )
      out.push('\n')
    }
    out.push(
      "All figures from `reports/bench/*.json` (each package's own benchmark scripts; each file's `load` field says whether the machine was quiet when it was measured).\n\n",
    )
    out.push(
      mdTable(
        ['file', 'figures'],
        r.benchmarks.map((b) => [b.file, leaves(b.data).join('; ')]),
        'll',
      ),
    )
  }
  out.push(`\n## How to read this\n\n${EXPLANATION}`)
  // a blank line around every heading, whatever the sections above pushed
  return out
    .join('')
    .replace(/\n*(^#{1,4} [^\n]+)\n+/gm, '\n\n$1\n\n')
    .replace(/^\n+/, '')
}

/** The capacity plan as Markdown (also used by `dpsim plan`). */
export function planMarkdown(pl: Results['plan']): string {
  const out: string[] = []
  const ip = pl.iptables
  const eb = pl.ebpf
  out.push(
    mdTable(
      ['', 'iptables (kube-proxy + Calico-style policy)', 'eBPF (Cilium)'],
      [
        [
          'rules / map entries',
          `${fmtInt(ip.rules)} rules in ${fmtInt(ip.chains)} chains (${fmtBytes(ip.bytes)})`,
          `${fmtInt(eb.maps.reduce((a, x) => a + x.entries, 0))} entries (${fmtBytes(eb.memoryBytes)})`,
        ],
        [
          'first packet p50 / p99',
          `${fmtNs(ip.firstPacket.p50Ns)} / ${fmtNs(ip.firstPacket.p99Ns)}`,
          `${fmtNs(eb.firstPacket.p50Ns)} / ${fmtNs(eb.firstPacket.p99Ns)} (${sig(eb.lookupsPerPacket)} lookups)`,
        ],
        ['established packet', fmtNs(ip.establishedNs), fmtNs(eb.establishedNs)],
        [
          'one-service update',
          `legacy ${fmtSeconds(ip.restoreSeconds.legacyPartial)} partial / ${fmtSeconds(ip.restoreSeconds.legacyFull)} full; nft ${fmtSeconds(ip.restoreSeconds.nftPartial)} / ${fmtSeconds(ip.restoreSeconds.nftFull)}`,
          `${sig(eb.updateOps)} map operations, ${fmtSeconds(eb.updateSeconds)}`,
        ],
        [
          'kernel conntrack',
          `${fmtInt(ip.conntrack.entries)} entries, ${fmtBytes(ip.conntrack.bytes)}`,
          eb.notrack
            ? `${fmtInt(eb.kernelConntrack.entriesWithNotrack)} entries (NOTRACK on; ${fmtInt(eb.kernelConntrack.entries)} / ${fmtBytes(eb.kernelConntrack.bytes)} without it); BPF CT ${fmtInt(eb.bpfConntrackEntries)}`
            : `${fmtInt(eb.kernelConntrack.entries)} entries, ${fmtBytes(eb.kernelConntrack.bytes)} (NOTRACK off; ${fmtInt(eb.kernelConntrack.entriesWithNotrack)} with it); BPF CT ${fmtInt(eb.bpfConntrackEntries)}`,
        ],
      ],
      'lll',
    ),
  )
  out.push('\n')
  out.push(
    mdTable(
      ['BPF map', 'entries', 'max', 'use', 'bytes'],
      foldPolicyMaps(eb.maps).map((x) => [
        x.name,
        fmtInt(x.entries),
        x.max === null ? '—' : fmtInt(x.max),
        x.usePct === null ? '—' : `${sig(x.usePct)} %`,
        fmtBytes(x.bytes),
      ]),
    ),
  )
  out.push('\n')
  if (pl.warnings.length) {
    out.push('**Warnings**\n\n')
    for (const w of pl.warnings)
      out.push(`- ${w.severity.toUpperCase()} (${w.dataplane}, ${w.subject}): ${w.message} Fix: ${w.fix}\n`)
    out.push('\n')
  }
  out.push('**Verdict**\n\n')
  for (const l of pl.verdict.lines) out.push(`- ${l}\n`)
  return out.join('')
}

const EXPLANATION = `**Why iptables slows down.** kube-proxy turns every Service into rules. A packet that opens a new
connection walks the \`KUBE-SERVICES\` chain one rule at a time until it finds the rule for its ClusterIP:port, so
the work per first packet grows with the number of services in front of it: about half of them for a random
service, all of them for the one at the end. The kernel cost per rule is small (about 10 ns on this machine kind,
see the anchors), but 10k services make that ~50k rule evaluations' worth of microseconds on every new connection.

**Why eBPF does not.** Cilium keeps services in BPF hash maps: the datapath hashes (ClusterIP, port) and finds the
entry in one lookup, then the backend in another. A hash lookup costs the same with 100 entries or 100,000, so the
first-packet line stays flat.

**Why updates differ.** \`iptables-restore\` with the legacy backend replaces the whole table in the kernel on every
commit: even a partial sync that sends only one service's chains makes the kernel copy and re-validate every rule,
so the cost of "add one service" grows with the table. The nft backend applies a delta, and Cilium updates just the
few map entries the change touches (a service entry per backend slot, the backends, the reverse-NAT entry).

**Why programming latency explodes.** kube-proxy batches changes and runs at most one sync at a time, at most every
minSyncPeriod. Once one sync takes longer than the gap between changes, syncs run back to back and every change
waits for the running sync and then its own: latency follows the restore time, which follows the table size.
Cilium handles each change on its own with a cost that does not depend on the cluster size.

**Measured vs modeled.** "JS" figures time this simulator on this machine — they show the same algorithmic shape
(a linear scan vs a hash lookup) but not kernel speed. "Modeled" figures count the kernel operations the real
systems perform and multiply them by per-operation costs fitted to real-kernel measurements (the cost profile).
`
