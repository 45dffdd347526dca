import type { CostProfile } from '@dataplane-sim/cluster'

/**
 * Per-packet operation counts without string keys: every cost key (`bpf.lookup.hash:cilium_lxc`,
 * `bpf.prog:cil_from_container`, …) is interned once as a small integer, and a packet's counts accumulate in
 * a Float64Array indexed by it, remembering which ids it touched. The contract's `Cost.counts` record is
 * materialised from it only when someone reads it, and the modeled ns sum walks the touched ids against the
 * profile's constants resolved once per (profile, id).
 */

const ids = new Map<string, number>()
const names: string[] = []

/** The id of a cost key (interned for the life of the process; there are a few dozen). */
export function opId(key: string): number {
  let id = ids.get(key)
  if (id === undefined) {
    id = names.length
    names.push(key)
    ids.set(key, id)
  }
  return id
}

export function opName(id: number): string {
  return names[id]
}

const resolved = new WeakMap<CostProfile, number[]>()

/** The profile's constant for cost key `id`, with `modelCost`'s `a:b` → `a` fallback (0 when absent). */
export function constantOf(profile: CostProfile, id: number): number {
  let values = resolved.get(profile)
  if (!values) resolved.set(profile, (values = []))
  let v = values[id]
  if (v === undefined) {
    const key = names[id]
    const c = profile.constants[key] ?? profile.constants[key.split(':', 1)[0]]
    v = c ? c.value : 0
    values[id] = v
  }
  return v
}

/** Counts of one packet (reused from packet to packet: `reset` clears only what was touched). */
export class OpCounts {
  private vals = new Float64Array(64)
  private readonly touched: number[] = []

  add(id: number, n = 1): void {
    if (id >= this.vals.length) this.grow(id)
    if (this.vals[id] === 0) this.touched.push(id)
    this.vals[id] += n
  }

  get(id: number): number {
    return id < this.vals.length ? this.vals[id] : 0
  }

  reset(): void {
    const t = this.touched
    for (let i = 0; i < t.length; i++) this.vals[t[i]] = 0
    t.length = 0
  }

  /** Σ counts × constants, as `modelCost` computes it. */
  ns(profile: CostProfile): number {
    let total = 0
    const t = this.touched
    for (let i = 0; i < t.length; i++) total += this.vals[t[i]] * constantOf(profile, t[i])
    return total
  }

  /** [id, count, id, count, …] in first-touch order: a compact copy a lazy record can be built from later. */
  snapshot(): number[] {
    const t = this.touched
    const out = new Array<number>(t.length * 2)
    for (let i = 0; i < t.length; i++) {
      out[2 * i] = t[i]
      out[2 * i + 1] = this.vals[t[i]]
    }
    return out
  }

  /** Adds every count into a record keyed by name (the contract's `Cost.counts`). */
  addTo(record: Record<string, number>): void {
    const t = this.touched
    for (let i = 0; i < t.length; i++) {
      const k = names[t[i]]
      record[k] = (record[k] ?? 0) + this.vals[t[i]]
    }
  }

  private grow(id: number): void {
    let n = this.vals.length
    while (n <= id) n *= 2
    const v = new Float64Array(n)
    v.set(this.vals)
    this.vals = v
  }
}

/** The record of a snapshot (see `OpCounts.snapshot`). */
export function recordOf(snapshot: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (let i = 0; i < snapshot.length; i += 2) out[names[snapshot[i]]] = snapshot[i + 1]
  return out
}
