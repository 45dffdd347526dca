/**
 * Whether the "namespace/name" keys of `objects` are distinct, known without making or hashing a key: the
 * list is in strictly increasing order of (namespace, name) — the order the API server lists objects in —
 * or of (name, namespace) — the generator's services, named in order — and no namespace holds a '/' (then
 * a key names one (namespace, name) pair: distinct pairs make distinct keys). False says only "not known".
 */
export function distinctObjectKeys(objects: ReadonlyArray<{ namespace: string; name: string }>): boolean {
  let byNamespace = true
  let byName = true
  for (let i = 0; i < objects.length; i++) {
    const b = objects[i]
    if (b.namespace.includes('/')) return false
    if (i === 0) continue
    const a = objects[i - 1]
    if (byNamespace)
      byNamespace = a.namespace < b.namespace || (a.namespace === b.namespace && a.name < b.name)
    if (byName) byName = a.name < b.name || (a.name === b.name && a.namespace < b.namespace)
    if (!byNamespace && !byName) return false
  }
  return true
}
