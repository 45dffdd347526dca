import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IdentityAllocator, namespaceIdentityLabels, podIdentityLabels } from './identity'

describe('podIdentityLabels', () => {
  it('gives the pod’s k8s labels and its namespace’s identity labels in the default sort order', () => {
    // short keys and values over a few characters (some past ASCII) so labels share prefixes and interleave
    const text = fc.string({
      unit: fc.constantFrom('a', 'b', 'i', 'o', 'z', '.', '-', 'é', 'Z'),
      maxLength: 6,
    })
    const labels = fc.dictionary(text, text, { maxKeys: 6 })
    fc.assert(
      fc.property(labels, labels, text, (podLabels, nsLabels, ns) => {
        const pod = { namespace: ns, name: 'p', labels: podLabels, ip: '10.0.0.1', nodeName: 'a', ports: [] }
        const namespace = { name: ns, labels: nsLabels }
        const expected = [
          ...Object.entries(podLabels).map(([k, v]) => `k8s:${k}=${v}`),
          `k8s:io.kubernetes.pod.namespace=${ns}`,
          ...Object.entries(nsLabels).map(([k, v]) => `k8s:io.cilium.k8s.namespace.labels.${k}=${v}`),
          'k8s:io.cilium.k8s.policy.cluster=default',
        ].sort()
        expect(podIdentityLabels(pod, namespace)).toEqual(expected)
        expect(podIdentityLabels(pod, undefined, namespaceIdentityLabels(ns, namespace))).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })
})

describe('IdentityAllocator references', () => {
  it('answers null for an identity released already, global or CIDR', () => {
    const a = new IdentityAllocator()
    const g = a.acquire('global', ['k8s:a=b'], {}, 'k8s:a=b', 2).identity.id
    const c = a.acquire('cidr', ['cidr:10.0.0.0/8'], {}, 'cidr:10.0.0.0/8', 1).identity.id
    expect(a.release(g)).toBeNull()
    expect(a.release(g)?.id).toBe(g)
    expect(a.release(g)).toBeNull()
    expect(a.release(c)?.id).toBe(c)
    expect(a.release(c)).toBeNull()
    expect(a.acquire('global', ['k8s:c=d'], {}, 'k8s:c=d', 1).identity.id).toBe(g)
  })

  it('keeps the references a per-identity count keeps: ids lowest-free-first, released at the last reference', () => {
    const op = fc.tuple(
      fc.boolean(),
      fc.constantFrom('global', 'cidr'),
      fc.nat(5),
      fc.integer({ min: 1, max: 3 }),
      // read the map by number first (it enters the identities allocated so far)
      fc.boolean(),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const a = new IdentityAllocator()
        const reservedIds = [...a.byId.keys()]
        // the model's map by number: ids in the order allocated, a released one removed
        const order: number[] = []
        // the model: references by id, the key of each id, free ids per kind
        const refs = new Map<number, number>()
        const keyOf = new Map<number, string>()
        const idOf = new Map<string, number>()
        const next = { global: 256, cidr: 1 << 24 }
        const free: Record<'global' | 'cidr', number[]> = { global: [], cidr: [] }
        for (const [acquire, kind, label, count, read] of ops) {
          const key = `${kind}:${label}`
          if (read) expect(a.byId.size).toBe(reservedIds.length + order.length)
          if (acquire) {
            let id = idOf.get(key)
            const created = id === undefined
            if (id === undefined) {
              const f = free[kind as 'global' | 'cidr']
              id = f.length > 0 ? Math.min(...f) : next[kind as 'global' | 'cidr']++
              if (f.includes(id)) f.splice(f.indexOf(id), 1)
              idOf.set(key, id)
              keyOf.set(id, key)
              order.push(id)
            }
            refs.set(id, (refs.get(id) ?? 0) + count)
            const got = a.acquire(kind as 'global' | 'cidr', [key], {}, key, count)
            expect(got.identity.id).toBe(id)
            expect(got.created).toBe(created)
          } else {
            // release an id of the pool, held or not (a second release of a released id answers null)
            const id = idOf.get(key) ?? (kind === 'global' ? 256 + label : (1 << 24) + label)
            const n = refs.get(id)
            const released = a.release(id)
            if (n === undefined) expect(released).toBeNull()
            else if (n > 1) {
              refs.set(id, n - 1)
              expect(released).toBeNull()
            } else {
              refs.delete(id)
              order.splice(order.indexOf(id), 1)
              idOf.delete(keyOf.get(id) as string)
              keyOf.delete(id)
              free[kind === 'global' || id < 1 << 24 ? 'global' : 'cidr'].push(id)
              expect(released?.id).toBe(id)
            }
          }
        }
        for (const [id, key] of keyOf) expect(a.get(id)?.key).toBe(key)
        // by number in the order allocated (a released number leaves, its reuse comes last), reserved first
        expect([...a.byId.keys()]).toEqual([...reservedIds, ...order])
      }),
      { numRuns: 200 },
    )
  })

  it('finds identities allocated with deferKey as acquire, release and lookups find eagerly keyed ones', () => {
    // the same operations on an allocator deferring the keys of `allocate` and on one keying them at once:
    // pod keys (`k8s:`, deferred), CIDR and reserved keys (never deferred: looked up without them)
    const op = fc.tuple(
      fc.constantFrom('allocate', 'acquire', 'release', 'lookup'),
      fc.constantFrom('k8s:a=', 'cidr:', 'reserved:'),
      fc.nat(6),
      fc.integer({ min: 1, max: 3 }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const lazy = new IdentityAllocator()
        const eager = new IdentityAllocator()
        for (const [what, prefix, label, count] of ops) {
          const key = `${prefix}${label}`
          const kind = prefix === 'cidr:' ? 'cidr' : 'global'
          if (what === 'allocate') {
            // allocate's contract: a key no identity holds
            if (eager.byKey(key) !== undefined || !eager.hasFreeGlobal()) continue
            const a = lazy.allocate(kind, [key], {}, key, count, true)
            const b = eager.allocate(kind, [key], {}, key, count)
            expect(a.id).toBe(b.id)
          } else if (what === 'acquire') {
            const a = lazy.acquire(kind, [key], {}, key, count)
            const b = eager.acquire(kind, [key], {}, key, count)
            expect([a.identity.id, a.created]).toEqual([b.identity.id, b.created])
          } else if (what === 'release') {
            const id = eager.byKey(key)?.id ?? 256 + label
            expect(lazy.release(id)?.id).toBe(eager.release(id)?.id)
          } else {
            expect(lazy.byKey(key)?.id).toBe(eager.byKey(key)?.id)
            expect(lazy.canAcquireGlobal([key], key)).toBe(eager.canAcquireGlobal([key], key))
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
