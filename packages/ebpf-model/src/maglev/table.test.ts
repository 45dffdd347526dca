import { describe, expect, it } from 'vitest'
import { decodeMaglevSeed } from './seed'
import { type MaglevBackend, maglevHashString, maglevTable } from './table'

/** maglev_test.go mkAddr(i): address i (0.0.0.i), port i, TCP. */
function mkBackend(i: number, id: number, weight = 1): MaglevBackend {
  return { id, address: i, port: i % 65535, protocol: 'TCP', weight }
}

/** maglev_test.go runLengthEncodeIDs: `<id>(<count>),...` */
function runLength(ids: Uint32Array): string {
  const runs: string[] = []
  let cur = ids[0]
  let n = 0
  for (const id of ids) {
    if (id === cur) n++
    else {
      runs.push(`${cur}(${n})`)
      cur = id
      n = 1
    }
  }
  runs.push(`${cur}(${n})`)
  return runs.join(',')
}

function shares(table: Uint32Array): Map<number, number> {
  const m = new Map<number, number>()
  for (const id of table) m.set(id, (m.get(id) ?? 0) + 1)
  return m
}

describe('maglevTable', () => {
  it('names backends with the frozen hash string', () => {
    expect(maglevHashString(mkBackend(1, 0))).toBe('[0.0.0.1:1/TCP,State:active]')
    expect(maglevHashString({ id: 1, address: 0x0a000001, port: 80, protocol: 'UDP', internal: true })).toBe(
      '[10.0.0.1:80/UDP/i,State:active]',
    )
  })

  it('decodes the default seed into three big-endian u32 seeds', () => {
    const s = decodeMaglevSeed()
    expect(s.murmur).toBe(0x24b7ef82)
    expect(() => decodeMaglevSeed('short')).toThrow(RangeError)
  })

  it("reproduces Cilium's TestReproducible table (M = 251, default seed, weights 2/13/111/10)", () => {
    const expected =
      '2(5),3(1),2(3),1(1),2(2),0(1),2(1),3(1),2(1),3(1),2(1),1(1),2(7),1(1),2(14),3(1),2(1),' +
      '1(2),2(12),3(1),2(3),1(1),2(4),3(1),2(8),3(1),2(2),1(1),2(16),1(2),2(3),3(1),2(11),1(2),2(4),3(1),2(3),' +
      '1(1),2(4),3(1),2(1),0(1),1(1),2(8),1(1),2(7),1(1),2(4),3(1),2(1),3(1),2(9),1(2),2(5),1(1),2(7),3(1),2(1),' +
      '3(1),1(1),2(8),1(1),2(4),0(1),2(1),1(1),2(5),3(1),2(3),1(1),2(4),3(1),2(3),1(1),2(12),0(1),3(1),2(3),3(1),' +
      '2(4),3(1),2(2),1(1),2(7)'
    const table = maglevTable(
      [mkBackend(1, 0, 2), mkBackend(3, 1, 13), mkBackend(4, 2, 111), mkBackend(5, 3, 10)],
      251,
    )
    expect(runLength(table)).toBe(expected)
  })

  it("reproduces TestWeightedBackendWithRemoval's shares (16/98/832/75 of 1021) and moves < 1% on removal", () => {
    const backends = [mkBackend(1, 1, 2), mkBackend(2, 2, 13), mkBackend(3, 3, 111), mkBackend(4, 4, 10)]
    const before = maglevTable(backends, 1021)
    const s = shares(before)
    expect([s.get(1), s.get(2), s.get(3), s.get(4)]).toEqual([16, 98, 832, 75])
    const after = maglevTable(backends.slice(1), 1021)
    let moved = 0
    for (let p = 0; p < 1021; p++) {
      if (before[p] !== 1 && after[p] !== before[p]) moved++
      expect([2, 3, 4]).toContain(after[p])
    }
    expect((moved / 1021) * 100).toBeLessThan(1)
  })

  it('moves < 1% of surviving entries when a backend is removed (TestBackendRemoval)', () => {
    const backends = [mkBackend(1, 1), mkBackend(2, 2), mkBackend(3, 3)]
    const before = maglevTable(backends, 1021)
    const after = maglevTable(backends.slice(0, 2), 1021)
    let moved = 0
    for (let p = 0; p < 1021; p++) {
      if (before[p] !== 3 && after[p] !== before[p]) moved++
      expect([1, 2]).toContain(after[p])
    }
    expect((moved / 1021) * 100).toBeLessThan(1)
  })

  it('uses the default size 16381 and refuses sizes Cilium does not accept', () => {
    expect(maglevTable([mkBackend(1, 7)]).length).toBe(16381)
    expect(() => maglevTable([mkBackend(1, 7)], 1000)).toThrow(RangeError)
    expect(maglevTable([], 251).length).toBe(0)
  })
})
