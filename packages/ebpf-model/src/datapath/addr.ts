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
  ipById[o + 1] = dottedQuad(b.addr)
}

/** "a.b." by the high 16 bits and "c.d" by the low 16 bits of an address, each made on first use */
const highText: string[] = new Array(65536).fill('')
const lowText: string[] = new Array(65536).fill('')

/**
 * `u32ToIp` from two remembered halves: one concatenation instead of four number conversions and six
 * partial strings (the initial sync names a million backends: ~0.5 s as a template string).
 */
function dottedQuad(addr: number): string {
  const hi = addr >>> 16
  const lo = addr & 0xffff
  let h = highText[hi]
  if (h === '') h = highText[hi] = `${hi >>> 8}.${hi & 255}.`
  let l = lowText[lo]
  if (l === '') l = lowText[lo] = `${lo >>> 8}.${lo & 255}`
  return h + l
}

/** `backendIp`'s cells ([address, text] at 2·id): read-only, for a batch's prefetch. */
export const BACKEND_IP_CELLS: ReadonlyArray<number | string> = ipById
