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
