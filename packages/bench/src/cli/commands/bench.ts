import type { Command } from 'commander'
import { loadProfile } from '../../profiles/load'
import { fmtInt, fmtNs, fmtRatio, fmtSeconds, textTable } from '../../report/format'
import { createProgress } from '../../report/progress'
import { FULL, QUICK } from '../../suites/config'
import { defaultBuilders } from '../../suites/default-builders'
import { runScalingSuite, scalingSteps } from '../../suites/scaling'
import { emit, stableJson } from '../_io'
import { UsageError } from '../_run'

interface BenchCliOptions {
  quick?: boolean
  full?: boolean
  services?: string
  endpoints?: string
  seed: string
  profile: string
  json?: boolean
  output?: string
}

/** `dpsim bench`: the scaling suites alone (update, match, footprint per service count), as a table or JSON. */
export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'run the scaling suites (update, match, footprint) for both dataplanes and print the figures',
    )
    .option('--quick', 'the quick sweep (default): 100…10k services')
    .option('--full', 'the full sweep: 100…100k services')
    .option('--services <list>', 'comma-separated service counts instead of the profile sweep, e.g. 100,1000')
    .option('--endpoints <n>', 'endpoints per service')
    .option('--seed <n>', 'seed of the generated clusters', '1')
    .option('--profile <name|file>', 'cost profile', 'anchors')
    .option('--json', 'print every figure as JSON')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((o: BenchCliOptions) => {
      if (o.quick && o.full) throw new UsageError('bench: --quick and --full exclude each other')
      const cfg = o.full ? FULL : QUICK
      const services = o.services
        ? o.services.split(',').map((s) => {
            if (!/^\d+$/.test(s.trim()) || Number(s) < 1)
              throw new UsageError(
                `--services: expected counts like 100,1000, got ${JSON.stringify(o.services)}`,
              )
            return Number(s)
          })
        : cfg.services
      if (o.endpoints !== undefined && !/^\d+$/.test(o.endpoints))
        throw new UsageError(`--endpoints: expected an integer, got ${JSON.stringify(o.endpoints)}`)
      if (!/^\d+$/.test(o.seed))
        throw new UsageError(`--seed: expected a non-negative integer, got ${JSON.stringify(o.seed)}`)
      const endpoints = o.endpoints === undefined ? cfg.endpoints : Number(o.endpoints)
      const sizes = services.map((s) => ({
        services: s,
        endpoints,
        policies: Math.ceil(s / 10),
        nodes: 0,
        seed: Number(o.seed),
      }))
      const progress = createProgress(scalingSteps(sizes))
      const points = runScalingSuite({
        sizes,
        profile: loadProfile(o.profile),
        builders: defaultBuilders,
        timing: cfg.timing,
        packets: cfg.packets,
        onStep: (l) => progress.tick(l),
      })
      progress.stop()
      if (o.json) {
        emit(stableJson(points), o.output)
        return
      }
      const rows = points.map((p) => {
        const m = (dp: 'iptables' | 'ebpf') => p[dp].match.find((x) => x.kind === 'random')
        const u = (dp: 'iptables' | 'ebpf') => p[dp].update.find((x) => x.op === 'addService')
        return [
          fmtInt(p.services),
          fmtNs(m('iptables')?.modeledNs ?? Number.NaN),
          fmtNs(m('ebpf')?.modeledNs ?? Number.NaN),
          fmtNs(m('iptables')?.js.medianNs ?? Number.NaN),
          fmtNs(m('ebpf')?.js.medianNs ?? Number.NaN),
          fmtSeconds(u('iptables')?.variants['legacy-partial'] ?? Number.NaN),
          fmtSeconds(u('ebpf')?.modeledSeconds ?? Number.NaN),
          fmtNs(u('iptables')?.js.medianNs ?? Number.NaN),
          fmtNs(u('ebpf')?.js.medianNs ?? Number.NaN),
          fmtRatio(p.gap.firstPacketModeled),
          fmtRatio(p.gap.updateModeled),
        ]
      })
      emit(
        textTable(
          [
            'services',
            'ipt 1st (model)',
            'eBPF 1st (model)',
            'ipt 1st (JS)',
            'eBPF 1st (JS)',
            'ipt +svc (model)',
            'eBPF +svc (model)',
            'ipt +svc (JS)',
            'eBPF +svc (JS)',
            'gap 1st',
            'gap +svc',
          ],
          rows,
        ),
        o.output,
      )
    })
}
