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

/**
 * The initial sync's allocation order: pods (host-network ones left out) grouped by identity label set,
 * label sets in sorted order and pods by name within each — the order of sorting every pod by
 * `labels + "\0" + namespace/name`, which CRD-mode allocation is modeled on (pods of one label set share the
 * namespace, so their names decide), without building or sorting a string per pod. A label set is derived
 * once per (labels object, namespace): pods of one workload share their labels object, so a million pods
 * cost about as many label derivations as there are workloads.
 */
export function podsByLabelSet(
  pods: readonly Pod[],
  namespaceOf: (name: string) => Namespace | undefined,
): LabelSetPods[] {
  // the set of each labels object in the first namespace it is seen in (every workload: one namespace);
  // other namespaces of the same labels object, which a shared literal could produce, in a map per object
  const first = new Map<Labels, LabelSetPods>()
  const others = new Map<Labels, Map<string, LabelSetPods>>()
  // every (labels object, namespace) gets a set of its own here; sets of equal labels (equal keys: distinct
  // labels objects with the same content) are merged after sorting, where they are adjacent, rather than
  // found through a map of the ~230-character keys as each set is made (a miss in a 104k-entry map, twice,
  // per workload at 100k services)
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
  // pods of a workload come one after another: the last (labels, namespace) answers most lookups
  let lastLabels: Labels | null = null
  let lastNs = ''
  let last: LabelSetPods | null = null
  for (let o = 0; o < pods.length; o++) {
    const pod = pods[o]
    if (pod.hostNetwork) continue
    if (last && pod.labels === lastLabels && pod.namespace === lastNs) {
      add(last, o)
      continue
    }
    let set = first.get(pod.labels)
    if (!set) first.set(pod.labels, (set = setOf(pod)))
    else if (pods[set.ordinals[0]].namespace !== pod.namespace) {
      let perNs = others.get(pod.labels)
      if (!perNs) others.set(pod.labels, (perNs = new Map()))
      let s = perNs.get(pod.namespace)
      if (!s) perNs.set(pod.namespace, (s = setOf(pod)))
      set = s
    }
    add(set, o)
    lastLabels = pod.labels
    lastNs = pod.namespace
    last = set
  }
  // a stable sort: sets of one key stay in the order they were made (the first keeps its labels and key)
  sets.sort((a, b) => cmp(a.key, b.key))
  const out: LabelSetPods[] = []
  for (const set of sets) {
    const prev = out.length > 0 ? out[out.length - 1] : null
    if (prev && prev.key === set.key) {
      // the pods of both in list order, as one set would have gathered them; name order checked afresh
      prev.ordinals = mergeAscending(prev.ordinals, set.ordinals)
      if (!sortedByName(pods, prev.ordinals)) unsorted.add(prev)
      unsorted.delete(set)
    } else out.push(set)
  }
  for (const s of unsorted) s.ordinals.sort((a, b) => cmp(pods[a].name, pods[b].name))
  return out
}

function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) out.push(a[i] < b[j] ? a[i++] : b[j++])
  while (i < a.length) out.push(a[i++])
  while (j < b.length) out.push(b[j++])
  return out
}

function sortedByName(pods: readonly Pod[], ordinals: readonly number[]): boolean {
  for (let i = 1; i < ordinals.length; i++)
    if (pods[ordinals[i - 1]].name > pods[ordinals[i]].name) return false
  return true
}
