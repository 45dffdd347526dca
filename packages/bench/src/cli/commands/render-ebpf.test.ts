import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateCluster, isInputError, serializeCluster } from '@dataplane-sim/cluster'
import { afterAll, describe, expect, it } from 'vitest'
import { UsageError } from '../_run'
import { parseMemory, renderEbpfCommand } from './render-ebpf'

const dir = mkdtempSync(join(tmpdir(), 'dpsim-render-ebpf-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const cluster = generateCluster({ seed: 2, services: 8, nodes: 2, policies: 3 })
const file = join(dir, 'cluster.json')
writeFileSync(file, serializeCluster(cluster))
const node = cluster.nodes[0].name

describe('dpsim render ebpf', () => {
  it('prints the maps as cilium bpf lists them and a sizing table', () => {
    const out = join(dir, 'maps.txt')
    renderEbpfCommand(file, { node, output: out })
    const text = readFileSync(out, 'utf8')
    expect(text).toContain('SERVICE ADDRESS')
    expect(text).toContain('IP PREFIX/ADDRESS')
    expect(text).toMatch(/cilium_policy_00001/)
    expect(text).toMatch(/MAP\s+ENTRIES\s+MAX\s+USE %\s+BYTES/)
  })

  it('sizes CT and NAT maps from --memory and writes JSON', () => {
    const small = join(dir, 'small.json')
    const big = join(dir, 'big.json')
    renderEbpfCommand(file, { node, json: true, memory: '4GiB', output: small })
    renderEbpfCommand(file, { node, json: true, memory: '64GiB', output: big })
    const ct = (p: string) =>
      (JSON.parse(readFileSync(p, 'utf8')).sizing as Array<{ map: string; max: number }>).find(
        (r) => r.map === 'cilium_ct4_global',
      )?.max ?? 0
    expect(ct(big)).toBeGreaterThan(ct(small))
    expect(JSON.parse(readFileSync(big, 'utf8')).maps.cilium_ipcache.length).toBeGreaterThan(0)
  })

  it('parses memory sizes in binary units', () => {
    expect(parseMemory('16GiB')).toBe(16 * 2 ** 30)
    expect(parseMemory('512Mi')).toBe(512 * 2 ** 20)
    expect(parseMemory('1024')).toBe(1024)
    expect(() => parseMemory('lots')).toThrow(UsageError)
  })

  it('refuses an unknown node, an unknown map and a broken cluster file', () => {
    expect(() => renderEbpfCommand(file, { node: 'nope' })).toThrow(UsageError)
    expect(() => renderEbpfCommand(file, { node, map: 'cilium_nothing', output: join(dir, 'x') })).toThrow(
      UsageError,
    )
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"schemaVersion": 1,\n')
    let err: unknown
    try {
      renderEbpfCommand(bad, { node })
    } catch (e) {
      err = e
    }
    expect(isInputError(err)).toBe(true)
  })
})
