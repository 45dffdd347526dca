import { isInputError } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { sizeMaps } from './sizeMaps'

const GiB = 2 ** 30

/*
 * Hand computation, from pkg/option/config.go calculateDynamicBPFMapSizes with ratio 0.0025:
 *   total default bytes = 524288×94 (CT TCP) + 262144×94 (CT any) + 524288×94 (NAT) + 524288×24 (neigh)
 *                       + 262144×48 (sock rev NAT) = 49283072 + 24641536 + 49283072 + 12582912 + 12582912
 *                       = 148373504
 *   available = int(memory × 0.0025); entries(def) = def × available / 148373504 (integer division)
 *   4 GiB:   available = 10737418   → TCP 37941, any 18970, NAT 37941, sockRevNat 18970: all under their
 *            minimums → 131072 / 65536 / 131072 / 65536
 *   16 GiB:  available = 42949672   → TCP 151765, any 75882, NAT 151765, sockRevNat 75882 (Cilium's own test)
 *   64 GiB:  available = 171798691  → TCP 607062, any 303531, NAT 607062, sockRevNat 303531
 *   256 GiB: available = 687194767  → TCP 2428250, any 1214125, NAT 2428250, sockRevNat 1214125
 *   NAT never exceeds TCP + any here (NAT = TCP < TCP + any), neigh follows NAT.
 */
const HAND = [
  { gib: 4, available: 10737418, tcp: 131072, any: 65536, nat: 131072, sock: 65536 },
  { gib: 16, available: 42949672, tcp: 151765, any: 75882, nat: 151765, sock: 75882 },
  { gib: 64, available: 171798691, tcp: 607062, any: 303531, nat: 607062, sock: 303531 },
  { gib: 256, available: 687194767, tcp: 2428250, any: 1214125, nat: 2428250, sock: 1214125 },
]

function limitErrorOf(f: () => unknown): { path?: string; message: string } | undefined {
  try {
    f()
  } catch (e) {
    if (isInputError(e)) return { path: e.path, message: e.message }
    throw e
  }
  return undefined
}

describe('sizeMaps', () => {
  it.each(HAND)('sizes CT, NAT, neigh and sock rev NAT maps for $gib GiB as computed by hand', (h) => {
    const s = sizeMaps({}, h.gib * GiB)
    expect(s.memoryForMaps).toBe(h.available)
    expect([s.ctTcp, s.ctAny, s.nat, s.neigh, s.sockRevNat]).toEqual([h.tcp, h.any, h.nat, h.nat, h.sock])
  })

  it('marks sizes raised to their minimum, and leaves policy / LB / ipcache at their fixed defaults', () => {
    const s = sizeMaps({}, 4 * GiB)
    expect(s.origin.ctTcp).toBe('dynamic-min')
    expect(sizeMaps({}, 16 * GiB).origin.ctTcp).toBe('dynamic')
    expect([s.policy, s.lb, s.ipcache]).toEqual([16384, 65536, 512000])
  })

  it("matches Cilium's test cases at 30 GiB and 240 GiB", () => {
    const a = sizeMaps({}, 30 * GiB)
    expect([a.ctTcp, a.ctAny, a.nat, a.neigh, a.sockRevNat]).toEqual([284560, 142280, 284560, 284560, 142280])
    const b = sizeMaps({}, 240 * GiB)
    expect([b.ctTcp, b.ctAny, b.nat, b.neigh, b.sockRevNat]).toEqual([
      2276484, 1138242, 2276484, 2276484, 1138242,
    ])
  })

  it('clamps a huge ratio to LimitTableMax', () => {
    const s = sizeMaps({ 'bpf-map-dynamic-size-ratio': 0.98 }, 16 * GiB)
    expect([s.ctTcp, s.ctAny, s.nat, s.neigh, s.sockRevNat]).toEqual(Array(5).fill(1 << 24))
    expect(s.origin.nat).toBe('dynamic-max')
  })

  it('uses the static defaults when dynamic sizing is off', () => {
    const s = sizeMaps({ 'bpf-map-dynamic-size-ratio': 0 }, 64 * GiB)
    expect([s.ctTcp, s.ctAny, s.nat, s.neigh]).toEqual([524288, 262144, 524288, 524288])
    expect(s.memoryForMaps).toBe(0)
  })

  it('lets explicit options win and caps a dynamic NAT above the CT sum to 2/3 of it (issue #13843)', () => {
    // 128 GiB: available 343597383, NAT would be 1214125 > 524288 + 262144 → (786432 × 2) / 3 = 524288;
    // sock rev NAT = 262144 × 343597383 / 148373504 = 607062
    const s = sizeMaps({ 'bpf-ct-global-tcp-max': 524288, 'bpf-ct-global-any-max': 262144 }, 128 * GiB)
    expect([s.ctTcp, s.ctAny, s.nat, s.neigh, s.sockRevNat]).toEqual([524288, 262144, 524288, 524288, 607062])
    expect(s.origin.ctTcp).toBe('option')
    expect(s.origin.nat).toBe('nat-capped')
    expect(s.notes.length).toBe(1)
  })

  it('keeps a static CT TCP size and sizes the rest dynamically (Cilium test, 4 GiB)', () => {
    const s = sizeMaps({ 'bpf-ct-global-tcp-max': 524288 + 1024 }, 4 * GiB)
    expect([s.ctTcp, s.ctAny, s.nat, s.neigh, s.sockRevNat]).toEqual([525312, 65536, 131072, 131072, 65536])
  })

  it('shrinks a default NAT size with hand-lowered CT sizes, but rejects an explicit NAT above the CT sum', () => {
    const off = { 'bpf-map-dynamic-size-ratio': 0 }
    const s = sizeMaps({ ...off, 'bpf-ct-global-tcp-max': 100000, 'bpf-ct-global-any-max': 50000 }, 0)
    expect(s.nat).toBe(100000)
    const e = limitErrorOf(() =>
      sizeMaps(
        {
          ...off,
          'bpf-ct-global-tcp-max': 100000,
          'bpf-ct-global-any-max': 50000,
          'bpf-nat-global-max': 200000,
        },
        0,
      ),
    )
    expect(e?.path).toBe('bpf-nat-global-max')
    expect(e?.message).toBe('specified NAT tables size 200000 must not exceed maximum CT table size 150000')
  })

  it('rejects values outside the limits with the option named', () => {
    expect(limitErrorOf(() => sizeMaps({ 'bpf-ct-global-tcp-max': 100 }, 16 * GiB))?.path).toBe(
      'bpf-ct-global-tcp-max',
    )
    expect(limitErrorOf(() => sizeMaps({ 'bpf-policy-map-max': 100 }, 16 * GiB))?.message).toBe(
      'specified PolicyMap max entries 100 must be greater or equal to 256',
    )
    expect(limitErrorOf(() => sizeMaps({ 'bpf-policy-map-max': 70000 }, 16 * GiB))?.path).toBe(
      'bpf-policy-map-max',
    )
    expect(limitErrorOf(() => sizeMaps({ 'bpf-lb-map-max': 0 }, 16 * GiB))?.path).toBe('bpf-lb-map-max')
    expect(limitErrorOf(() => sizeMaps({ 'bpf-map-dynamic-size-ratio': 2 }, 16 * GiB))?.path).toBe(
      'bpf-map-dynamic-size-ratio',
    )
  })
})
