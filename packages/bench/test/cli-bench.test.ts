import { describe, expect, it } from 'vitest'
import { runDpsim } from '../src/tutorial/capture'

describe('dpsim plan / report / bench', () => {
  it.each([
    [['plan'], /give a cluster file or --services N/],
    [['plan', '--services', '10', '--memory', 'lots'], /--memory: expected a size such as 16GiB/],
    [['plan', '--services', '10', '--latency-budget', '5'], /--latency-budget: expected a duration/],
    [['plan', '--services', 'ten'], /--services: expected an integer/],
    [['report', '--quick', '--full'], /exclude each other/],
    [['report', '--seed', 'x'], /--seed: expected a non-negative integer/],
    [['bench', '--services', '100,abc'], /--services: expected counts/],
  ])('dpsim %j exits 2 and says what was expected', async (argv, message) => {
    const r = await runDpsim(argv)
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(message)
  })

  it('reports a missing cluster file as file:line', async () => {
    const r = await runDpsim(['plan', '/no/such/cluster.json'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/^\/no\/such\/cluster\.json:1: cannot read/)
  })

  it('plans a small generated cluster as JSON with both dataplanes, warnings and a verdict', async () => {
    const r = await runDpsim(['plan', '--services', '40', '--bpf-lb-map-max', '32', '--json'])
    expect(r.exitCode).toBe(0)
    const plan = JSON.parse(r.stdout)
    expect(plan.iptables.rules).toBeGreaterThan(40)
    expect(plan.ebpf.maps.some((m: { name: string }) => m.name === 'cilium_lb4_services_v2')).toBe(true)
    expect(plan.warnings.some((w: { fix: string }) => w.fix.startsWith('--bpf-lb-map-max'))).toBe(true)
    expect(plan.verdict.lines).toHaveLength(3)
  }, 60_000)
})
