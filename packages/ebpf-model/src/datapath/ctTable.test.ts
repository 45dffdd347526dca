import { describe, expect, it } from 'vitest'
import { OpCounts } from '../maps/opCounts'
import { CtTable } from './ctTable'
import { ConnectedSockets } from './sockets'

/** Entries spanning several pages of every column, some of them deleted (their slots on the free list). */
function filled(n: number) {
  const ct = new CtTable({ name: 'cilium_ct4_global', keySize: 16, valueSize: 56, maxEntries: 4096 })
  const sockets = new ConnectedSockets(4096)
  const ops = new OpCounts()
  for (let i = 0; i < n; i++) {
    ct.create(
      6,
      0x0af40002 + i,
      1024 + i,
      0x0a600001,
      80,
      i % 3 === 0,
      i * 0.5,
      i,
      i + 1,
      1000 + i,
      i % 2 === 0,
      ops,
    )
    sockets.connect(6, 0x0af40002, 1024 + i, 0x0a600001 + i, 80, i + 7, i + 9, 0xc6120000 + i, 8080 + i)
  }
  for (let i = 0; i < n; i += 5)
    ct.delete(0x0af40002 + i, 0x0a600001, ((1024 + i) << 16) | 80, (6 << 1) | (i % 3 === 0 ? 1 : 0))
  return { ct, sockets }
}

const socketsOf = (s: ConnectedSockets, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const e = s.findSocket(6, 0x0af40002, 1024 + i, 0x0a600001 + i, 80)
    return e < 0 ? null : [e, s.backendId(e), s.revNat(e), s.addr(e), s.port(e)]
  })

describe('prefault (mapping the slot columns before packets come)', () => {
  it('leaves every conntrack entry, its LRU order and every socket as they were', () => {
    const n = 1500
    const { ct, sockets } = filled(n)
    const before = { entries: [...ct.entries()], sockets: socketsOf(sockets, n) }
    ct.prefault(4096)
    sockets.prefault(1 << 20) // past the columns: clamped
    expect([...ct.entries()]).toEqual(before.entries)
    expect(socketsOf(sockets, n)).toEqual(before.sockets)
    expect(before.entries.length).toBe(n - n / 5)
  })
})
