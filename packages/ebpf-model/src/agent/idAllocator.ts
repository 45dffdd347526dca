/**
 * Numeric IDs handed out lowest-free-first, as Cilium's ID allocators do for endpoint IDs
 * (`pkg/endpointmanager/idallocator`), backend IDs and service (rev NAT) IDs (`pkg/service/id.go`): a freed
 * ID is reused before a new one is taken. The free list is kept sorted on insert (one splice, not a sort).
 */
export class IdAllocator {
  private next = 1
  /** freed IDs, highest first: the lowest is popped */
  private readonly free: number[] = []

  take(): number {
    if (this.free.length > 0) return this.free.pop() as number
    return this.next++
  }

  /** The ID `take` would return now, without taking it. */
  peek(): number {
    return this.free.length > 0 ? this.free[this.free.length - 1] : this.next
  }

  give(id: number): void {
    const f = this.free
    let lo = 0
    let hi = f.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (f[mid] > id) lo = mid + 1
      else hi = mid
    }
    f.splice(lo, 0, id)
  }
}
