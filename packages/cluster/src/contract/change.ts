import {
  type Cluster,
  COLLECTION_OF,
  NAMESPACED,
  type ResourceByKind,
  type ResourceKind,
} from '../scenario/types'

/** A change to a cluster, as a watch event delivers it: an object created/updated, or deleted. */
export type ClusterChange =
  | { [K in ResourceKind]: { op: 'upsert'; kind: K; object: ResourceByKind[K] } }[ResourceKind]
  | { op: 'delete'; kind: ResourceKind; namespace?: string; name: string }

/** "namespace/name" for namespaced kinds, "name" otherwise. */
export function objectKey(kind: ResourceKind, obj: { namespace?: string; name: string }): string {
  return NAMESPACED[kind] ? `${obj.namespace}/${obj.name}` : obj.name
}

/**
 * The cluster after `change`, as a new object; the input is not modified, and untouched collections are
 * shared. An upsert replaces the object with the same key or appends it; deleting a missing object is an
 * error (a watch never delivers one).
 */
export function applyChange(cluster: Cluster, change: ClusterChange): Cluster {
  const collection = COLLECTION_OF[change.kind]
  const items = cluster[collection] as Array<{ namespace?: string; name: string }>
  const target = (change.op === 'upsert' ? change.object : change) as { namespace?: string; name: string }
  const key = objectKey(change.kind, target)
  // Compared field by field: building a key string per object made every watch event allocate O(N) strings.
  const name = target.name
  const namespace = NAMESPACED[change.kind] ? target.namespace : undefined
  const at =
    namespace === undefined
      ? items.findIndex((o) => o.name === name)
      : items.findIndex((o) => o.name === name && o.namespace === namespace)
  let next: Array<{ namespace?: string; name: string }>
  if (change.op === 'upsert') {
    next = items.slice()
    if (at >= 0) next[at] = change.object
    else next.push(change.object)
  } else {
    if (at < 0) throw new Error(`applyChange: no ${change.kind} ${key} to delete`)
    next = items.slice(0, at).concat(items.slice(at + 1))
  }
  return { ...cluster, [collection]: next }
}
