import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateCluster, isInputError, serializeCluster } from '@dataplane-sim/cluster'
import { parseIpsetSave, parseIptablesSave } from '@dataplane-sim/iptables-model'
import { afterAll, describe, expect, it } from 'vitest'
import { UsageError } from '../_run'
import { renderIptablesCommand } from './render-iptables'

const dir = mkdtempSync(join(tmpdir(), 'dpsim-render-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const cluster = generateCluster({ seed: 2, services: 12, nodes: 2, policies: 3 })
const file = join(dir, 'cluster.json')
writeFileSync(file, serializeCluster(cluster))

describe('dpsim render iptables', () => {
  it('writes iptables-save text the codec reads back, and the ipsets it refers to', () => {
    const out = join(dir, 'rules')
    const sets = join(dir, 'sets')
    renderIptablesCommand(file, { node: cluster.nodes[0].name, ipsets: sets, output: out, notrack: true })
    const rules = readFileSync(out, 'utf8')
    const rs = parseIptablesSave(rules, out)
    expect(rs.tables.map((t) => t.name)).toEqual(['raw', 'mangle', 'nat', 'filter'])
    expect(rules).toContain('-j KUBE-SERVICES')
    expect(rules).toContain('CT --notrack')
    expect(() => parseIpsetSave(readFileSync(sets, 'utf8'), sets)).not.toThrow()
  })

  it('lists user chains in creation order for --backend nft', () => {
    const legacy = join(dir, 'l')
    const nft = join(dir, 'n')
    renderIptablesCommand(file, { node: cluster.nodes[0].name, output: legacy })
    renderIptablesCommand(file, { node: cluster.nodes[0].name, output: nft, backend: 'nft' })
    const decls = (p: string) =>
      readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(':'))
    expect(decls(nft)).not.toEqual(decls(legacy))
    expect([...decls(nft)].sort()).toEqual([...decls(legacy)].sort())
  })

  it('refuses an unknown node, a bad backend and a broken cluster file', () => {
    expect(() => renderIptablesCommand(file, { node: 'nope' })).toThrow(UsageError)
    expect(() => renderIptablesCommand(file, { node: cluster.nodes[0].name, backend: 'ipvs' })).toThrow(
      UsageError,
    )
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"schemaVersion": 1,\n')
    let err: unknown
    try {
      renderIptablesCommand(bad, { node: 'x' })
    } catch (e) {
      err = e
    }
    expect(isInputError(err)).toBe(true)
  })
})
