import type { PolicyEntry } from './policy'
import { policyEntryKey } from './policy'
import type { AgentSink } from './sink'

/**
 * Which local endpoints use which cached selector (cilium/cilium `pkg/policy/selectorcache.go` users), so a
 * selector whose identity set changed regenerates only the endpoints that depend on it.
 */
export class SelectorUsers {
  private readonly bySelector = new Map<string, Set<string>>()

  /** Endpoint `key` now depends on `next` instead of `before`. */
  track(key: string, before: Iterable<string>, next: ReadonlySet<string>): void {
    for (const s of before) if (!next.has(s)) this.bySelector.get(s)?.delete(key)
    for (const s of next) {
      let set = this.bySelector.get(s)
      if (!set) this.bySelector.set(s, (set = new Set()))
      set.add(key)
    }
  }

  untrack(key: string, selectors: Iterable<string>): void {
    for (const s of selectors) this.bySelector.get(s)?.delete(key)
  }

  /** Adds the endpoints using `selectorKey` to `affected`. */
  mark(selectorKey: string, affected: Set<string> | null): void {
    if (!affected) return
    for (const k of this.bySelector.get(selectorKey) ?? []) affected.add(k)
  }
}

/** Writes the difference between an endpoint's policy entries before and after into its policy map. */
export function writePolicyDiff(
  sink: AgentSink,
  endpointId: number,
  before: readonly PolicyEntry[],
  after: readonly PolicyEntry[],
): void {
  const was = new Map(before.map((e) => [policyEntryKey(e), e]))
  const now = new Map(after.map((e) => [policyEntryKey(e), e]))
  for (const [k, e] of was) if (!now.has(k)) sink.policy('delete', endpointId, e)
  for (const [k, e] of now) {
    const b = was.get(k)
    if (!b || b.deny !== e.deny) sink.policy('update', endpointId, e)
  }
}
