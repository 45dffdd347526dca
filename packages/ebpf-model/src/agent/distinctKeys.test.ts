import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { distinctObjectKeys } from './distinctKeys'

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

describe('distinctObjectKeys', () => {
  // names and namespaces from small pools (pairs repeat), some holding '/' (two pairs, one key)
  const arbObject = fc.record({
    namespace: fc.constantFrom('a', 'b', 'a/b', 'ab'),
    name: fc.constantFrom('x', 'b/x', 'y', 'xy'),
  })

  it('never calls keys distinct when two objects share a "namespace/name" key', () => {
    fc.assert(
      fc.property(
        fc.array(arbObject, { maxLength: 8 }),
        fc.constantFrom('drawn', 'ns', 'name'),
        (objs, by) => {
          const list =
            by === 'ns'
              ? [...objs].sort((p, q) => cmp(p.namespace, q.namespace) || cmp(p.name, q.name))
              : by === 'name'
                ? [...objs].sort((p, q) => cmp(p.name, q.name) || cmp(p.namespace, q.namespace))
                : objs
          const keys = list.map((o) => `${o.namespace}/${o.name}`)
          if (distinctObjectKeys(list)) expect(new Set(keys).size).toBe(keys.length)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('knows the keys distinct for distinct objects listed by (namespace, name) or by (name, namespace)', () => {
    const objs = [
      { namespace: 'a', name: 'y' },
      { namespace: 'b', name: 'x' },
      { namespace: 'a', name: 'x' },
    ]
    expect(distinctObjectKeys(objs)).toBe(false)
    expect(distinctObjectKeys([objs[2], objs[0], objs[1]])).toBe(true)
    expect(distinctObjectKeys([objs[2], objs[1], objs[0]])).toBe(true)
    // a namespace with '/' could make one key of two pairs: not known
    expect(distinctObjectKeys([{ namespace: 'a/b', name: 'x' }])).toBe(false)
    expect(distinctObjectKeys([])).toBe(true)
  })
})
