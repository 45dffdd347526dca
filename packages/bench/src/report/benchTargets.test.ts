import { describe, expect, it } from 'vitest'
import { benchTargets } from './benchTargets'

const quiet =
  '1-minute load average 0.2 at the start, 1.1 at the end, on 2 CPUs: the machine was otherwise quiet.'

function pipelineFile(batchPerCpuSecond: number, smallNs: number, bigNs: number, floorNs?: number) {
  const fig = (ns: number, entry: string, pps = 0) => ({
    task: 'first packets, socket-LB (reference deployment)',
    entry,
    jsNsPerPacket: ns,
    packetsPerCpuSecond: pps,
  })
  return {
    file: 'reports/bench/ebpf-pipeline.json',
    data: {
      date: '2026-11-29T06:10:00.000Z',
      load: quiet,
      target: { firstPacketsPerSecond: 1_000_000 },
      figures: [
        { services: 100, figures: [fig(smallNs, 'classifyTuple'), fig(smallNs, 'classifyTuples (batch)')] },
        {
          services: 100_000,
          figures: [fig(bigNs, 'classifyTuple'), fig(bigNs, 'classifyTuples (batch)', batchPerCpuSecond)],
          ...(floorNs === undefined
            ? {}
            : { firstPacketFloor: { rows: [{ row: 'both (…)', cpuNsPerPacket: floorNs }] } }),
        },
      ],
    },
  }
}

describe('benchmark targets', () => {
  it('judges a minimum and a maximum against the recorded figure', () => {
    const rows = benchTargets([
      {
        file: 'reports/bench/ebpf-build.json',
        data: { target: { buildSeconds: 5 }, figures: { buildSeconds: 4.2 } },
      },
      pipelineFile(400_000, 2000, 7000, 1400),
    ])
    const build = rows.find((r) => r.file.endsWith('ebpf-build.json'))
    expect(build).toMatchObject({ measured: 4.2, target: 5, kind: 'max', met: true })
    expect(build?.what).not.toMatch(/median/)
    const pps = rows.find((r) => /per CPU second/.test(r.what))
    expect(pps).toMatchObject({ measured: 400_000, target: 1_000_000, kind: 'min', met: false })
    // the per-flow tables' budget is the target's per-packet time
    expect(rows.find((r) => /per-flow tables/.test(r.what))).toMatchObject({ target: 1000, met: false })
    // flatness: 7000 / 2000 = 3.5 > 3
    const flat = rows.filter((r) => /^flatness/.test(r.what))
    expect(flat.map((r) => r.measured)).toEqual([3.5, 3.5])
    expect(flat.every((r) => !r.met)).toBe(true)
    expect(pps?.when).toBe('2026-11-29 06:10, quiet')
  })

  it('gives no row for a figure the file lacks, and none for files without a target', () => {
    const rows = benchTargets([
      pipelineFile(1_200_000, 2000, 4000),
      { file: 'reports/bench/ebpf-build.json', data: { target: { buildSeconds: 5 }, figures: {} } },
      { file: 'reports/bench/generate.json', data: { figures: [{ generateSeconds: 3 }] } },
      { file: 'reports/bench/iptables-parse.json', data: 'not an object' },
    ])
    expect(rows.some((r) => /per-flow tables/.test(r.what))).toBe(false)
    expect(rows.some((r) => r.file.endsWith('ebpf-build.json'))).toBe(false)
    expect(rows.some((r) => r.file.endsWith('generate.json'))).toBe(false)
    expect(rows.find((r) => /per CPU second/.test(r.what))?.met).toBe(true)
  })
})

describe('a build benchmark recorded over several runs', () => {
  it('says the figure is the median of the runs', () => {
    const rows = benchTargets([
      {
        file: 'reports/bench/ebpf-build.json',
        data: {
          target: { buildSeconds: 5 },
          figures: {
            buildSeconds: 5.4,
            runs: [{ buildSeconds: 5.1 }, { buildSeconds: 5.4 }, { buildSeconds: 6 }],
          },
        },
      },
    ])
    const build = rows.find((r) => r.file.endsWith('ebpf-build.json'))
    expect(build?.what).toMatch(/median of 3 runs/)
    expect(build).toMatchObject({ measured: 5.4, met: false })
  })
})
