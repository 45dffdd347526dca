import { u32ToIp } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { service, slice } from '../../test/fixtures'
import { ServiceSync } from './serviceSync'
import type { AgentSink } from './sink'

const sink: AgentSink = {
  ipcache() {},
  lxc() {},
  backend() {},
  service() {},
  revNat() {},
  policy() {},
  policyMap() {},
}

describe('ServiceSync slice index', () => {
  it('keeps the slices of same-named services of different namespaces apart through slice changes', () => {
    const a = service({ name: 'api', namespace: 'a', clusterIP: '10.96.0.1' })
    const b = service({ name: 'api', namespace: 'b', clusterIP: '10.96.0.2' })
    const sa = slice('api', [{ ip: '10.0.0.1', node: 'n1' }], { namespace: 'a', name: 'api-a1' })
    const sa2 = slice('api', [{ ip: '10.0.0.3', node: 'n1' }], { namespace: 'a', name: 'api-a2' })
    const sb = slice('api', [{ ip: '10.0.0.2', node: 'n1' }], { namespace: 'b', name: 'api-b1' })
    const s = new ServiceSync(sink, 'n1', [sa, sb, sa2])
    const backends = (key: string) =>
      (s.frontends.get(key) ?? []).flatMap((f) => f.frontend.backends.map((x) => u32ToIp(x.addr)))
    const syncBoth = () => {
      s.sync(a, undefined)
      s.sync(b, undefined)
    }
    syncBoth()
    expect(backends('a/api')).toEqual(['10.0.0.1', '10.0.0.3'])
    expect(backends('b/api')).toEqual(['10.0.0.2'])
    // the bucket's first namespace loses its slices: the other namespace's stay
    s.reindexSlice(sa, undefined)
    s.reindexSlice(sa2, undefined)
    syncBoth()
    expect(backends('a/api')).toEqual([])
    expect(backends('b/api')).toEqual(['10.0.0.2'])
    s.reindexSlice(undefined, sa)
    s.reindexSlice(sb, { ...sb, endpoints: [...sb.endpoints, { ...sb.endpoints[0], address: '10.0.0.4' }] })
    syncBoth()
    expect(backends('a/api')).toEqual(['10.0.0.1'])
    expect(backends('b/api')).toEqual(['10.0.0.2', '10.0.0.4'])
    s.reindexSlice(sb, undefined)
    syncBoth()
    expect(backends('b/api')).toEqual([])
    expect(backends('a/api')).toEqual(['10.0.0.1'])
  })
})
