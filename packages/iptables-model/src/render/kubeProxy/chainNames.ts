import { sha256Prefix10 } from './sha256'

/**
 * kube-proxy's chain names: sha256 of the service port name plus the lower-case protocol (plus the endpoint
 * "ip:port" for KUBE-SEP), RFC 4648 base32 (Go's base32.StdEncoding), first 16 characters. Mirrors
 * `portProtoHash` / `servicePortEndpointChainName` in kubernetes/kubernetes pkg/proxy/iptables/proxier.go
 * (v1.33; unchanged since v1.26 split KUBE-SVL/EXT); iptables chain names must stay within 28 characters.
 */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const digest = new Uint8Array(10)

/** The first 16 base32 characters of sha256(text): 16 × 5 bits = the first 10 bytes of the digest. */
export function kubeHash16(text: string): string {
  const d = digest
  sha256Prefix10(text, d)
  let out = ''
  for (let g = 0; g < 10; g += 5) {
    // 5 bytes → 8 characters; split the 40 bits into a high byte and a low uint32 to stay in int range
    const hi = d[g]
    const lo = ((d[g + 1] << 24) | (d[g + 2] << 16) | (d[g + 3] << 8) | d[g + 4]) >>> 0
    out += BASE32[hi >>> 3]
    out += BASE32[((hi & 7) << 2) | (lo >>> 30)]
    for (let shift = 25; shift >= 0; shift -= 5) out += BASE32[(lo >>> shift) & 31]
  }
  return out
}

/** `ns/name:port` (or `ns/name` for an unnamed port), as proxy.ServicePortName.String() prints it. */
export function servicePortNameString(namespace: string, name: string, port: string): string {
  return port ? `${namespace}/${name}:${port}` : `${namespace}/${name}`
}

export const servicePortPolicyClusterChain = (spn: string, proto: string): string =>
  `KUBE-SVC-${kubeHash16(spn + proto)}`
export const servicePortPolicyLocalChain = (spn: string, proto: string): string =>
  `KUBE-SVL-${kubeHash16(spn + proto)}`
export const serviceFirewallChain = (spn: string, proto: string): string =>
  `KUBE-FW-${kubeHash16(spn + proto)}`
export const serviceExternalChain = (spn: string, proto: string): string =>
  `KUBE-EXT-${kubeHash16(spn + proto)}`
export const servicePortEndpointChain = (spn: string, proto: string, endpoint: string): string =>
  `KUBE-SEP-${kubeHash16(spn + proto + endpoint)}`

const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-SEP-', 'KUBE-FW-', 'KUBE-EXT-']

/** kube-proxy's isServiceChainName: chains it owns per service and may delete when stale. */
export function isServiceChainName(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p))
}
