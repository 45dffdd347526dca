import type { IfaceMatch } from '../ruleset/types'

/**
 * Interface names interned to small ids so `-i`/`-o` compare numbers; a wildcard (`cali+`) remembers its
 * answer per id. Id 0 is the empty name the kernel compares against when a hook has no such device
 * (no in-interface in OUTPUT).
 */
export class Interfaces {
  private readonly ids = new Map<string, number>([['', 0]])
  readonly names: string[] = ['']

  id(name: string): number {
    let id = this.ids.get(name)
    if (id === undefined) {
      id = this.names.length
      this.ids.set(name, id)
      this.names.push(name)
    }
    return id
  }
}

export class IfaceMatcher {
  private readonly exact: number
  private cache = new Int8Array(16)

  constructor(
    private readonly m: IfaceMatch,
    private readonly ifaces: Interfaces,
  ) {
    this.exact = m.wildcard ? -1 : ifaces.id(m.name)
  }

  test(id: number): boolean {
    let hit: boolean
    if (this.exact >= 0) hit = id === this.exact
    else {
      if (id >= this.cache.length) {
        const grown = new Int8Array(Math.max(id + 1, this.cache.length * 2))
        grown.set(this.cache)
        this.cache = grown
      }
      let c = this.cache[id]
      if (c === 0) {
        c = this.ifaces.names[id].startsWith(this.m.name) ? 1 : 2
        this.cache[id] = c
      }
      hit = c === 1
    }
    return hit !== this.m.invert
  }
}
