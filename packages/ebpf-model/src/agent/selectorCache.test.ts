import { parseCidr } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { cidrIdentityLabels, IdentityAllocator, WORLD_ID } from './identity'
import { SelectorCache } from './selectorCache'

function setup() {
  const ids = new IdentityAllocator()
  const cache = new SelectorCache(ids.byId.values())
  const podIdentity = (namespace: string, app: string, team: string) => {
    const { identity } = ids.acquire('global', [`k8s:app=${app}`, `ns=${namespace}`], {
      namespace,
      podLabels: { app },
      namespaceLabels: { team },
    })
    cache.addIdentity(identity)
    return identity.id
  }
  return { ids, cache, podIdentity }
}

describe('SelectorCache', () => {
  it('selects pod identities of the policy namespace only, unless a namespaceSelector widens it', () => {
    const { cache, podIdentity } = setup()
    const webA = podIdentity('a', 'web', 'x')
    const webB = podIdentity('b', 'web', 'y')
    const dbA = podIdentity('a', 'db', 'x')
    expect([...cache.get('a', { podSelector: { matchLabels: { app: 'web' } } }).identities]).toEqual([webA])
    expect([...cache.get('a', { podSelector: {} }).identities].sort()).toEqual([webA, dbA].sort())
    const anyNs = cache.get('a', { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } })
    expect([...anyNs.identities].sort()).toEqual([webA, webB].sort())
    const teamY = cache.get('a', { namespaceSelector: { matchLabels: { team: 'y' } } })
    expect([...teamY.identities]).toEqual([webB])
  })

  it('adds identities that appear after the selector and reports the selectors that changed', () => {
    const { cache, podIdentity, ids } = setup()
    const sel = cache.get('a', { podSelector: { matchLabels: { app: 'web' } } })
    expect(sel.identities.size).toBe(0)
    const id = podIdentity('a', 'web', 'x')
    expect(sel.identities.has(id)).toBe(true)
    podIdentity('b', 'web', 'x')
    expect(sel.identities.size).toBe(1)
    ids.release(id)
    expect(cache.removeIdentity(id)).toEqual([sel.key])
    expect(sel.identities.size).toBe(0)
    // a selector created after the release does not see the released identity
    expect(cache.get('a', { podSelector: {} }).identities.size).toBe(0)
  })

  it('matches ipBlocks against CIDR identities and 0.0.0.0/0 against world, never against pods', () => {
    const { cache, ids, podIdentity } = setup()
    const pod = podIdentity('a', 'web', 'x')
    const inside = ids.acquire('cidr', cidrIdentityLabels(parseCidr('10.1.2.0/24')), {
      cidr: parseCidr('10.1.2.0/24'),
    }).identity
    cache.addIdentity(inside)
    const excepted = ids.acquire('cidr', cidrIdentityLabels(parseCidr('10.1.3.0/24')), {
      cidr: parseCidr('10.1.3.0/24'),
    }).identity
    cache.addIdentity(excepted)
    const block = cache.get('a', { ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.3.0/24'] } })
    expect([...block.identities]).toEqual([inside.id])
    const world = cache.get('a', { ipBlock: { cidr: '0.0.0.0/0' } })
    expect([...world.identities].sort((x, y) => x - y)).toEqual([WORLD_ID, inside.id, excepted.id])
    expect(world.identities.has(pod)).toBe(false)
  })
})
