import type { Labels, Namespace, Pod } from '@dataplane-sim/cluster'
import { namespaceIdentityLabels, podIdentityLabels } from './identity'

/** The pods sharing one identity label set, by name (they share a namespace: it is one of the labels). */
export interface LabelSetPods {
  /** the identity labels, sorted (`podIdentityLabels`) */
  labels: string[]
  /** the labels joined: the identity's key */
  key: string
  /** the pods, as their positions in the list given to `podsByLabelSet` */
  ordinals: number[]
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A run of pods sharing a labels object and namespace, and the set they go to. */
interface Run {
  set: LabelSetPods
  labels: Labels
  namespace: string
}

/**
 * The initial sync's allocation order: pods (host-network ones left out) grouped by identity label set,
 * label sets in sorted order and pods by name within each — the order of sorting every pod by
 * `labels + "\0" + namespace/name`, which CRD-mode allocation is modeled on (pods of one label set share the
 * namespace, so their names decide), without building or sorting a string per pod. A label set is derived
 * once per run of pods sharing a labels object and namespace (the pods of a workload come one after another
 * and share their labels object; a workload alternating two labels objects, a canary, keeps both runs
 * going), so a million pods cost about as many label derivations as there are workloads.
 */
export function podsByLabelSet(
  pods: readonly Pod[],
  namespaceOf: (name: string) => Namespace | undefined,
): LabelSetPods[] {
  // every run of (labels object, namespace) gets a set of its own here; sets of equal labels (equal keys:
  // the same labels object met again later, or distinct labels objects with the same content) are merged
  // after sorting, where they are adjacent, rather than found through a map as each run starts (a map of
  // the labels objects: ~80 ms of identity-hash inserts for 104k workloads at 100k services, line profile;
  // a map of the ~230-character keys cost more)
  const sets: LabelSetPods[] = []
  const nsLabels = new Map<string, string[]>()
  const setOf = (pod: Pod): LabelSetPods => {
    let fromNs = nsLabels.get(pod.namespace)
    if (!fromNs)
      nsLabels.set(
        pod.namespace,
        (fromNs = namespaceIdentityLabels(pod.namespace, namespaceOf(pod.namespace))),
      )
    const labels = podIdentityLabels(pod, undefined, fromNs)
    const set: LabelSetPods = { labels, key: labels.join(','), ordinals: [] }
    sets.push(set)
    return set
  }
  // sets whose pods did not arrive in name order (most do: a workload's pods are listed -0, -1, …), found
  // as each pod is added, by comparing its name with the set's previous pod's (read just before, or nearby)
  // rather than in a second pass reading every pod's name again
  const unsorted = new Set<LabelSetPods>()
  const add = (set: LabelSetPods, o: number) => {
    const ords = set.ordinals
    if (ords.length > 0 && pods[ords[ords.length - 1]].name > pods[o].name) unsorted.add(set)
    ords.push(o)
  }
  // the current run (a) and the run before it (b): a set with the labels object and namespace of its pods
  let a = null as Run | null
  let b = null as Run | null
  for (let o = 0; o < pods.length; o++) {
    const pod = pods[o]
    if (pod.hostNetwork) continue
    if (a !== null && pod.labels === a.labels && pod.namespace === a.namespace) {
      add(a.set, o)
      continue
    }
    if (b !== null && pod.labels === b.labels && pod.namespace === b.namespace) {
      // back to the run before: the two swap places
      const s: Run | null = a
      a = b
      b = s
    } else {
      b = a
      a = { set: setOf(pod), labels: pod.labels, namespace: pod.namespace }
    }
    add(a.set, o)
  }
  // a stable sort: sets of one key stay in the order they were made (the first keeps its labels and key)
  sets.sort((x, y) => cmp(x.key, y.key))
  const out: LabelSetPods[] = []
  for (let i = 0; i < sets.length; ) {
    const set = sets[i]
    let j = i + 1
    while (j < sets.length && sets[j].key === set.key) j++
    if (j - i > 1) {
      // the pods of all in list order, as one set would have gathered them (all at once: a labels object
      // met again and again must not merge pairwise, quadratic); name order checked afresh
      const all: number[] = []
      for (let k = i; k < j; k++) {
        const ords = sets[k].ordinals
        for (let m = 0; m < ords.length; m++) all.push(ords[m])
        unsorted.delete(sets[k])
      }
      all.sort((x, y) => x - y)
      set.ordinals = all
      if (!sortedByName(pods, all)) unsorted.add(set)
    }
    out.push(set)
    i = j
  }
  for (const s of unsorted) s.ordinals.sort((x, y) => cmp(pods[x].name, pods[y].name))
  return out
}

function sortedByName(pods: readonly Pod[], ordinals: readonly number[]): boolean {
  for (let i = 1; i < ordinals.length; i++)
    if (pods[ordinals[i - 1]].name > pods[ordinals[i]].name) return false
  return true
}
