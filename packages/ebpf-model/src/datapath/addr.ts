import { ipToU32 } from '@dataplane-sim/cluster'

/**
 * Dotted-quad ⇄ uint32 for the per-packet path: packets name their addresses as text, and the same addresses
 * recur (pods, service VIPs, backends: 200k at 100k services × 2). Pure functions of the address, not of any
 * map, so nothing the kernel would compute is skipped. Text → number keeps a small cache of the first 4096
 * addresses seen (a node's clients, a sample of services): a lookup in a Map of 100k+ addresses missed the
 * caches twice (bucket, entry) where parsing reads only the text (measured: 834 vs 515 ns an address over 200k
 * random addresses; 16 vs 45 ns over 16). Number → text needs no cache of its own (`ipText`).
 */
const TO_U32_LIMIT = 1 << 12
const toU32 = new Map<string, number>()

export function addrOf(text: string): number {
  let n = toU32.get(text)
  if (n === undefined) {
    n = ipToU32(text)
    // the first addresses seen are kept (a node's clients come first and keep coming); past the limit an
    // address is parsed each time (clearing and refilling cost more than parsing: 1 us vs 0.5 an address)
    if (toU32.size < TO_U32_LIMIT) toU32.set(text, n)
  }
  return n
}

/**
 * An address as text, from its two remembered halves (`dottedQuad`): over 200k random addresses 114 ns an
 * address, against 166 ns for the 256k-entry Map memo this replaced.
 */
export function ipText(addr: number): string {
  return dottedQuad(addr)
}

/**
 * [address, its text, record, names] per backend id (ids are dense from 1): the text is checked against the
 * address, so never stale; `names` (1: the record names a pod, + 2: a node) describe that record object only,
 * written with it to the backends map (the agent writes a record again after changing it).
 */
const ipById: Array<number | string | object> = []
const IP_BY_ID_MAX = 1 << 21
const S = 4

/**
 * A backend's address as text, remembered per backend id when the backend is written to
 * cilium_lb4_backends_v3 (`rememberBackendIp`): every first packet names its backend in the trace (dnat,
 * candidate), and at 100k services first packets to random services met a backend not seen before nearly
 * every time, missing an address-keyed cache.
 */
export function backendIp(b: { id: number; addr: number }): string {
  const id = b.id
  const o = id * S
  if (id >= 0 && id < IP_BY_ID_MAX && ipById[o] === b.addr) return ipById[o + 1] as string
  return ipText(b.addr)
}

/**
 * Whether backend record `b` names a pod (bit 1) and a node (bit 2), as remembered when it was written: a
 * candidate copies the names it has, and testing the pod name itself would read the string (one of 200k
 * scattered pod names at 100k services: a cache miss per first packet).
 */
export function backendNames(b: { id: number; pod?: string; node?: string }): number {
  const id = b.id
  const o = id * S
  if (id >= 0 && id < IP_BY_ID_MAX && ipById[o + 2] === b) return ipById[o + 3] as number
  return (b.pod ? 1 : 0) | (b.node ? 2 : 0)
}

/** Remembers a backend's address text and names under its id (a backend written to the backends map). */
export function rememberBackendIp(b: { id: number; addr: number; pod?: string; node?: string }): void {
  const id = b.id
  if (id < 0 || id >= IP_BY_ID_MAX || !Number.isInteger(id)) return
  const o = id * S
  while (ipById.length < o) ipById.push(-1, '', ipById, 0)
  const names = (b.pod ? 1 : 0) | (b.node ? 2 : 0)
  if (ipById.length === o) {
    ipById.push(b.addr, dottedQuad(b.addr), b, names)
    return
  }
  ipById[o + 2] = b
  ipById[o + 3] = names
  if (ipById[o] === b.addr) return
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

/** `backendIp`'s cells ([address, text, record, names] at 4·id): read-only, for a batch's prefetch. */
export const BACKEND_IP_CELLS: ReadonlyArray<unknown> = ipById
