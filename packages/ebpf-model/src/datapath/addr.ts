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
 * What a backend record carries for traces once written to cilium_lb4_backends_v3 (`rememberBackendIp`): its
 * address as text, the address that text was made from (so a record whose address changed since is named
 * afresh), and whether it names a pod (bit 1) and a node (bit 2). Kept on the record itself, which a first
 * packet has just read (its address and port): no second table to miss in, and nothing per backend beyond
 * the record (the 100k-service build writes a million backends; a per-id table of [address, text, record,
 * names] cells was 32 MB of array the GC marked).
 */
export interface BackendText {
  text?: string
  textAddr?: number
  names?: number
}

/**
 * A backend's address as text: remembered on the record when it was written (every first packet names its
 * backend in the trace — dnat, candidate — and at 100k services first packets to random services meet a
 * backend not seen before nearly every time), else made from the address.
 */
export function backendIp(b: { addr: number } & BackendText): string {
  return b.textAddr === b.addr ? (b.text as string) : ipText(b.addr)
}

/**
 * Whether backend record `b` names a pod (bit 1) and a node (bit 2), as remembered when it was written: a
 * candidate copies the names it has, and testing the pod name itself would read the string (one of 200k
 * scattered pod names at 100k services: a cache miss per first packet).
 */
export function backendNames(b: { pod?: string; node?: string } & BackendText): number {
  const n = b.names
  return n !== undefined && n >= 0 ? n : (b.pod ? 1 : 0) | (b.node ? 2 : 0)
}

/**
 * Remembers a backend's address text and names on the record (a backend written to the backends map). The
 * agent's records arrive with both already (agent/serviceSync trackedBackend: the EndpointSlice's own address
 * text), so for them this only refreshes the names bits.
 */
export function rememberBackendIp(b: { addr: number; pod?: string; node?: string } & BackendText): void {
  b.names = (b.pod ? 1 : 0) | (b.node ? 2 : 0)
  if (b.textAddr === b.addr) return
  b.text = dottedQuad(b.addr)
  b.textAddr = b.addr
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
