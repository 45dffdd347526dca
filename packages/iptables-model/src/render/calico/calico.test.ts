import { createHash } from 'node:crypto'
import { parsePacket } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { policyCluster } from '../../../test/fixtures/policyCluster'
import { buildIptablesNode } from '../../node/iptablesNode'
import { renderCalico } from './calico'
import { ipsetSaveText } from './ipsets'
import { lengthLimitedId, MAX_CHAIN_NAME, policyChainName, workloadInterface } from './names'

describe('Calico names', () => {
  it('names a workload veth cali + the first 11 hex digits of sha1("namespace.pod")', () => {
    const want = `cali${createHash('sha1').update('default.web-1').digest('hex').slice(0, 11)}`
    expect(workloadInterface('default', 'web-1')).toBe(want)
    expect(workloadInterface('default', 'web-1')).toHaveLength(15)
    expect(workloadInterface('other', 'web-1')).not.toBe(want)
  })
  it('shortens long chain names to 28 characters with a hash, as hashutils.GetLengthLimitedID does', () => {
    expect(lengthLimitedId('cali-tw-', 'cali12345678901', MAX_CHAIN_NAME)).toBe('cali-tw-cali12345678901')
    const long = policyChainName('ingress', 'default', 'allow-from-the-frontend-tier')
    expect(long).toHaveLength(28)
    expect(long.startsWith('cali-pi-_')).toBe(true)
  })
})

describe('Calico-style policy rules (felix/rules)', () => {
  const r = renderCalico(policyCluster(), 'node-a')
  const chain = (name: string) => r.chains.get(name) ?? []

  it('dispatches each local workload interface to its endpoint chains and drops unknown interfaces', () => {
    const from = chain('cali-from-wl-dispatch')
    expect(r.endpoints.map((e) => e.pod).sort()).toEqual(['default/client', 'default/web-1', 'default/web-3'])
    for (const e of r.endpoints)
      expect(from.some((l) => l.includes(`-i ${e.iface} `) && l.endsWith(`-g cali-fw-${e.iface}`))).toBe(true)
    expect(from.at(-1)).toMatch(/"Unknown interface" -j DROP$/)
  })

  it('splits the dispatch chain on the next interface character when names share it', () => {
    const c = policyCluster()
    const many = {
      ...c,
      pods: Array.from({ length: 40 }, (_, i) => ({ ...c.pods[0], name: `p${i}`, ip: `10.244.1.${20 + i}` })),
    }
    const rr = renderCalico(many, 'node-a')
    const subs = [...rr.chains.keys()].filter((k) => k.startsWith('cali-from-wl-dispatch-'))
    expect(subs.length).toBeGreaterThan(0)
    expect(
      rr.chains
        .get('cali-from-wl-dispatch')!
        .some((l) => /-i cali[0-9a-f]\+ .* -g cali-from-wl-dispatch-[0-9a-f]$/.test(l)),
    ).toBe(true)
  })

  it('isolates selected pods: policy chains, accept-mark RETURN, then the end-of-tier DROP', () => {
    const web = r.endpoints.find((e) => e.pod === 'default/web-1')!
    const tw = chain(`cali-tw-${web.iface}`)
    expect(tw[0]).toMatch(/--ctstate RELATED,ESTABLISHED -j ACCEPT$/)
    expect(tw[1]).toMatch(/--ctstate INVALID -j DROP$/)
    expect(tw.filter((l) => / -j cali-pi-/.test(l))).toHaveLength(2)
    expect(tw).toContainEqual(
      expect.stringMatching(/"End of tier default\. Drop if no policies passed packet" -j DROP$/),
    )
    const client = r.endpoints.find((e) => e.pod === 'default/client')!
    const clientIn = chain(`cali-tw-${client.iface}`)
    expect(clientIn.some((l) => l.includes('Drop if no policies passed packet'))).toBe(false)
    expect(clientIn).toContainEqual(expect.stringMatching(/-j cali-pri-kns\.default$/))
  })

  it('matches selectors and named ports through ipsets and accepts with the 0x10000 mark', () => {
    const rules = [...r.chains.entries()].filter(([k]) => k.startsWith('cali-pi-')).flatMap(([, v]) => v)
    expect(rules).toContainEqual(
      expect.stringMatching(
        /-m set --match-set cali40s:\S+ src -m set --match-set cali40n:\S+ dst,dst -j MARK --set-xmark 0x10000\/0x10000$/,
      ),
    )
    expect(rules).toContainEqual(expect.stringMatching(/-m mark --mark 0x10000\/0x10000 -j RETURN$/))
    const named = [...r.ipsets.values()].find((s) => s.type === 'hash:ip,port')!
    expect(named.members).toEqual(['10.244.1.5,tcp:8080', '10.244.1.7,tcp:8080', '10.244.2.6,tcp:8080'])
    const client = [...r.ipsets.values()].find((s) => s.members.join() === '10.244.1.9')
    expect(client?.type).toBe('hash:net')
    expect(ipsetSaveText([named])).toBe(
      `create ${named.name} hash:ip,port family inet hashsize 1024 maxelem 1048576\nadd ${named.name} 10.244.1.5,tcp:8080\nadd ${named.name} 10.244.1.7,tcp:8080\nadd ${named.name} 10.244.2.6,tcp:8080\n`,
    )
  })

  it('renders an ipBlock with except as -d CIDR and a negated set', () => {
    const po = [...r.chains.entries()].filter(([k]) => k.startsWith('cali-po-')).flatMap(([, v]) => v)
    expect(po).toContainEqual(
      expect.stringMatching(
        /-p udp -d 0\.0\.0\.0\/0 -m set ! --match-set cali40s:\S+ dst -m multiport --dports 53 -j MARK/,
      ),
    )
  })

  it('inserts its jumps at the top of INPUT/FORWARD/OUTPUT and appends the accept-mark ACCEPT to FORWARD', () => {
    expect(r.inserts['filter:FORWARD'][0]).toMatch(/-j cali-FORWARD$/)
    expect(r.appends['filter:FORWARD'][0]).toMatch(/"Policy explicitly accepted packet\." -j ACCEPT$/)
  })
})

describe('Calico-style policy, enforced by the engine', () => {
  const n = buildIptablesNode(policyCluster(), 'node-a')
  const verdict = (p: string) => n.classify(parsePacket(p)).verdict

  it('allows the client to web through the named port and drops other ports', () => {
    expect(verdict('tcp 10.244.1.9:40000 -> 10.244.1.5:8080')).toBe('forward')
    expect(verdict('tcp 10.244.1.9:40001 -> 10.244.1.5:9090')).toBe('drop')
  })
  it('allows pods of a selected namespace on the listed port only', () => {
    expect(verdict('tcp 10.244.2.9:40000 -> 10.244.1.5:8080')).toBe('forward')
    expect(verdict('udp 10.244.2.9:40000 -> 10.244.1.5:8080')).toBe('drop')
  })
  it('applies egress ipBlock except lists', () => {
    expect(verdict('udp 10.244.1.9:40000 -> 8.8.8.8:53')).toBe('forward')
    expect(verdict('udp 10.244.1.9:40001 -> 169.254.169.254:53')).toBe('drop')
    expect(verdict('tcp 10.244.1.9:40002 -> 8.8.8.8:443')).toBe('drop')
  })
  it('lets the node reach any local pod (host → workload is not policed)', () => {
    expect(verdict('tcp 192.168.1.10:40000 -> 10.244.1.5:9999')).toBe('forward')
  })
})
