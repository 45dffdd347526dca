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
    if (this.muted !== null) {
      if (OpCounts.checkMuted) this.checkMutedAdd(id, n)
      this.mutedAdds++
      return
    }
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
    this.settle()
    return id < this.vals.length ? this.vals[id] : 0
  }

  reset(): void {
    this.muted = null
    this.mutedAdds = 0
    const t = this.touched
    for (let i = 0; i < this.n; i++) this.vals[t[i]] = 0
    this.n = 0
  }

  /**
   * The sequence a muted packet follows (`mute`), or null: while muted, `add` only counts how many adds came
   * (`mutedAdds`), and they are `muted.seq[0 .. mutedAdds)` by the caller's promise.
   */
  private muted: MutedPath | null = null
  private mutedAdds = 0
  /** Tests set it: every muted add is checked against the sequence (a mismatch throws). */
  static checkMuted = false

  /**
   * From now until `reset`, adds are only counted, on the promise that they are the first adds of `path.seq`
   * in order, one each (`add(seq[k])`, n = 1): the counts are then exactly those `seq[0 .. k)` makes, and
   * their modeled ns is `path`'s, computed once per k (`nsOf`). For a fast path whose adds are fixed in order
   * (a lean first packet's, `leanPod`): per add an increment instead of the bookkeeping, per packet an array
   * read instead of the sum. Anything that reads the counts (`get`, `ns`, `summary`, `addTo`) or a caller
   * about to add outside the sequence (`settle`) first replays the adds made so far: the same counts, in the
   * same first-touch order. Only on an empty packet (right after `reset`).
   */
  mute(path: MutedPath): void {
    if (this.n !== 0 || this.muted !== null) throw new Error('OpCounts.mute: counts already taken')
    this.muted = path
    this.mutedAdds = 0
  }

  /**
   * While muted, goes on along `path`, whose sequence begins with the adds made so far (a fast path whose
   * next adds depend on what a lookup found: the sequences share the prefix up to that lookup).
   */
  follow(path: MutedPath): void {
    const now = this.muted
    if (now === null) throw new Error('OpCounts.follow: not muted')
    if (OpCounts.checkMuted)
      for (let i = 0; i < this.mutedAdds; i++)
        if (path.seq[i] !== now.seq[i]) throw new Error(`OpCounts.follow: the sequences differ at add ${i}`)
    this.muted = path
  }

  /** Ends muting: the adds made while muted replayed (the same counts `add` would have left). */
  settle(): void {
    const path = this.muted
    if (path === null) return
    this.muted = null
    const k = this.mutedAdds
    this.mutedAdds = 0
    for (let i = 0; i < k; i++) this.add(path.seq[i])
  }

  private checkMutedAdd(id: number, n: number): void {
    const seq = (this.muted as MutedPath).seq
    const k = this.mutedAdds
    if (n !== 1 || k >= seq.length || seq[k] !== id)
      throw new Error(
        `OpCounts: muted add ${k} is ${names[id]}×${n}, the sequence has ${k < seq.length ? names[seq[k]] : 'no more'}`,
      )
  }

  /** Σ counts × constants, as `modelCost` computes it. */
  ns(profile: CostProfile): number {
    this.settle()
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
    const path = this.muted
    if (path !== null) {
      // a muted packet's: the sum of `seq[0 .. k)` for this profile, made once
      const k = this.mutedAdds
      if (path.profile === profile) {
        const v = path.ns[k]
        if (!Number.isNaN(v)) return v
      } else {
        path.profile = profile
        path.ns.fill(Number.NaN)
      }
      this.settle()
      const v = this.nsOf(profile)
      path.ns[k] = v
      return v
    }
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
    this.settle()
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
    this.settle()
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

/**
 * A fixed sequence of adds (`OpCounts.mute`) and the modeled ns of each of its prefixes for one profile
 * (NaN: not summed yet): one per fast path and variant, reused from packet to packet.
 */
export class MutedPath {
  readonly ns: Float64Array
  profile: CostProfile | undefined = undefined

  constructor(readonly seq: Int32Array) {
    this.ns = new Float64Array(seq.length + 1).fill(Number.NaN)
  }
}
