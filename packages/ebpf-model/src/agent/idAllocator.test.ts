import { describe, expect, it } from 'vitest'
import { IdAllocator } from './idAllocator'

describe('IdAllocator', () => {
  it('hands out IDs from 1 and reuses the lowest freed ID first', () => {
    const a = new IdAllocator()
    expect([a.take(), a.take(), a.take(), a.take(), a.take()]).toEqual([1, 2, 3, 4, 5])
    a.give(4)
    a.give(2)
    a.give(5)
    expect([a.take(), a.take(), a.take(), a.take()]).toEqual([2, 4, 5, 6])
  })
})
