import { isInputError } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { serializeRuleset } from '../src/codec/serialize'
import { DEFAULT_IPTABLES_RESTORE_PROFILE } from '../src/cost/restoreCost'
import { nodeSaveText, renderNode } from '../src/render/nodeRuleset'
import { restore } from '../src/restore/restore'
import { findChain, findTable } from '../src/ruleset/types'
import { policyCluster } from './fixtures/policyCluster'

/** The anchor table's nat shape: per service 1 KUBE-SERVICES rule, KUBE-SVC with 2 rules, 2 KUBE-SEP with 2 rules. */
function anchorNat(services: number): string {
  const decl: string[] = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
  ]
  const rules: string[] = []
  for (let s = 0; s < services; s++) {
    const ip = `10.${96 + (s >> 16)}.${(s >> 8) & 255}.${s & 255}`
    decl.push(`:KUBE-SVC-${s} - [0:0]`, `:KUBE-SEP-${s}A - [0:0]`, `:KUBE-SEP-${s}B - [0:0]`)
    rules.push(`-A KUBE-SERVICES -d ${ip}/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-${s}`)
    rules.push(`-A KUBE-SVC-${s} -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-${s}A`)
    rules.push(`-A KUBE-SVC-${s} -j KUBE-SEP-${s}B`)
    for (const e of ['A', 'B']) {
      rules.push(`-A KUBE-SEP-${s}${e} -s 10.244.${s & 255}.1/32 -j MARK --set-xmark 0x4000/0x4000`)
      rules.push(`-A KUBE-SEP-${s}${e} -p tcp -m tcp -j DNAT --to-destination 10.244.${s & 255}.1:8080`)
    }
  }
  return [...decl, ...rules, 'COMMIT', ''].join('\n')
}

describe('restore', () => {
  it('prices a whole-table restore and a one-rule --noflush update as the anchors measured them (1k services)', () => {
    const full = restore(null, anchorNat(1000), { backend: 'legacy' })
    expect(full.report.counts['restore.tableRules']).toBe(7000)
    expect(Math.abs(full.report.variants!.legacy / 0.06 - 1)).toBeLessThan(0.3)
    expect(Math.abs(full.report.variants!.nft / 0.146 - 1)).toBeLessThan(0.3)
    const one = restore(
      full.state,
      '*nat\n-A KUBE-SERVICES -d 10.200.0.1/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-0\nCOMMIT\n',
      {
        noflush: true,
        backend: 'nft',
      },
    )
    expect(one.report.counts['restore.rulesWritten']).toBe(1)
    expect(Math.abs(one.report.variants!.legacy / 0.031 - 1)).toBeLessThan(0.3)
    expect(Math.abs(one.report.variants!.nft / 0.007 - 1)).toBeLessThan(0.3)
    expect(one.report.seconds).toBe(one.report.variants!.nft)
  })

  it('counts nf_tables table creation only for a table the state did not hold, and only under nft', () => {
    const first = restore(null, anchorNat(10), { backend: 'nft' })
    expect(first.report.counts['restore.nft.tableCreate']).toBe(1)
    const again = restore(first.state, anchorNat(10), { backend: 'nft' })
    expect(again.report.counts['restore.nft.tableCreate']).toBe(0)
    const filter = restore(first.state, '*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n', {
      noflush: true,
      backend: 'nft',
    })
    expect(filter.report.counts['restore.nft.tableCreate']).toBe(1)
    const legacy = restore(null, anchorNat(10), { backend: 'legacy' })
    expect(legacy.report.counts['restore.nft.tableCreate']).toBeUndefined()
    // priced by a profile that has the constant: the first sync costs it once more than the second
    const base = DEFAULT_IPTABLES_RESTORE_PROFILE
    const profile = {
      ...base,
      constants: { ...base.constants, 'restore.nft.tableCreate': { value: 0.02, unit: 's', source: 'test' } },
    }
    const a = restore(null, anchorNat(10), { backend: 'nft', profile }).report.variants!.nft
    const b = restore(first.state, anchorNat(10), { backend: 'nft', profile }).report.variants!.nft
    expect(a - b).toBeCloseTo(0.02, 9)
  })

  it('swaps the whole table blob under legacy but sends only a delta under nft', () => {
    const base = restore(null, anchorNat(50)).state
    const input = '*nat\n-A KUBE-SERVICES -d 10.200.0.1/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-0\nCOMMIT\n'
    const legacy = restore(base, input, { noflush: true, backend: 'legacy' })
    const nft = restore(base, input, { noflush: true, backend: 'nft' })
    expect(legacy.report.counts['restore.blobBytes']).toBeGreaterThan(50 * 7 * 100)
    expect(nft.report.counts['restore.blobBytes']).toBeLessThan(1000)
  })

  it('with --noflush replaces only declared chains and keeps the rest', () => {
    const base = restore(null, nodeSaveText(renderNode(policyCluster(), 'node-a'))).state
    const next = restore(base, '*filter\n:KUBE-FORWARD - [0:0]\n-A KUBE-FORWARD -j ACCEPT\nCOMMIT\n', {
      noflush: true,
    })
    const filter = findTable(next.state, 'filter')!
    expect(findChain(filter, 'KUBE-FORWARD')!.rules).toHaveLength(1)
    expect(findChain(filter, 'cali-FORWARD')!.rules.length).toBe(
      findChain(findTable(base, 'filter')!, 'cali-FORWARD')!.rules.length,
    )
    expect(next.report.counts['restore.chainsReplaced']).toBe(1)
    expect(findTable(next.state, 'nat')).toBe(findTable(base, 'nat'))
  })

  it('without --noflush replaces every table in the input whole', () => {
    const base = restore(null, nodeSaveText(renderNode(policyCluster(), 'node-a'))).state
    const next = restore(
      base,
      '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n',
    )
    const filter = findTable(next.state, 'filter')!
    expect(filter.chains.map((c) => c.name)).toEqual(['INPUT', 'FORWARD', 'OUTPUT'])
    expect(findChain(filter, 'FORWARD')!.policy).toBe('DROP')
  })

  it('deletes chains with -X after flushing them, as kube-proxy removes stale service chains', () => {
    const base = restore(null, anchorNat(3)).state
    const next = restore(
      base,
      '*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-2 - [0:0]\n:KUBE-SEP-2A - [0:0]\n:KUBE-SEP-2B - [0:0]\n-X KUBE-SVC-2\n-X KUBE-SEP-2A\n-X KUBE-SEP-2B\nCOMMIT\n',
      {
        noflush: true,
      },
    )
    const nat = findTable(next.state, 'nat')!
    expect(findChain(nat, 'KUBE-SVC-2')).toBeUndefined()
    expect(findChain(nat, 'KUBE-SVC-1')).toBeDefined()
    expect(next.report.counts['restore.chainCommands']).toBe(3)
  })

  it('changes nothing when the input fails, and names the failing line', () => {
    const base = restore(null, nodeSaveText(renderNode(policyCluster(), 'node-a'))).state
    const before = serializeRuleset(base)
    const bad =
      '*filter\n:KUBE-FORWARD - [0:0]\n-A KUBE-FORWARD -j ACCEPT\nCOMMIT\n*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j KUBE-NOPE\nCOMMIT\n'
    let err: unknown
    try {
      restore(base, bad, { noflush: true, source: 'sync' })
    } catch (e) {
      err = e
    }
    expect(isInputError(err)).toBe(true)
    expect((err as { line?: number }).line).toBeGreaterThan(0)
    expect(serializeRuleset(base)).toBe(before)
  })
})
