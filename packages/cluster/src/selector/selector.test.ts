import { describe, expect, it } from 'vitest'
import type { LabelSelector } from '../scenario/types'
import { matchesSelector, selectorKey } from './selector'

const labels = { app: 'web', tier: 'front' }

describe('matchesSelector', () => {
  it.each<[string, LabelSelector, boolean]>([
    ['empty selector matches everything', {}, true],
    ['matchLabels all equal', { matchLabels: { app: 'web' } }, true],
    ['matchLabels one differs', { matchLabels: { app: 'web', tier: 'back' } }, false],
    [
      'In with the value',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }] },
      true,
    ],
    ['In without the key', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, false],
    [
      'NotIn matches a missing key',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] },
      true,
    ],
    [
      'NotIn with the value',
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
      false,
    ],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [
      'DoesNotExist on a present key',
      { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
      false,
    ],
    [
      'labels and expressions are ANDed',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
      false,
    ],
  ])('%s', (_, selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected)
  })

  it('gives the same key whatever the order of labels', () => {
    expect(selectorKey({ matchLabels: { b: '1', a: '2' } })).toBe(
      selectorKey({ matchLabels: { a: '2', b: '1' } }),
    )
  })
})
