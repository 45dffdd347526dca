import { ipToU32, u32ToIp } from '@dataplane-sim/cluster'

/**
 * Dotted-quad ⇄ uint32 for the per-packet path, memoised: packets name their addresses as text, and the
 * same addresses recur (pods, service VIPs, backends: 200k at 100k services × 2). Bounded: a cache past
 * 256k entries starts over. Pure functions of the text, not of any map, so nothing the kernel would compute is skipped.
 */
const LIMIT = 1 << 18
const toU32 = new Map<string, number>()
const toText = new Map<number, string>()

export function addrOf(text: string): number {
  let n = toU32.get(text)
  if (n === undefined) {
    n = ipToU32(text)
    if (toU32.size >= LIMIT) toU32.clear()
    toU32.set(text, n)
  }
  return n
}

export function ipText(addr: number): string {
  let s = toText.get(addr)
  if (s === undefined) {
    s = u32ToIp(addr)
    if (toText.size >= LIMIT) toText.clear()
    toText.set(addr, s)
  }
  return s
}

/** [address, its text] per backend id (ids are dense from 1): checked against the address, so never stale. */
const ipById: Array<number | string> = []
const IP_BY_ID_MAX = 1 << 21

/**
 * A backend's address as text, remembered per backend id when the backend is written to
 * cilium_lb4_backends_v3 (`rememberBackendIp`): every first packet names its backend in the trace (dnat,
 * candidate), and at 100k services first packets to random services met a backend not seen before nearly
 * every time, missing an address-keyed cache.
 */
export function backendIp(b: { id: number; addr: number }): string {
  const id = b.id
  const o = id * 2
  if (id >= 0 && id < IP_BY_ID_MAX && ipById[o] === b.addr) return ipById[o + 1] as string
  return ipText(b.addr)
}

/** Remembers a backend's address text under its id (a backend written to the backends map). */
export function rememberBackendIp(b: { id: number; addr: number }): void {
  const id = b.id
  if (id < 0 || id >= IP_BY_ID_MAX || !Number.isInteger(id)) return
  const o = id * 2
  if (ipById[o] === b.addr) return
  while (ipById.length < o) ipById.push(-1, '')
  ipById[o] = b.addr
  ipById[o + 1] = u32ToIp(b.addr)
}

/** `backendIp`'s cells ([address, text] at 2·id): read-only, for a batch's prefetch. */
export const BACKEND_IP_CELLS: ReadonlyArray<number | string> = ipById
