import { type Cidr, ipToU32 } from '@dataplane-sim/cluster'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IpcacheClaims } from './ipcacheClaims'
import type { AgentSink, IpcacheValue } from './sink'

function recording(fresh = false) {
  const ops: string[] = []
  const sink = {
    ipcache: (op: 'update' | 'delete', p: Cidr, v?: IpcacheValue, isFresh?: boolean) =>
      ops.push(
        `${op} ${p.base}/${p.prefix}${v ? ` ${v.source}:${v.identity}` : ''}${fresh && isFresh ? ' fresh' : ''}`,
      ),
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

  it('writes what a per-prefix claim table would, with claim objects shared by many addresses', () => {
    // the agent shares one value per pod identity across its pods' addresses: handles must follow each
    // address's claim through replacements, releases and re-use of the same value objects. Runs of sets
    // come first (the initial sync's claims of new addresses, before the table is built) with repeats, and
    // a claim is fresh exactly when its prefix had none
    const values = [v('pod', 300), v('pod', 301), v('node', 1), v('cidr', 16777217), v('world', 2)]
    // addresses in a few /16s, at both ends of a bitmap word and of the address space
    const bases = [0x0a000000, 0x0a00001f, 0x0a000020, 0x0a000100, 0x0a010000, 0, 0xffffffff, 0x7fffffff]
    const op = fc.record({
      set: fc.oneof(
        { weight: 3, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      addr: fc.integer({ min: 0, max: bases.length - 1 }),
      prefix: fc.constantFrom(32, 32, 32, 24),
      value: fc.integer({ min: 0, max: values.length - 1 }),
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const { ops: written, claims } = recording(true)
        const expected: string[] = []
        const model = new Map<string, Map<IpcacheValue['source'], IpcacheValue>>()
        const order: IpcacheValue['source'][] = ['node', 'pod', 'cidr', 'world']
        const winner = (m: Map<IpcacheValue['source'], IpcacheValue> | undefined) => {
          for (const s of order) if (m?.has(s)) return m.get(s)
          return undefined
        }
        for (const o of ops) {
          const p: Cidr = { base: bases[o.addr], prefix: o.prefix, mask: 0 }
          const k = `${p.base}/${p.prefix}`
          const val = values[o.value]
          const before = winner(model.get(k))
          const fresh = o.set && !model.has(k) ? ' fresh' : ''
          if (o.set) {
            if (!model.has(k)) model.set(k, new Map())
            model.get(k)?.set(val.source, val)
            claims.set(p, val)
          } else {
            model.get(k)?.delete(val.source)
            if (model.get(k)?.size === 0) model.delete(k)
            claims.unset(p, val.source)
          }
          const after = winner(model.get(k))
          if (after !== before)
            expected.push(after ? `update ${k} ${after.source}:${after.identity}${fresh}` : `delete ${k}`)
        }
        expect(written).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })
})
