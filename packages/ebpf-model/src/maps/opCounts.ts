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

/** Slots of `OpCounts.recent` (a power of two). */
const RECENT = 64

/** Counts of one packet (reused from packet to packet: `reset` clears only what was touched). */
export class OpCounts {
  private vals = new Float64Array(64)
  /** ids touched since the last reset, in first-touch order: `touched[0 .. n)` */
  private touched = new Int32Array(64)
  private n = 0
  /**
   * summaries returned before, by the hash of the counts (`countsHash`, direct-mapped): a packet's path fixes
   * its counts, and a node's packets take a handful of paths, often alternating (local or remote backend, hit
   * or miss), so the last summary alone missed often. Each hit is still checked against the counts.
   */
  private readonly recent: Array<CountsSummary | undefined> = new Array(RECENT).fill(undefined)
  private readonly recentProfile: Array<CostProfile | undefined> = new Array(RECENT).fill(undefined)

  add(id: number, n = 1): void {
    if (id >= this.vals.length) this.grow(id)
    if (this.vals[id] === 0) {
      if (this.n === this.touched.length) {
        const t = new Int32Array(this.n * 2)
        t.set(this.touched)
        this.touched = t
      }
      this.touched[this.n++] = id
    }
    this.vals[id] += n
  }

  get(id: number): number {
    return id < this.vals.length ? this.vals[id] : 0
  }

  reset(): void {
    const t = this.touched
    for (let i = 0; i < this.n; i++) this.vals[t[i]] = 0
    this.n = 0
  }

  /** Σ counts × constants, as `modelCost` computes it. */
  ns(profile: CostProfile): number {
    let total = 0
    const t = this.touched
    for (let i = 0; i < this.n; i++) total += this.vals[t[i]] * constantOf(profile, t[i])
    return total
  }

  /** the profile `nsOf` resolved last, and its constants by id (`constantOf` of each, NaN: not resolved yet) */
  private nsProfile: CostProfile | undefined = undefined
  private nsConstants = new Float64Array(0)

  /**
   * `summary(profile).ns` without the summary: the same sum in the same order (touched ids in first-touch
   * order, count × constant), so the same number to the last bit, but with the profile's constants read from
   * an array this instance keeps for the profile it saw last instead of hashing the counts, finding their
   * summary and checking it (a lean batch packet needs the ns alone).
   */
  nsOf(profile: CostProfile): number {
    if (profile !== this.nsProfile) {
      this.nsProfile = profile
      this.nsConstants = new Float64Array(names.length).fill(Number.NaN)
    }
    let c = this.nsConstants
    const t = this.touched
    let total = 0
    for (let i = 0; i < this.n; i++) {
      const id = t[i]
      if (id >= c.length) {
        // an id interned after the array was made
        const grownC = new Float64Array(names.length).fill(Number.NaN)
        grownC.set(c)
        this.nsConstants = c = grownC
      }
      let k = c[id]
      if (Number.isNaN(k)) c[id] = k = constantOf(profile, id)
      total += this.vals[id] * k
    }
    return total
  }

  /**
   * The counts as the contract's record with their modeled ns, shared by every packet with the same counts
   * (a packet's path fixes them, and there are few paths): the record is frozen, built once per distinct
   * set of counts and profile.
   */
  summary(profile: CostProfile): CountsSummary {
    // hashed once here from the touched ids and their counts, not per `add` (OpCounts.add is called ~20 times
    // a packet): the same summaries, since every hit is checked against the counts
    const h = this.countsHash()
    const slot = (h ^ (h >>> 16)) & (RECENT - 1)
    const seen = this.recent[slot]
    if (seen !== undefined && this.recentProfile[slot] === profile && this.equals(seen.ids, seen.values))
      return seen
    const s = this.lookupSummary(profile, h)
    this.recent[slot] = s
    this.recentProfile[slot] = profile
    return s
  }

  /** Hash of the counts: touched ids in first-touch order with their values. */
  private countsHash(): number {
    const t = this.touched
    let h = this.n
    for (let i = 0; i < this.n; i++) h = Math.imul(h ^ t[i], 0x9e3779b1) ^ this.vals[t[i]]
    return h
  }

  private lookupSummary(profile: CostProfile, h: number): CountsSummary {
    const t = this.touched
    let byHash = summaries.get(profile)
    if (!byHash) summaries.set(profile, (byHash = new Map()))
    const bucket = byHash.get(h)
    if (bucket) for (const s of bucket) if (this.equals(s.ids, s.values)) return s
    if (byHash.size >= 4096) byHash.clear()
    const ids = Array.from(t.subarray(0, this.n))
    const values = ids.map((id) => this.vals[id])
    const counts: Record<string, number> = {}
    for (let i = 0; i < ids.length; i++) counts[names[ids[i]]] = values[i]
    const frozen = Object.freeze(counts)
    const ns = this.ns(profile)
    const s: CountsSummary = { ids, values, counts: frozen, ns, cost: Object.freeze({ counts: frozen, ns }) }
    const list = byHash.get(h)
    if (list) list.push(s)
    else byHash.set(h, [s])
    return s
  }

  private equals(ids: readonly number[], values: readonly number[]): boolean {
    const t = this.touched
    if (this.n !== ids.length) return false
    for (let i = 0; i < this.n; i++) if (t[i] !== ids[i] || this.vals[t[i]] !== values[i]) return false
    return true
  }

  /** Adds every count into a record keyed by name (the contract's `Cost.counts`). */
  addTo(record: Record<string, number>): void {
    const t = this.touched
    for (let i = 0; i < this.n; i++) {
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

/** One distinct set of counts: ids and values in first-touch order, the frozen record, the modeled ns. */
export interface CountsSummary {
  readonly ids: readonly number[]
  readonly values: readonly number[]
  readonly counts: Readonly<Record<string, number>>
  readonly ns: number
  /** `{ counts, ns }` as one frozen record, shared by every packet with these counts */
  readonly cost: Readonly<{ counts: Readonly<Record<string, number>>; ns: number }>
}

const summaries = new WeakMap<CostProfile, Map<number, CountsSummary[]>>()
