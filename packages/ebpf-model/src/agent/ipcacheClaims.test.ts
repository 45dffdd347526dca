import { type Cidr, ipToU32 } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { IpcacheClaims } from './ipcacheClaims'
import type { AgentSink, IpcacheValue } from './sink'

function recording() {
  const ops: string[] = []
  const sink = {
    ipcache: (op: 'update' | 'delete', p: Cidr, v?: IpcacheValue) =>
      ops.push(`${op} ${p.base}/${p.prefix}${v ? ` ${v.source}:${v.identity}` : ''}`),
  } as unknown as AgentSink
  return { ops, claims: new IpcacheClaims(sink) }
}

const host = (ip: string): Cidr => ({ base: ipToU32(ip), prefix: 32, mask: 0xffffffff })
const v = (source: IpcacheValue['source'], identity: number): IpcacheValue => ({
  identity,
  tunnelEndpoint: 0,
  source,
})

describe('IpcacheClaims', () => {
  it('writes the claim of highest priority and only when the winner changes', () => {
    const { ops, claims } = recording()
    const p = host('10.0.0.1')
    const k = `${p.base}/32`
    claims.set(p, v('cidr', 16777217))
    claims.set(p, v('pod', 300))
    claims.set(p, v('cidr', 16777218))
    claims.unset(p, 'pod')
    claims.unset(p, 'cidr')
    expect(ops).toEqual([
      `update ${k} cidr:16777217`,
      `update ${k} pod:300`,
      `update ${k} cidr:16777218`,
      `delete ${k}`,
    ])
  })

  it('replaces a single claim of the same source and ignores unsetting a source that has no claim', () => {
    const { ops, claims } = recording()
    const p = host('10.0.0.2')
    claims.set(p, v('pod', 300))
    claims.unset(p, 'node')
    claims.set(p, v('pod', 301))
    claims.unset(p, 'pod')
    claims.unset(p, 'pod')
    const k = `${p.base}/32`
    expect(ops).toEqual([`update ${k} pod:300`, `update ${k} pod:301`, `delete ${k}`])
  })

  it('keeps prefixes of equal base but different length apart', () => {
    const { ops, claims } = recording()
    claims.set({ base: ipToU32('10.0.0.0'), prefix: 8, mask: 0xff000000 }, v('cidr', 1 << 24))
    claims.set({ base: ipToU32('10.0.0.0'), prefix: 32, mask: 0xffffffff }, v('pod', 256))
    expect(ops).toHaveLength(2)
  })
})
