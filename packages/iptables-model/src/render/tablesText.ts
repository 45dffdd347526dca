/** Tables in the order iptables-save prints them, and their built-in chains in kernel hook order. */
export const SAVE_TABLE_ORDER = ['raw', 'mangle', 'nat', 'filter'] as const
export type SaveTable = (typeof SAVE_TABLE_ORDER)[number]

const BUILTINS: Record<SaveTable, readonly string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
}

/**
 * Collects rule lines (`-A CHAIN ...`) per table and chain and prints them as `iptables-save` does: built-in
 * chains with policy first, then user chains — in name order for legacy (libiptc keeps its chain list sorted),
 * in creation order for nft — each chain's rules together.
 */
export class TablesText {
  constructor(private readonly order: 'legacy' | 'nft' = 'legacy') {}

  private readonly tables = new Map<SaveTable, Map<string, string[]>>()

  private table(t: SaveTable): Map<string, string[]> {
    let m = this.tables.get(t)
    if (!m) {
      m = new Map(BUILTINS[t].map((c) => [c, []]))
      this.tables.set(t, m)
    }
    return m
  }

  /** declares a (possibly empty) chain */
  chain(t: SaveTable, name: string): void {
    const m = this.table(t)
    if (!m.has(name)) m.set(name, [])
  }

  /** appends full rule lines; the chain is the word after `-A` */
  rules(t: SaveTable, lines: Iterable<string>): void {
    const m = this.table(t)
    for (const line of lines) {
      const chain = line.slice(3, line.indexOf(' ', 3))
      let list = m.get(chain)
      if (!list) m.set(chain, (list = []))
      list.push(line)
    }
  }

  has(t: SaveTable): boolean {
    return this.tables.has(t)
  }

  toString(): string {
    const out: string[] = []
    for (const t of SAVE_TABLE_ORDER) {
      const m = this.tables.get(t)
      if (!m) continue
      const builtins = BUILTINS[t]
      const user = [...m.keys()].filter((c) => !builtins.includes(c))
      if (this.order === 'legacy') user.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      out.push(`*${t}`)
      for (const c of builtins) out.push(`:${c} ACCEPT [0:0]`)
      for (const c of user) out.push(`:${c} - [0:0]`)
      for (const c of [...builtins, ...user]) for (const r of m.get(c)!) out.push(r)
      out.push('COMMIT')
    }
    out.push('')
    return out.join('\n')
  }
}
