import { describe, expect, it } from 'vitest'
import { forwardRulesTable } from './forwardRules'
import { kubeProxyShapeOneRule, kubeProxyShapeTable, restoreSize } from './kubeProxyShape'
import { renderedKubeProxyRuleset, restoreTermsOf } from './renderedRuleset'

describe('kubeProxyShapeTable', () => {
  it('writes 10 lines per service with 2 endpoints, as the anchors count them', () => {
    const base = restoreSize(kubeProxyShapeTable(0)).lines
    expect(restoreSize(kubeProxyShapeTable(1000)).lines - base).toBe(10_000)
  })

  it('gives every service its KUBE-SERVICES rule, a KUBE-SVC chain and 2 KUBE-SEP chains', () => {
    const t = kubeProxyShapeTable(2)
    expect(t.match(/^-A KUBE-SERVICES -d /gm)).toHaveLength(2)
    expect(t.match(/^:KUBE-SVC-/gm)).toHaveLength(2)
    expect(t.match(/^:KUBE-SEP-/gm)).toHaveLength(4)
    expect(t).toContain('-m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-')
    expect(t.trimEnd().endsWith('COMMIT')).toBe(true)
  })

  it('names no chain twice, even for thousands of services', () => {
    const names = kubeProxyShapeTable(2000)
      .split('\n')
      .filter((l) => l.startsWith(':'))
    expect(new Set(names).size).toBe(names.length)
  })

  it('keeps every address in the lab range', () => {
    const addrs = kubeProxyShapeTable(300).match(/\d+\.\d+\.\d+\.\d+/g) ?? []
    for (const a of addrs) expect(a).toMatch(/^198\.(18|19)\./)
  })

  it('adds one rule with --noflush input that names only the nat table', () => {
    expect(kubeProxyShapeOneRule()).toMatch(
      /^\*nat\n-I KUBE-SERVICES 1 -d 198\.19\.\d+\.\d+\/32 .*\nCOMMIT\n$/,
    )
  })
})

describe('forwardRulesTable', () => {
  it('writes n FORWARD rules of the requested shape', () => {
    expect(forwardRulesTable(3).match(/^-A FORWARD -d 198\.19\.0\.\d+\/32 -p udp -m comment/gm)).toHaveLength(
      3,
    )
    expect(
      forwardRulesTable(2, 'match').match(/^-A FORWARD -p icmp -m icmp --icmp-type 13 -j DROP$/gm),
    ).toHaveLength(2)
    expect(forwardRulesTable(0)).toBe(
      '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n',
    )
  })
})

describe('renderedKubeProxyRuleset', () => {
  const text = renderedKubeProxyRuleset(20)

  it('is kube-proxy output for a generated cluster whose addresses all lie in the lab range', () => {
    expect(text).toContain(':KUBE-SERVICES - [0:0]')
    for (const a of text.match(/\b\d+\.\d+\.\d+\.\d+(?=[/: ]|$)/gm) ?? []) {
      if (a.startsWith('127.') || a.startsWith('0.')) continue
      expect(a).toMatch(/^198\.(18|19)\./)
    }
  })

  it('counts lines, rules and chains per table as the restore cost model wants them', () => {
    const terms = restoreTermsOf('*nat\n:A - [0:0]\n:B - [0:0]\n-A A -j B\nCOMMIT\n*filter\nCOMMIT\n')
    expect(terms).toMatchObject([
      { table: 'nat', lines: 5, rulesAfter: 1, chainsAfter: 2 },
      { table: 'filter', lines: 2, rulesAfter: 0, chainsAfter: 0 },
    ])
    // the rule (entry + standard target) and both chains' entries are in the nat blob
    expect(terms[0].bytesAfter).toBeGreaterThan(112 + 40)
    expect(restoreTermsOf(text).map((t) => t.table)).toContain('nat')
  })
})
