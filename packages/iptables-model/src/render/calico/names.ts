import { createHash } from 'node:crypto'

/**
 * Calico's names. The workload interface is `cali` + the first 11 hex digits of sha1("namespace.podname")
 * (libcalico-go lib/backend/k8s/conversion VethNameForWorkload); chain and ipset names longer than the kernel
 * allows are shortened the way felix's hashutils.GetLengthLimitedID does (prefix + "_" + base64url(sha256)).
 */
export function workloadInterface(namespace: string, pod: string): string {
  return `cali${createHash('sha1').update(`${namespace}.${pod}`).digest('hex').slice(0, 11)}`
}

/** iptables chain names are limited to 28 characters (felix rules.MaxChainNameLength). */
export const MAX_CHAIN_NAME = 28

export function lengthLimitedId(prefix: string, suffix: string, max: number): string {
  if (prefix.length + suffix.length <= max) return prefix + suffix
  const h = createHash('sha256').update(suffix).digest('base64url')
  return `${prefix}_${h.slice(0, max - prefix.length - 1)}`
}

/** cali-pi-/cali-po- chain of a Kubernetes NetworkPolicy, which Calico names `knp.default.<name>` in its namespace. */
export function policyChainName(direction: 'ingress' | 'egress', namespace: string, name: string): string {
  return lengthLimitedId(
    direction === 'ingress' ? 'cali-pi-' : 'cali-po-',
    `${namespace}/knp.default.${name}`,
    MAX_CHAIN_NAME,
  )
}

/** Per-endpoint chains: cali-tw- (to workload, ingress policy) and cali-fw- (from workload, egress policy). */
export const toWorkloadChain = (iface: string): string => lengthLimitedId('cali-tw-', iface, MAX_CHAIN_NAME)
export const fromWorkloadChain = (iface: string): string => lengthLimitedId('cali-fw-', iface, MAX_CHAIN_NAME)

/** Namespace profiles (`kns.<namespace>`), which allow everything when no policy selects the endpoint. */
export const profileChain = (direction: 'ingress' | 'egress', namespace: string): string =>
  lengthLimitedId(direction === 'ingress' ? 'cali-pri-' : 'cali-pro-', `kns.${namespace}`, MAX_CHAIN_NAME)

/** ipset names are limited to 31 characters: `cali40` (IPv4, set version 0) + `s:`/`n:` + a 23-character id. */
export function ipsetName(kind: 's' | 'n', key: string): string {
  return `cali40${kind}:${createHash('sha224').update(key).digest('base64url').slice(0, 23)}`
}

/**
 * Felix tags every rule with `-m comment --comment "cali:<hash>"`: a 16-character hash chained over the chain
 * name, the previous rule's hash and the rule (felix/iptables/table.go RuleHashes), so an unchanged rule keeps
 * its tag across rewrites.
 */
export function ruleHashes(chain: string, rules: readonly string[]): string[] {
  const out: string[] = []
  let prev = ''
  for (const r of rules) {
    prev = createHash('sha224').update(chain).update(prev).update(r).digest('base64url').slice(0, 16)
    out.push(prev)
  }
  return out
}
