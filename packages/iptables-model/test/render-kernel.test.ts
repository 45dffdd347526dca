import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeIpsetText, nodeSaveText, renderNode } from '../src/render/nodeRuleset'
import { overallCluster } from './fixtures/overallCluster'
import { policyCluster } from './fixtures/policyCluster'

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
const root = process.getuid?.() === 0
const ready =
  root && has('ip') && has('iptables-legacy-restore') && has('iptables-nft-restore') && has('ipset')
const ns = `dpsim-${randomBytes(4).toString('hex')}`

function inNs(cmd: string, args: string[], input: string): { status: number | null; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { input, encoding: 'utf8' })
  return { status: r.status, stderr: r.stderr }
}

const cases = [
  { name: 'TestOverallIPTablesRules cluster', cluster: overallCluster(), node: 'test-node', opts: {} },
  {
    name: 'policy cluster with Calico and NOTRACK',
    cluster: policyCluster(),
    node: 'node-a',
    opts: { notrack: true },
  },
  {
    name: 'policy cluster, large-cluster mode, nodeport-addresses',
    cluster: policyCluster(),
    node: 'node-b',
    opts: { largeClusterThreshold: 0, nodePortAddresses: ['192.168.1.0/24'], masqueradeAll: true },
  },
]

describe.skipIf(!ready)(
  'rendered rulesets load in a real kernel (skipped unless root with ip, ipset, iptables-legacy-restore and iptables-nft-restore)',
  () => {
    beforeAll(() => {
      execFileSync('ip', ['netns', 'add', ns])
    })
    afterAll(() => {
      spawnSync('ip', ['netns', 'del', ns])
    })

    for (const c of cases) {
      it(`iptables-legacy-restore --test and iptables-nft-restore --test accept the ${c.name}`, () => {
        const r = renderNode(c.cluster, c.node, c.opts)
        const text = nodeSaveText(r)
        // the set match module checks that referenced sets exist, even under --test
        const sets = inNs('ipset', ['restore', '-exist'], nodeIpsetText(r))
        expect(sets.stderr).toBe('')
        for (const tool of ['iptables-legacy-restore', 'iptables-nft-restore']) {
          const r = inNs(tool, ['--test'], text)
          expect(r.stderr, `${tool}: ${r.stderr}`).toBe('')
          expect(r.status).toBe(0)
        }
      })
    }

    it('loads rules and ipsets for real (ipset restore, then iptables-legacy-restore and -nft without nfacct)', () => {
      const r = renderNode(policyCluster(), 'node-a', { nfacct: false, notrack: true })
      const sets = inNs('ipset', ['restore', '-exist'], nodeIpsetText(r))
      expect(sets.stderr).toBe('')
      for (const tool of ['iptables-legacy-restore', 'iptables-nft-restore']) {
        const res = inNs(tool, [], nodeSaveText(r))
        expect(res.stderr, `${tool}: ${res.stderr}`).toBe('')
        expect(res.status).toBe(0)
      }
    })
  },
)
