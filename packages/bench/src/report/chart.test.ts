import { describe, expect, it } from 'vitest'
import { barChart, lineChart, shortNumber } from './chart'

describe('lineChart', () => {
  const spec = {
    title: 'First packet',
    xLabel: 'services',
    yLabel: 'modeled first-packet latency (ns)',
    series: [
      {
        name: 'iptables',
        points: [
          [100, 1e3],
          [1e3, 1e4],
          [1e4, 1e5],
        ] as [number, number][],
      },
      {
        name: 'eBPF',
        points: [
          [100, 90],
          [1e3, 90],
          [1e4, 90],
        ] as [number, number][],
      },
    ],
  }

  it('labels both axes with their units, says when a scale is logarithmic and has a legend entry per series', () => {
    const svg = lineChart(spec)
    expect(svg).toContain('services — log scale')
    expect(svg).toContain('modeled first-packet latency (ns) — log scale')
    expect(svg).toContain('>iptables<')
    expect(svg).toContain('>eBPF<')
    expect(svg.startsWith('<?xml')).toBe(true)
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"')
  })

  it('uses linear scales when values stay within two decades', () => {
    const svg = lineChart({
      ...spec,
      series: [
        {
          name: 'a',
          points: [
            [1, 1],
            [2, 3],
          ],
        },
      ],
    })
    expect(svg).not.toContain('log scale')
  })

  it('is deterministic', () => {
    expect(lineChart(spec)).toBe(lineChart(spec))
  })
})

describe('barChart', () => {
  it('draws one bar per category and series, with the reference line label', () => {
    const svg = barChart({
      title: 'BPF map use',
      yLabel: 'use of max_entries (%)',
      categories: ['cilium_lb4_services_v2', 'cilium_ipcache'],
      series: [{ name: '10k services', values: [10, 2] }],
      rules: [{ y: 100, label: 'full' }],
    })
    expect(svg.match(/<rect/g)?.length).toBe(1 + 2 + 1)
    expect(svg).toContain('>full<')
    expect(svg).toContain('cilium_ipcache')
  })
})

describe('shortNumber', () => {
  it.each([
    [0, '0'],
    [1500, '1.5k'],
    [20_000, '20k'],
    [3e6, '3M'],
    [0.25, '0.25'],
  ])('%d → %s', (v, s) => {
    expect(shortNumber(v)).toBe(s)
  })
})
