import type { Rng } from '../rng/rng'

/**
 * Draws distinct integers from [lo, hi] with the seeded RNG: random probes into a bitmap while the range is
 * sparsely used, then a linear scan from a random start, so a nearly full range still ends.
 */
export class Allocator {
  private readonly used: Uint8Array
  private taken = 0
  constructor(
    readonly lo: number,
    readonly hi: number,
    private readonly rng: Rng,
  ) {
    this.used = new Uint8Array(hi - lo + 1)
  }

  get free(): number {
    return this.used.length - this.taken
  }

  reserve(n: number): void {
    const i = n - this.lo
    if (i >= 0 && i < this.used.length && !this.used[i]) {
      this.used[i] = 1
      this.taken++
    }
  }

  /** A free value, or null when the range is exhausted. */
  next(): number | null {
    const size = this.used.length
    if (this.taken >= size) return null
    for (let tries = 0; tries < 8; tries++) {
      const i = this.rng.int(size)
      if (!this.used[i]) return this.take(i)
    }
    const start = this.rng.int(size)
    for (let k = 0; k < size; k++) {
      const i = (start + k) % size
      if (!this.used[i]) return this.take(i)
    }
    return null
  }

  private take(i: number): number {
    this.used[i] = 1
    this.taken++
    return this.lo + i
  }
}
