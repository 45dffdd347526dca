import { describe, expect, it } from 'vitest'
import { LAB_ADDRESSES } from './addressPlan'
import { labPrefix, namespacesOf, planPodLinks, planTopology, staleLabPrefixes } from './plan'

describe('planTopology', () => {
  const plan = planTopology('dpsim-42-ab12')

  it('names three namespaces after the prefix', () => {
    expect(plan.namespaces).toEqual({
      client: 'dpsim-42-ab12-client',
      node: 'dpsim-42-ab12-node',
      server: 'dpsim-42-ab12-server',
    })
  })

  it('never runs a command in the host namespace: every link command names a lab namespace', () => {
    for (const argv of plan.setup) {
      expect(argv[0]).toBe('ip')
      if (argv[1] === 'netns') expect(argv[3]).toMatch(/^dpsim-42-ab12-/)
      else {
        expect(argv[1]).toBe('-n')
        expect(argv[2]).toMatch(/^dpsim-42-ab12-/)
      }
      // a veth peer is always moved straight into a lab namespace
      const peer = argv.indexOf('peer')
      if (peer >= 0) expect(argv[argv.indexOf('netns', peer) + 1]).toBe('dpsim-42-ab12-node')
    }
  })

  it('uses only addresses inside 198.18.0.0/15', () => {
    const addrs = plan.setup.flat().filter((s) => /^\d+\.\d+\.\d+\.\d+/.test(s))
    expect(addrs.length).toBeGreaterThan(5)
    for (const a of addrs) expect(a).toMatch(/^198\.(18|19)\./)
  })

  it('routes the pod CIDR to the server and lets the node forward', () => {
    expect(plan.setup).toContainEqual([
      'ip',
      '-n',
      'dpsim-42-ab12-node',
      'route',
      'add',
      LAB_ADDRESSES.podCIDR,
      'via',
      LAB_ADDRESSES.server,
    ])
    expect(plan.setup).toContainEqual([
      'ip',
      'netns',
      'exec',
      'dpsim-42-ab12-node',
      'sysctl',
      '-qw',
      'net.ipv4.ip_forward=1',
    ])
  })

  it('tears down by deleting the three namespaces', () => {
    expect(plan.teardown).toEqual([
      ['ip', 'netns', 'delete', 'dpsim-42-ab12-client'],
      ['ip', 'netns', 'delete', 'dpsim-42-ab12-node'],
      ['ip', 'netns', 'delete', 'dpsim-42-ab12-server'],
    ])
  })

  it('rejects a prefix that stale-lab cleanup could not recognise', () => {
    expect(() => namespacesOf('mylab')).toThrow(/dpsim-<pid>-<id>/)
  })
})

describe('labPrefix and staleLabPrefixes', () => {
  it('makes a prefix from the pid and a random id', () => {
    expect(labPrefix(7, () => 0.5)).toMatch(/^dpsim-7-[0-9a-z]{4}$/)
  })

  it('finds labs whose process is gone and leaves live ones and foreign namespaces alone', () => {
    const list =
      'dpsim-1-aaaa-client (id: 3)\ndpsim-1-aaaa-node\ndpsim-2-bbbb-server\nother-ns\ndpsim-x-node\n'
    expect(staleLabPrefixes(list, (pid) => pid === 2)).toEqual(['dpsim-1-aaaa'])
  })
})

describe('planPodLinks', () => {
  const ns = planTopology('dpsim-42-ab12').namespaces
  it('gives each local pod a veth named as the model names it and a /32 route over it', () => {
    const cmds = planPodLinks(ns, [{ ip: '198.18.128.10', nodeInterface: 'calic612800a' }])
    expect(cmds).toEqual([
      [
        'ip',
        '-n',
        ns.server,
        'link',
        'add',
        'p0',
        'type',
        'veth',
        'peer',
        'name',
        'calic612800a',
        'netns',
        ns.node,
      ],
      ['ip', '-n', ns.server, 'link', 'set', 'p0', 'up'],
      ['ip', '-n', ns.node, 'link', 'set', 'calic612800a', 'up'],
      ['ip', '-n', ns.node, 'route', 'replace', '198.18.128.10/32', 'dev', 'calic612800a'],
    ])
  })
  it('refuses an interface name the kernel would refuse', () => {
    expect(() => planPodLinks(ns, [{ ip: '198.18.128.10', nodeInterface: 'a-name-longer-than-15' }])).toThrow(
      /bad interface/,
    )
  })
})
