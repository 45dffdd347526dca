import {
  type Cidr,
  cidrContains,
  formatCidr,
  parseCidr,
  prefixToMask,
  tryIpToU32,
  tryParseCidr,
} from '../ip/ipv4'

/**
 * The CIDR a set of IPv4 addresses/CIDRs falls in: `preferred` (the kubeadm default) when it holds them
 * all, else the smallest block covering them, widened to at least `/minPrefix`; `preferred` when empty.
 */
export function inferCidr(items: readonly string[], preferred: string, minPrefix: number): string {
  const pref = parseCidr(preferred)
  const blocks: Cidr[] = []
  for (const t of items) {
    const c = tryParseCidr(t)
    if (c && tryIpToU32(t.split('/')[0]) !== null) blocks.push(c)
  }
  if (blocks.length === 0) return preferred
  if (blocks.every((b) => b.prefix >= pref.prefix && cidrContains(pref, b.base))) return preferred
  let lo = blocks[0].base
  let hi = (blocks[0].base + 2 ** (32 - blocks[0].prefix) - 1) >>> 0
  for (const b of blocks) {
    lo = Math.min(lo, b.base)
    hi = Math.max(hi, (b.base + 2 ** (32 - b.prefix) - 1) >>> 0)
  }
  let prefix = Math.min(minPrefix, 32)
  while (prefix > 0 && (lo & prefixToMask(prefix)) >>> 0 !== (hi & prefixToMask(prefix)) >>> 0) prefix--
  return formatCidr({ base: (lo & prefixToMask(prefix)) >>> 0, prefix, mask: prefixToMask(prefix) })
}
