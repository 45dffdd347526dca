import { BpfLpmTrie } from '../maps/lpmTrie'
import { CILIUM_MAP_LAYOUTS, policyMapName } from './layouts'
import { type CiliumMapOptions, specFor } from './mapOptions'
import type { PolicyEntry, PolicyKey } from './structs'

/** sec_label (32) + egress/pad byte (8): always matched in full; a wildcard identity is its own lookup (0). */
export const POLICY_STATIC_PREFIX = 40
/** POLICY_FULL_PREFIX: 8 × (sizeof(struct policy_key) − sizeof(struct bpf_lpm_trie_key)) */
export const POLICY_FULL_PREFIX = 64

/** The LPM prefix length of a policy key: static 40, + 8 when the protocol is set, + the port prefix. */
export function policyPrefixLen(key: PolicyKey): number {
  if (key.protocol === 0) return POLICY_STATIC_PREFIX
  return POLICY_STATIC_PREFIX + 8 + key.portPrefixLen
}

function word1(egress: boolean, protocol: number, dport: number): number {
  return ((egress ? 1 << 24 : 0) | ((protocol & 0xff) << 16) | (dport & 0xffff)) >>> 0
}

/** A policy lookup's result: the entry and the prefix length it matched at (its specificity). */
export interface PolicyMatch {
  entry: PolicyEntry
  prefixLen: number
}

/**
 * One endpoint's `cilium_policy_NNNNN` (bpf/lib/policy.h, pkg/maps/policymap): LPM keyed by (remote identity,
 * direction, protocol, destination port) where the protocol may be wildcarded (then the port too) and the
 * port may be a power-of-two aligned range (a prefix) — Cilium 1.16's port-range support. The datapath does
 * two lookups, the remote identity and identity 0 (L3 wildcard), and `__policy_check` picks between them
 * (deny first, then the longer prefix, then the L3-specific one): that precedence lives in the datapath.
 *
 * The model orders the key as (identity, egress, protocol, dport) most significant first; in the C struct
 * `sec_label` is host-endian, but it is always matched in full (or looked up as 0), so the trie's answers
 * are the same.
 */
export class PolicyMap {
  readonly map: BpfLpmTrie<PolicyEntry>
  readonly endpointId: number
  private readonly words = [0, 0]

  constructor(endpointId: number, opts: CiliumMapOptions = {}) {
    this.endpointId = endpointId
    this.map = new BpfLpmTrie(specFor(CILIUM_MAP_LAYOUTS.cilium_policy, opts, policyMapName(endpointId)))
  }

  /** Datapath lookup of one identity (pass 0 for the L3-wildcard lookup), counted. */
  lookup(
    identity: number,
    egress: boolean,
    protocol: number,
    dport: number,
    counts?: Record<string, number>,
  ): PolicyEntry | undefined {
    this.words[0] = identity >>> 0
    this.words[1] = word1(egress, protocol, dport)
    return this.map.lookup(this.words, counts)
  }

  /** `lookup` plus the prefix length matched, or undefined. Allocates; for traces. */
  match(identity: number, egress: boolean, protocol: number, dport: number, counts?: Record<string, number>) {
    const entry = this.lookup(identity, egress, protocol, dport, counts)
    return entry ? ({ entry, prefixLen: this.map.lastPrefixLen } satisfies PolicyMatch) : undefined
  }

  peek(key: PolicyKey): PolicyEntry | undefined {
    return this.map.peek(policyPrefixLen(key), [
      key.identity >>> 0,
      word1(key.egress, key.protocol, key.dport),
    ])
  }

  /**
   * Writes an entry; its `wildcardProtocol`, `wildcardDport` and `lpmPrefixLength` are set from the key as
   * the agent does (pkg/maps/policymap newEntry), copying the entry when they differ.
   */
  update(key: PolicyKey, entry: PolicyEntry, flags = 0, counts?: Record<string, number>): void {
    if (key.protocol === 0 && key.portPrefixLen !== 0)
      throw new RangeError('a policy key with a wildcard protocol must wildcard the port too')
    const lpmPrefixLength = policyPrefixLen(key) - POLICY_STATIC_PREFIX
    const wildcardProtocol = key.protocol === 0
    const wildcardDport = key.portPrefixLen === 0
    if (
      entry.lpmPrefixLength !== lpmPrefixLength ||
      entry.wildcardProtocol !== wildcardProtocol ||
      entry.wildcardDport !== wildcardDport
    )
      entry = { ...entry, lpmPrefixLength, wildcardProtocol, wildcardDport }
    this.map.update(
      policyPrefixLen(key),
      [key.identity >>> 0, word1(key.egress, key.protocol, key.dport)],
      entry,
      flags,
      counts,
    )
  }

  delete(key: PolicyKey, counts?: Record<string, number>): void {
    this.map.delete(
      policyPrefixLen(key),
      [key.identity >>> 0, word1(key.egress, key.protocol, key.dport)],
      counts,
    )
  }

  *entries(): IterableIterator<[PolicyKey, PolicyEntry]> {
    for (const e of this.map.entries()) yield [decodePolicyKey(e.prefixLen, e.data), e.value]
  }
}

/** The policy key an LPM entry of a policy map stands for (prefix length and data words, as `update` wrote). */
export function decodePolicyKey(prefixLen: number, data: ArrayLike<number>): PolicyKey {
  const w = data[1] ?? 0
  return {
    identity: data[0] ?? 0,
    egress: w >>> 24 === 1,
    protocol: prefixLen > POLICY_STATIC_PREFIX ? (w >>> 16) & 0xff : 0,
    dport: w & 0xffff,
    portPrefixLen: Math.max(0, prefixLen - POLICY_STATIC_PREFIX - 8),
  }
}
